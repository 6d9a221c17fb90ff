// verify against real changelogs: each kind of tampering, and the changelog against the live environments.

import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { configHash, shortHash } from '../../src/hash/config-hash.js';
import { envFile, pipEnv, TEST_PROJECT, Workspace } from '../helpers/workspace.js';

describe('verify', () => {
  let ws: Workspace;
  // The first run file: begin, create a, create b, end; then the second: begin, update b, end.
  let runs: string[] = [];
  const first = () => runs[0] as string;
  const shown = () => path.relative(ws.dir, first());
  const lines = () => readFileSync(first(), 'utf8').split('\n').filter(Boolean);
  const rewrite = (list: string[]) => writeFileSync(first(), `${list.join('\n')}\n`);
  beforeEach(async () => {
    ws = await Workspace.start();
    ws.files({ 'a.yaml': envFile('a'), 'b.yaml': pipEnv('b', ['x==1']) });
    await ws.cli(['apply', '--auto-approve']);
    ws.files({ 'b.yaml': pipEnv('b', ['x==2']) });
    await ws.cli(['apply', '--auto-approve']);
    runs = ws.runFiles();
  });
  afterEach(() => ws.close());

  it('passes a clean changelog, with and without --live', async () => {
    expect(await ws.cli(['verify'])).toMatchObject({ code: 0, stdout: 'Changelog OK: 7 entries checked.\n' });
    const live = await ws.cli(['verify', '--live']);
    expect(live).toMatchObject({
      code: 0,
      stdout: 'Changelog OK: 7 entries checked, 2 live managed environments compared.\n',
    });
  });

  it('catches an edited line', async () => {
    const list = lines();
    list[1] = (list[1] as string).replace('"description":null', '"description":"edited"');
    rewrite(list);
    const r = await ws.cli(['verify']);
    expect([r.code, r.stdout]).toEqual([
      1,
      `${shown()}:2: entry seq 2 was modified: its hash does not match its content\n1 problem: 7 entries checked.\n`,
    ]);
    const json = JSON.parse((await ws.cli(['verify', '--format', 'json'])).stdout);
    expect(json).toEqual({
      format_version: 1,
      changelog: '.envsync/changelog',
      ok: false,
      entries: 7,
      live_managed: null,
      problems: [
        {
          source: 'changelog',
          file: shown(),
          line: 2,
          env_id: null,
          message: 'entry seq 2 was modified: its hash does not match its content',
        },
      ],
      notes: [],
    });
  });

  it('catches a removed line', async () => {
    rewrite(lines().filter((_, i) => i !== 2));
    const r = await ws.cli(['verify']);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(
      `${shown()}:3: entry seq 4 does not chain to the line before it (a line was removed, inserted or reordered)\n`,
    );
    expect(r.stdout).toContain(`${shown()}:3: seq 4 follows seq 2\n`);
  });

  it('catches a reordered line', async () => {
    const list = lines();
    [list[1], list[2]] = [list[2] as string, list[1] as string];
    rewrite(list);
    const r = await ws.cli(['verify']);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(
      `${shown()}:2: entry seq 3 does not chain to the line before it (a line was removed, inserted or reordered)\n`,
    );
    expect(r.stdout).toContain(`${shown()}:3: seq 2 follows seq 3\n`);
  });

  it('catches a torn last line, and a run file cut mid-line that a later run began from', async () => {
    const last = runs[1] as string;
    const text = readFileSync(last, 'utf8');
    writeFileSync(last, `${text}{"v":2,"seq":4,"op":"beg`);
    const r = await ws.cli(['verify']);
    expect([r.code, r.stdout]).toEqual([
      1,
      `${path.relative(ws.dir, last)}:4: unterminated last line (a write cut short)\n1 problem: 7 entries checked.\n`,
    ]);
    // Cutting the first run mid-line loses its end: the run after it now begins from a line that ends nothing.
    writeFileSync(last, text);
    const cut = readFileSync(first(), 'utf8');
    writeFileSync(first(), cut.slice(0, cut.lastIndexOf('\n', cut.length - 2) + 20));
    const c = await ws.cli(['verify']);
    expect(c.code).toBe(1);
    expect(c.stdout).toContain(`${shown()}:4: unterminated last line (a write cut short)`);
    expect(c.stdout).toMatch(
      /this run began from \w+, which ends no run file: a run file is missing or was cut short/,
    );
    expect((await ws.cli(['verify', '--live'])).code).toBe(1);
  });

  it('--live catches a live managed environment missing from the changelog', async () => {
    const hash = configHash({});
    const stray = await ws.sdk().beta.environments.create({
      name: 'stray',
      metadata: { envsync_managed: TEST_PROJECT, envsync_config_hash: hash },
    });
    const r = await ws.cli(['verify', '--live']);
    expect([r.code, r.stdout]).toEqual([
      1,
      `live: ${stray.id} (stray): managed environment missing from the changelog\n1 problem: 7 entries checked, 3 live managed environments compared.\n`,
    ]);
    expect((await ws.cli(['verify'])).code).toBe(0);
  });

  it('--live catches a recorded environment missing live', async () => {
    const a = (await ws.live()).find((e) => e.name === 'a');
    await ws.sdk().beta.environments.delete(a?.id as string);
    const r = await ws.cli(['verify', '--live']);
    expect([r.code, r.stdout]).toEqual([
      1,
      `live: ${a?.id} (a): recorded as current (${shortHash(configHash({}))}) but missing from the API\n1 problem: 7 entries checked, 1 live managed environment compared.\n`,
    ]);
  });

  it('refuses to verify a changelog that does not exist', async () => {
    const r = await ws.cli(['--changelog', 'nope', 'verify']);
    expect([r.code, r.stderr]).toEqual([1, expect.stringContaining('error[no_changelog]: no changelog at')]);
    expect(await ws.cli(['--changelog', 'nope', 'history'])).toMatchObject({
      code: 0,
      stdout: 'No changes recorded.\n',
    });
  });
});
