// What `ant apply` reads in an environment file that envsync does not: its kind marker (`type:`) and the ant
// CLI's file references in strings (`@notes.md`, `@file://…`, `\@`). Each is reported at its line with what to
// do, or (the marker `type: environment`, which says what envsync already assumes) accepted; never dropped
// in silence, since the same file would then mean one thing to ant and another to envsync.

import { statSync } from 'node:fs';
import path from 'node:path';
import type { Diagnostic } from '../model.js';
import type { ParsedDocument, PathSegment } from './parse.js';
import { dottedPath } from './schema-check.js';
import { quote } from './text.js';

/** The JSON Schema ant's environment files name in their modeline; envsync accepts it as its own. */
export const ANT_ENVIRONMENT_SCHEMA = 'https://platform.claude.com/schemas/ant/beta/environment.json';

const ANT_MODELINE = /^#\s*yaml-language-server:\s*\$schema=https:\/\/platform\.claude\.com\/schemas\/ant\//m;

/** Whether a file's modeline points at ant's schemas (`envsync fmt` then keeps it). */
export function hasAntModeline(text: string): boolean {
  return ANT_MODELINE.test(text);
}

/** The kinds `ant apply` knows besides environments: a file of one of them is ant's alone. */
const OTHER_KINDS = ['agent', 'deployment', 'memory_store', 'skill', 'vault'];

function isFile(file: string): boolean {
  try {
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

/** The string fields the ant CLI would read an `@` reference in (package specs may start with `@scope/`). */
function stringFields(value: Record<string, unknown>): Array<{ path: PathSegment[]; text: string }> {
  const out: Array<{ path: PathSegment[]; text: string }> = [];
  if (typeof value.name === 'string') out.push({ path: ['name'], text: value.name });
  if (typeof value.description === 'string') out.push({ path: ['description'], text: value.description });
  const metadata = value.metadata;
  if (metadata !== null && typeof metadata === 'object' && !Array.isArray(metadata)) {
    for (const [key, v] of Object.entries(metadata))
      if (typeof v === 'string') out.push({ path: ['metadata', key], text: v });
  }
  return out;
}

/** Why a string means something else to ant, and what to write instead; null when it means the same. */
function fileReference(text: string, dir: string): { message: string; hint: string } | null {
  if (/^@(?:file|data):\/\//.test(text)) {
    return {
      message: `${quote(text)} is a file reference of the ant CLI (it sends the file's contents); envsync sends strings as written`,
      hint: 'write the text itself here (a YAML block scalar, `|`, keeps long text readable)',
    };
  }
  if (text.startsWith('\\@')) {
    return {
      message: `${quote(text)} is the ant CLI's escape for a literal ${quote(text.slice(1))}; envsync sends strings as written, backslash included`,
      hint: `write ${quote(text.slice(1))}`,
    };
  }
  if (text.startsWith('@') && text.length > 1 && isFile(path.resolve(dir, text.slice(1)))) {
    return {
      message: `${quote(text)} names the file ${quote(text.slice(1))}, whose contents the ant CLI sends in its place; envsync sends strings as written`,
      hint: `write the text of ${text.slice(1)} here (a YAML block scalar, \`|\`, keeps long text readable)`,
    };
  }
  return null;
}

/**
 * The ant-only constructs of one environment document: diagnostics for what envsync does not support, and
 * the document without ant's kind marker (so the schema does not also call `type` an unknown key).
 */
export function antConstructs(
  file: string,
  abs: string,
  doc: ParsedDocument,
): { doc: ParsedDocument; diagnostics: Diagnostic[] } {
  const value = doc.value as Record<string, unknown>;
  const diagnostics: Diagnostic[] = [];
  const report = (at: PathSegment[], where: 'key' | 'value', message: string, hint: string) => {
    const place = doc.locate(at, where);
    diagnostics.push({
      severity: 'error',
      file,
      line: place.line,
      column: place.column,
      path: dottedPath(at),
      message,
      hint,
    });
  };
  let checked = doc;
  if (Object.hasOwn(value, 'type')) {
    const { type, ...rest } = value;
    if (type !== 'environment') {
      const kind = typeof type === 'string' && OTHER_KINDS.includes(type) ? type : null;
      report(
        ['type'],
        'value',
        kind
          ? `type: ${kind} marks ant's ${kind} file: envsync manages environments only`
          : `type: ${typeof type === 'string' ? quote(type) : String(type)} is not ant's kind marker for an environment`,
        kind
          ? "keep it out of envsync's folders (`dir`/`dirs` in envsync.yaml): ant apply keeps managing it"
          : 'ant marks an environment file with `type: environment` (or by its environments/ folder); envsync needs no marker',
      );
    }
    checked = { ...doc, value: rest };
  }
  for (const field of stringFields(value)) {
    const problem = fileReference(field.text, path.dirname(abs));
    if (problem) report(field.path, 'value', problem.message, problem.hint);
  }
  return { doc: checked, diagnostics };
}
