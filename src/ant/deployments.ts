// ant apply's deployment files name their environment by path (`environment_id: ../environments/x.yaml`) and
// resolve it through claude-lock.json. Once an environment is handed over the lock has no entry for it, so
// each such path must become the ID: found here, with its place, so the follow-up is the exact edit.

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { isMap, isScalar, LineCounter, parseDocument } from 'yaml';
import type { AntPathReference } from '../model.js';
import type { AntLock } from './lock.js';

/** The YAML of a deployment file: the whole file, or a Markdown file's front matter (and the line it starts on). */
function bodyOf(file: string, text: string): { yaml: string; firstLine: number } | null {
  if (!/\.(?:md|markdown)$/i.test(file)) return { yaml: text, firstLine: 1 };
  const m = /^---[ \t]*\r?\n([\s\S]*?)\r?\n---[ \t]*(?:\r?\n|$)/.exec(text);
  return m ? { yaml: m[1] ?? '', firstLine: 2 } : null;
}

/**
 * The `environment_id` paths in the lock's deployment files that point at one of `handed` (absolute
 * environment file → its ID). A deployment file that cannot be read or parsed is left to ant, which reads it.
 */
export function pathReferences(
  lock: AntLock,
  handed: ReadonlyMap<string, string>,
  projectRoot: string,
): AntPathReference[] {
  const found: AntPathReference[] = [];
  for (const r of lock.resources) {
    if (r.kind !== 'deployment') continue;
    let text: string;
    try {
      text = readFileSync(r.abs, 'utf8');
    } catch {
      continue;
    }
    const body = bodyOf(r.abs, text);
    if (body === null) continue;
    const lines = new LineCounter();
    const doc = parseDocument(body.yaml, { lineCounter: lines, prettyErrors: false });
    if (doc.errors.length > 0 || !isMap(doc.contents)) continue;
    const pair = doc.contents.items.find((p) => isScalar(p.key) && p.key.value === 'environment_id');
    const value = pair?.value;
    if (!isScalar(value) || typeof value.value !== 'string' || value.range === undefined) continue;
    const target = path.resolve(path.dirname(r.abs), value.value);
    const envId = handed.get(target);
    if (envId === undefined) continue;
    const at = lines.linePos(value.range[0]);
    found.push({
      location: {
        file: path.relative(projectRoot, r.abs),
        line: at.line + body.firstLine - 1,
        column: at.col,
      },
      path: value.value,
      env_id: envId,
    });
  }
  return found;
}
