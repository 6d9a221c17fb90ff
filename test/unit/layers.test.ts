// The import arrows between src/ folders point one way: a folder imports only from folders ranked below it.

import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/cli.js';

/** Lower ranks know nothing of higher ones; the API adapter sits below every domain rule. */
const RANK: Record<string, number> = {
  model: 0,
  util: 0,
  text: 0,
  errors: 1,
  hash: 2,
  fs: 2,
  api: 3,
  domain: 3,
  config: 4,
  plan: 5,
  changelog: 5,
  project: 5,
  export: 5,
  usage: 5,
  ant: 5,
  apply: 6,
  emulator: 6,
  scaffold: 6,
  workflow: 7,
  cli: 8,
};

const SRC = path.join(ROOT, 'src');

function layerOf(file: string): string {
  const rel = path.relative(SRC, file).split(path.sep);
  return rel.length === 1 ? (rel[0] as string).replace(/\.[jt]s$/, '') : (rel[0] as string);
}

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) =>
    d.isDirectory()
      ? sources(path.join(dir, d.name))
      : d.name.endsWith('.ts')
        ? [path.join(dir, d.name)]
        : [],
  );
}

function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const out: string[] = [];
  for (const m of text.matchAll(/(?:import|export)[^'"]*?from\s+'(\.[^']+)'|import\('(\.[^']+)'\)/g)) {
    const spec = m[1] ?? m[2];
    if (spec && !spec.endsWith('.json')) out.push(path.resolve(path.dirname(file), spec));
  }
  return out;
}

describe('layers', () => {
  const files = sources(SRC);

  it('every src/ folder has a rank', () => {
    expect(files.map(layerOf).filter((l) => RANK[l] === undefined)).toEqual([]);
  });

  it('no folder imports from a folder ranked at or above it (other than itself)', () => {
    const wrong: string[] = [];
    for (const file of files) {
      const from = layerOf(file);
      for (const target of importsOf(file)) {
        const to = layerOf(target);
        if (to !== from && (RANK[to] ?? 99) >= (RANK[from] ?? -1)) {
          wrong.push(`${path.relative(ROOT, file)} → ${path.relative(ROOT, target)}`);
        }
      }
    }
    expect(wrong).toEqual([]);
  });
});
