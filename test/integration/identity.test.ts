// Identity is the recorded ID: console renames, stripped tags, swaps, swap backs, reverts and two applies
// from one commit never move a config from one ID to another, and never record what did not happen.

import { cpSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ChangelogEntry, Plan } from '../../src/model.js';
import { baseEnv, runCli, tempDir } from '../helpers/cli.js';
import { type HookAnswer, startHookProxy } from '../helpers/hook-proxy.js';
import { envFile, TEST_KEY, TEST_PROJECT, Workspace } from '../helpers/workspace.js';

const renamed = (name: string, old: string[], extra = '') =>
  envFile(name, `${extra}lifecycle:\n  previous_names: [${old.join(', ')}]\n`);

describe('identity by recorded ID', () => {
  let ws: Workspace;
  beforeEach(async () => {
    ws = await Workspace.start();
  });
  afterEach(() => ws.close());

  const apply = async (...args: string[]) => {
    const r = await ws.cli(['apply', '--auto-approve', ...args]);
    expect(r.code, r.stderr + r.stdout).toBe(0);
    return r;
  };
  /** name → [id, description] of every live environment. */
  const live = async () => Object.fromEntries((await ws.live()).map((e) => [e.name, [e.id, e.description]]));
  const plan = async () => JSON.parse((await ws.cli(['plan', '--format', 'json'])).stdout) as Plan;

  const NAME = 'café'.normalize('NFC');
  it.each([
    ['case', 'CAFÉ'],
    ['Unicode form (NFD)', NAME.normalize('NFD')],
    ['an invisible character', `${NAME}\u200b`],
  ])(
    'a console rename differing by %s is drift: renamed back in place, same ID, never archive + create',
    async (_t, consoleName) => {
      ws.files({ 'x.yaml': envFile(NAME, 'description: X\n') });
      await apply();
      const [before] = await ws.live();
      await ws.sdk().beta.environments.update(before?.id as string, { name: consoleName });
      const p = await plan();
      expect(
        p.actions.map((a) => [
          a.kind,
          'env_id' in a ? a.env_id : null,
          a.kind === 'update' ? a.renamed_from : null,
        ]),
      ).toEqual([['update', before?.id, consoleName]]);
      expect(p.actions[0]?.drift?.kind).toBe('changed_outside');
      expect(p.summary).toMatchObject({ create: 0, archive: 0 });
      await apply();
      expect(await live()).toEqual({ [NAME]: [before?.id, 'X'] });
      expect((await ws.cli(['verify', '--live'])).code).toBe(0);
      expect((await ws.cli(['plan', '--detailed-exitcode'])).code).toBe(0);
    },
  );

  it('a swap, a swap back and a git revert of the swap rename IDs and never exchange configs', async () => {
    ws.files({
      'x.yaml': envFile('left', 'description: L\n'),
      'y.yaml': envFile('right', 'description: R\n'),
    });
    await apply();
    const ids = Object.fromEntries((await ws.live()).map((e) => [e.name, e.id]));
    const original = { left: [ids.left, 'L'], right: [ids.right, 'R'] };
    // Swap: each file takes the other's name.
    ws.files({
      'x.yaml': renamed('right', ['left'], 'description: L\n'),
      'y.yaml': renamed('left', ['right'], 'description: R\n'),
    });
    await apply();
    expect(await live()).toEqual({ right: [ids.left, 'L'], left: [ids.right, 'R'] });
    // Swap back: the same edit the other way round.
    ws.files({
      'x.yaml': renamed('left', ['right'], 'description: L\n'),
      'y.yaml': renamed('right', ['left'], 'description: R\n'),
    });
    await apply();
    expect(await live()).toEqual(original);
    // Swap again, then a revert of the swap: the files as they were before it.
    ws.files({
      'x.yaml': renamed('right', ['left'], 'description: L\n'),
      'y.yaml': renamed('left', ['right'], 'description: R\n'),
    });
    await apply();
    ws.files({
      'x.yaml': envFile('left', 'description: L\n'),
      'y.yaml': envFile('right', 'description: R\n'),
    });
    const revert = await plan();
    expect(
      revert.actions
        .filter((a) => a.kind !== 'noop')
        .map((a) => [a.kind, a.name, 'env_id' in a ? a.env_id : null]),
    ).toEqual([
      ['update', 'left', ids.left],
      ['update', 'right', ids.right],
    ]);
    await apply();
    expect(await live()).toEqual(original);
    expect((await ws.cli(['verify', '--live'])).code).toBe(0);
    // Every step of each ID carried its own file's description: no config ever moved between them.
    for (const e of ws.entries().filter((x) => x.env_id !== null && x.description !== null))
      expect([e.env_id, e.description]).toEqual(e.env_id === ids.left ? [ids.left, 'L'] : [ids.right, 'R']);
  });

  it('tags stripped in the console are drift on a recorded environment: reported, restored, never "not made by envsync"', async () => {
    ws.files({ 'a.yaml': envFile('a') });
    await apply();
    const [a] = await ws.live();
    await ws.sdk().beta.environments.update(a?.id as string, {
      metadata: { envsync_managed: '', envsync_config_hash: '' },
    });
    const verify = await ws.cli(['verify', '--live']);
    expect(verify.code).toBe(1);
    expect(verify.stdout + verify.stderr).toContain('the ownership tags were removed outside envsync');
    const p = await plan();
    expect(p.blocked).toEqual([]);
    expect(p.actions.map((x) => [x.kind, x.drift?.detail])).toEqual([
      [
        'update',
        `the ownership tags were removed outside envsync (this changelog records ${a?.id}); the update puts them back`,
      ],
    ]);
    await apply();
    const [after] = await ws.live();
    expect(after?.metadata).toMatchObject({ envsync_managed: TEST_PROJECT });
    expect((await ws.cli(['verify', '--live'])).code).toBe(0);
  });

  it('tags stripped, then another project takes it: blocked here, reported by verify, and --adopt there warns', async () => {
    ws.files({ 'a.yaml': envFile('a') });
    await apply();
    const [a] = await ws.live();
    await ws.sdk().beta.environments.update(a?.id as string, {
      metadata: { envsync_managed: '', envsync_config_hash: '' },
    });
    // Another project with a file of the same name adopts it: its plan warns that a changelog may record it.
    const other = tempDir('envsync-other-');
    mkdirSync(path.join(other, 'environments'));
    writeFileSync(path.join(other, 'envsync.yaml'), 'project: other\n');
    writeFileSync(path.join(other, 'environments/a.yaml'), envFile('a'));
    const env = baseEnv({ ANTHROPIC_API_KEY: TEST_KEY });
    const adopt = await runCli(['--base-url', ws.emu.url, 'apply', '--adopt', '--auto-approve'], {
      cwd: other,
      env,
    });
    expect(adopt.code, adopt.stderr).toBe(0);
    expect(adopt.stdout).toContain("another project's changelog may still record it");
    // Here: never touched, blocked with the owner named, and verify says so.
    const r = await ws.cli(['plan']);
    expect(r.code).toBe(3);
    expect(r.stdout).toContain(
      `is recorded in this changelog, but project "other" has since tagged it as its own`,
    );
    const verify = await ws.cli(['verify', '--live']);
    expect(verify.code).toBe(1);
    expect(verify.stdout + verify.stderr).toContain(
      'recorded as this project\'s, but now tagged by project "other"',
    );
  });

  it('a recorded ID a short list leaves out is looked up: plan and verify --live refuse when it exists, and record it gone only on a 404', async () => {
    ws.files({ 'a.yaml': envFile('a'), 'b.yaml': envFile('b') });
    await apply();
    const b = (await ws.live()).find((e) => e.name === 'b');
    const short = (m: string, p: string) =>
      m === 'GET' && p === '/v1/environments'
        ? {
            rewrite: (body: unknown) => ({
              ...(body as object),
              data: (body as { data: { id: string }[] }).data.filter((e) => e.id !== b?.id),
            }),
          }
        : ('forward' as const);
    for (const args of [['plan'], ['verify', '--live'], ['status']]) {
      const r = await ws.cliThrough(short, args);
      expect([r.code, r.stderr]).toEqual([1, expect.stringContaining('error[list_incomplete]')]);
    }
    // A 404 is the one answer that makes it gone: then it is drift, recorded, and the file re-creates it.
    await ws.sdk().beta.environments.delete(b?.id as string);
    const p = await plan();
    expect(p.actions.find((x) => x.name === 'b')).toMatchObject({
      kind: 'create',
      drift: { kind: 'missing' },
    });
  });
});

describe('two applies from one commit (CI and a laptop)', () => {
  it('leave one create per ID in the merged history, and no overlapping update', async () => {
    const ws = await Workspace.start();
    try {
      ws.files({ 'a.yaml': envFile('a', 'description: one\n') });
      expect((await ws.cli(['apply', '--auto-approve'])).code).toBe(0);
      // Both clones share the history so far, and the commit that changes a and adds b.
      const laptop = tempDir('envsync-laptop-');
      cpSync(ws.dir, laptop, { recursive: true });
      const change = { 'a.yaml': envFile('a', 'description: two\n'), 'b.yaml': envFile('b') };
      ws.files(change);
      for (const [f, text] of Object.entries(change))
        writeFileSync(path.join(laptop, 'environments', f), text);
      // The laptop lists first; CI's whole apply lands before the laptop's first write.
      let ci: Promise<unknown> | undefined;
      const proxy = await startHookProxy(ws.emu.url, async (method, p): Promise<HookAnswer> => {
        const write =
          (method === 'GET' && /^\/v1\/environments\/env_/.test(p)) ||
          (method === 'POST' && p === '/v1/environments');
        if (write) {
          ci ??= ws.cli(['apply', '--auto-approve']);
          await ci;
        }
        return 'forward';
      });
      const env = baseEnv({ ANTHROPIC_API_KEY: TEST_KEY });
      const late = await runCli(['--base-url', proxy.url, 'apply', '--auto-approve', '--parallelism', '1'], {
        cwd: laptop,
        env,
      });
      await proxy.close();
      expect(late.code, late.stderr).toBe(0);
      expect(late.stdout).toContain('0 created, 0 updated');
      expect(late.stdout).toContain('2 already done by another apply');
      // git merge: the laptop's run file beside CI's.
      const dir = path.join(ws.dir, '.envsync/changelog');
      for (const f of readdirSync(path.join(laptop, '.envsync/changelog')))
        cpSync(path.join(laptop, '.envsync/changelog', f), path.join(dir, f));
      const merged = ws.entries();
      const count = (op: string, id: string | null | undefined) =>
        merged.filter((e: ChangelogEntry) => e.op === op && e.env_id === id).length;
      const [a, b] = ['a', 'b'].map((n) => merged.find((e) => e.name === n && e.op === 'create')?.env_id);
      expect([count('create', a), count('create', b)]).toEqual([1, 1]);
      expect(count('update', a)).toBe(1);
      const found = merged.filter((e) => e.op === 'drift' && e.detail?.includes('by another apply'));
      expect(found.map((e) => e.env_id).sort()).toEqual([a, b].sort());
      expect(found.map((e) => e.actor)).toEqual(['tester', 'tester']);
      const verify = await ws.cli(['verify', '--live']);
      expect(verify.code, verify.stdout + verify.stderr).toBe(0);
    } finally {
      await ws.close();
    }
  });
});
