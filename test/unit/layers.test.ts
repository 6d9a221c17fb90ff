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
  render: 1,
  hash: 2,
  fs: 2,
  api: 3,
  domain: 3,
  config: 4,
  plan: 5,
  changelog: 5,
  project: 5,
  packages: 5,
  export: 5,
  usage: 5,
  ant: 5,
  apply: 6,
  emulator: 6,
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

  it('no import cycle anywhere, type-only imports included', () => {
    const graph = new Map(files.map((f) => [f, importsOf(f).map((t) => t.replace(/\.js$/, '.ts'))]));
    const state = new Map<string, 'open' | 'done'>();
    const cycles: string[] = [];
    const visit = (file: string, trail: string[]) => {
      if (state.get(file) === 'done') return;
      if (state.get(file) === 'open') {
        const loop = [...trail.slice(trail.indexOf(file)), file];
        cycles.push(loop.map((f) => path.relative(SRC, f)).join(' → '));
        return;
      }
      state.set(file, 'open');
      for (const next of graph.get(file) ?? []) if (graph.has(next)) visit(next, [...trail, file]);
      state.set(file, 'done');
    };
    for (const f of files) visit(f, []);
    expect(cycles).toEqual([]);
  });

  /**
   * The CLI is the shell: it parses, calls one library call of the workflow layer, and renders. So it reaches
   * the workflow, the renderers, the model and errors, and leaf helpers (text, util, hash, fs, usage);
   * never the changelog's, apply's, config's or the planner's internals. The emulator command runs the
   * emulator itself.
   */
  it('src/cli/ imports only the workflow layer, the renderers, the model, errors and leaf helpers', () => {
    const allowed = [
      /^workflow\//,
      /^model(\.ts|\/)/,
      /^errors\.ts$/,
      /^(text|util|hash|fs|usage)\//,
      /^plan\/(render-[a-z-]+|summary)\.ts$/,
      /^changelog\/(render|render-html)\.ts$/,
      /^export\/environment-file\.ts$/,
      /^cli\//,
    ];
    const wrong: string[] = [];
    for (const file of files.filter((f) => layerOf(f) === 'cli')) {
      for (const target of importsOf(file)) {
        const rel = path.relative(SRC, target).replace(/\.js$/, '.ts').split(path.sep).join('/');
        const emulatorCommand = path.basename(file) === 'emulator.ts' && rel.startsWith('emulator/');
        if (!emulatorCommand && !allowed.some((a) => a.test(rel)))
          wrong.push(`${path.relative(ROOT, file)} → ${rel}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('src/emulator/ imports nothing from src/api/: the local API shares no code with the client that tests it', () => {
    const wrong = files
      .filter((f) => layerOf(f) === 'emulator')
      .flatMap((f) =>
        importsOf(f)
          .filter((t) => layerOf(t) === 'api')
          .map((t) => `${path.relative(ROOT, f)} → ${path.relative(ROOT, t)}`),
      );
    expect(wrong).toEqual([]);
  });
});
