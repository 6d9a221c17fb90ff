// The executable that ships is the esbuild bundle in dist/cli (scripts/bundle.mjs). These tests read the
// bundle's metafile to check that each command's static imports reach only what it needs (the start-up
// budget of issue 15 rests on it), and run the bundle to check it works from an installed layout.

import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN, baseEnv, ROOT, spawnCli, tempDir } from '../helpers/cli.js';

interface Metafile {
  outputs: Record<
    string,
    { entryPoint?: string; imports: Array<{ path: string; kind: string }>; inputs: Record<string, unknown> }
  >;
}

const meta: Metafile = JSON.parse(readFileSync(path.join(ROOT, 'dist/cli-meta.json'), 'utf8'));

/** The output built for a source entry (the executable, or a command's lazily loaded module). */
function outputFor(entry: string): string {
  const found = Object.entries(meta.outputs).find(([, o]) => o.entryPoint === entry);
  if (!found) throw new Error(`no output for ${entry}`);
  return found[0];
}

/** Every source module loaded by these outputs and what they import statically (not `import()`). */
function staticInputs(outputs: string[]): string[] {
  const seen = new Set<string>();
  const inputs = new Set<string>();
  const visit = (out: string) => {
    const o = meta.outputs[out];
    if (seen.has(out) || o === undefined) return;
    seen.add(out);
    for (const input of Object.keys(o.inputs)) inputs.add(input);
    for (const i of o.imports) if (i.kind === 'import-statement') visit(i.path);
  };
  for (const out of outputs) visit(out);
  return [...inputs];
}

const bin = outputFor('dist/src/cli/bin.js');
const loadedBy = (command: string) => staticInputs([bin, outputFor(`dist/src/cli/${command}.js`)]);
const matching = (inputs: string[], part: string) => inputs.filter((i) => i.includes(part));

describe('the bundle loads only what a command needs', () => {
  it('--version: commander and the command table, no command module, no YAML parser, no SDK', () => {
    const inputs = staticInputs([bin]);
    expect(matching(inputs, 'node_modules/commander/').length).toBeGreaterThan(0);
    expect(matching(inputs, 'node_modules/yaml/')).toEqual([]);
    expect(matching(inputs, 'node_modules/@anthropic-ai/sdk/')).toEqual([]);
    expect(matching(inputs, 'dist/src/cli/validate.js')).toEqual([]);
  });

  it('validate: the YAML parser and the generated validator, never the SDK, the planner or the emulator', () => {
    const inputs = loadedBy('validate');
    expect(matching(inputs, 'node_modules/yaml/').length).toBeGreaterThan(0);
    expect(matching(inputs, 'dist/src/config/generated/environment.validator.js')).toHaveLength(1);
    for (const part of [
      'node_modules/@anthropic-ai/sdk/',
      'node_modules/ajv/',
      'dist/src/plan/',
      'dist/src/emulator/',
    ])
      expect(matching(inputs, part), part).toEqual([]);
  });

  it('plan loads the SDK only when it connects (workflow/connect.ts imports the client lazily)', () => {
    expect(matching(loadedBy('plan'), 'node_modules/@anthropic-ai/sdk/')).toEqual([]);
    expect(
      matching(staticInputs([outputFor('dist/src/api/client.js')]), 'node_modules/@anthropic-ai/sdk/').length,
    ).toBeGreaterThan(0);
  });
});

describe('the bundle runs', () => {
  it('reports the package version and validates with the shipped schema', async () => {
    const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
    expect(pkg.bin.envsync).toBe(path.relative(ROOT, BIN));
    const version = await spawnCli(['--version'], { env: baseEnv() });
    expect(version).toMatchObject({ code: 0, stdout: `${pkg.version}\n` });

    const dir = tempDir();
    writeFileSync(path.join(dir, 'bad.yaml'), 'name: x\nconfig:\n  type: clod\n');
    const result = await spawnCli(['validate', dir], { env: baseEnv() });
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('bad.yaml:3:9');
    expect(result.stdout).toContain('did you mean "cloud"?');
  });
});
