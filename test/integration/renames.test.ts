// Renames through lifecycle.previous_names: same ID, history continues, swaps, ambiguity.

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Plan } from '../../src/model.js';
import { makeAgent } from '../helpers/emulator-refs.js';
import { envFile, pipEnv, Workspace } from '../helpers/workspace.js';

const renamed = (name: string, old: string[], extra = '') =>
  envFile(name, `${extra}lifecycle:\n  previous_names: [${old.join(', ')}]\n`);

/** left and right applied, then each file renamed to the other's name: returns the IDs by old name. */
async function swapLeftAndRight(ws: Workspace): Promise<Record<string, string>> {
  ws.files({ 'x.yaml': envFile('left', 'description: L\n'), 'y.yaml': envFile('right', 'description: R\n') });
  expect((await ws.cli(['apply', '--auto-approve'])).code).toBe(0);
  const ids = Object.fromEntries((await ws.live()).map((e) => [e.name, e.id]));
  ws.files({
    'x.yaml': renamed('right', ['left'], 'description: L\n'),
    'y.yaml': renamed('left', ['right'], 'description: R\n'),
  });
  return ids;
}

describe('renames (lifecycle.previous_names)', () => {
  let ws: Workspace;
  beforeEach(async () => {
    ws = await Workspace.start();
  });
  afterEach(() => ws.close());

  it('renames in place: same ID, the sessions before it still resolve, history continues and old points to new', async () => {
    ws.files({ 'etl.yaml': envFile('etl-old') });
    expect((await ws.cli(['apply', '--auto-approve'])).code).toBe(0);
    const [before] = await ws.live();
    const agent = await makeAgent(ws.sdk());
    const session = await ws
      .sdk()
      .beta.sessions.create({ agent: agent.id, environment_id: before?.id as string });

    ws.files({ 'etl.yaml': renamed('etl', ['etl-old']) });
    const plan = JSON.parse((await ws.cli(['plan', '--format', 'json'])).stdout) as Plan;
    expect(plan.actions.map((a) => [a.kind, a.name, 'env_id' in a ? a.env_id : null])).toEqual([
      ['update', 'etl', before?.id],
    ]);
    expect(plan.actions[0]?.changes).toEqual([{ op: 'set', path: 'name', before: 'etl-old', after: 'etl' }]);
    expect((await ws.cli(['plan'])).stdout).toContain('~ name: "etl-old" → "etl"');
    expect((await ws.cli(['apply', '--auto-approve'])).code).toBe(0);

    const after = await ws.live();
    expect(after.map((e) => [e.id, e.name])).toEqual([[before?.id, 'etl']]);
    expect((await ws.cli(['plan', '--detailed-exitcode'])).code).toBe(0);
    const resolved = JSON.parse(
      (await ws.cli(['resolve', '--session', session.id, '--format', 'json'])).stdout,
    );
    expect(resolved).toMatchObject({ env_id: before?.id, name: 'etl-old', changed_since: false });
    const history = JSON.parse((await ws.cli(['history', 'etl', '--format', 'json'])).stdout) as {
      entries: { op: string }[];
    };
    // The rename is one step: apply writes no update after it (and an old changelog's is not shown).
    expect(history.entries.map((e) => e.op)).toEqual(['create', 'rename']);
    expect((await ws.cli(['history', 'etl-old'])).stdout).toContain('etl');
    const then = new Date(Date.parse(resolved.created_at)).toISOString();
    const old = await ws.cli(['resolve', 'etl-old', '--at', then]);
    expect(old.code, old.stderr).toBe(0);
    expect(old.stdout).toContain(before?.id as string);
    // The new name, asked about a time before the rename: the same ID, served under its old name.
    const renamedThen = await ws.cli(['resolve', 'etl', '--at', then]);
    expect(renamedThen.code, renamedThen.stderr).toBe(0);
    expect(renamedThen.stdout).toContain(before?.id as string);
    expect(renamedThen.stdout).toMatch(/served as\s+etl-old \(renamed to etl later\)/);
    const json = JSON.parse((await ws.cli(['resolve', 'etl', '--at', then, '--format', 'json'])).stdout);
    expect(json).toMatchObject({ env_id: before?.id, served_as: 'etl-old' });
    expect((await ws.cli(['resolve', 'etl', '--at', 'now', '--format', 'json'])).stdout).toContain(
      '"served_as": null',
    );
    expect((await ws.cli(['verify', '--live'])).code).toBe(0);

    // Every name at once: the renamed environment once, under its current name; the page counts one ID.
    const all = await ws.cli(['history']);
    // Its heading and its two steps: listed under each name, it would appear twice as often.
    expect(all.stdout.match(new RegExp(before?.id as string, 'g'))?.length).toBe(3);
    expect(all.stdout).not.toMatch(/^etl-old/m);
    const page = await ws.cli(['history', '--format', 'html', '--out', '-']);
    expect(page.stdout).toContain('1 environment · 1 env ID · 2 steps');
    const oldPage = await ws.cli(['history', 'etl-old', '--format', 'html', '--out', '-']);
    expect(oldPage.stdout).toContain('now etl · 2 steps');
  });

  it('a rename with a config change: one update, same ID', async () => {
    ws.files({ 'a.yaml': pipEnv('a', ['pandas==2.2.0']) });
    expect((await ws.cli(['apply', '--auto-approve'])).code).toBe(0);
    const [a] = await ws.live();
    ws.files({ 'a.yaml': pipEnv('b', ['pandas==2.2.1'], 'lifecycle: {previous_names: [a]}\n') });
    expect((await ws.cli(['apply', '--auto-approve'])).code).toBe(0);
    const [b] = await ws.live();
    expect([b?.id, b?.name, b?.config.type === 'cloud' && b.config.packages.pip]).toEqual([
      a?.id,
      'b',
      ['pandas==2.2.1'],
    ]);
    expect((await ws.cli(['plan', '--detailed-exitcode'])).code).toBe(0);
  });

  it('swaps two names in one plan, through a temporary name, keeping both IDs', async () => {
    const ids = await swapLeftAndRight(ws);
    const r = await ws.cli(['apply', '--auto-approve']);
    expect(r.code, r.stderr).toBe(0);
    const now = Object.fromEntries((await ws.live()).map((e) => [e.name, [e.id, e.description]]));
    expect(now).toEqual({ right: [ids.left, 'L'], left: [ids.right, 'R'] });
    expect((await ws.cli(['plan', '--detailed-exitcode'])).code).toBe(0);
  });

  it('runs a chain of renames (a → b, b → c) in the order that frees each name', async () => {
    ws.files({ 'a.yaml': envFile('a', 'description: A\n'), 'b.yaml': envFile('b', 'description: B\n') });
    expect((await ws.cli(['apply', '--auto-approve'])).code).toBe(0);
    const ids = Object.fromEntries((await ws.live()).map((e) => [e.name, e.id]));
    ws.files({
      'a.yaml': renamed('b', ['a'], 'description: A\n'),
      'b.yaml': renamed('c', ['b'], 'description: B\n'),
    });
    const r = await ws.cli(['apply', '--auto-approve', '--parallelism', '1']);
    expect(r.code, r.stderr).toBe(0);
    expect(Object.fromEntries((await ws.live()).map((e) => [e.name, e.id]))).toEqual({ b: ids.a, c: ids.b });
    expect((await ws.cli(['plan', '--detailed-exitcode'])).code).toBe(0);
  });

  it('a done swap stays done when the files move, and a swap inside one file works', async () => {
    ws.files({ 'both.yaml': `${envFile('p', 'description: P\n')}---\n${envFile('q', 'description: Q\n')}` });
    expect((await ws.cli(['apply', '--auto-approve'])).code).toBe(0);
    const ids = Object.fromEntries((await ws.live()).map((e) => [e.name, e.id]));
    ws.files({
      'both.yaml': `${renamed('q', ['p'], 'description: P\n')}---\n${renamed('p', ['q'], 'description: Q\n')}`,
    });
    expect((await ws.cli(['apply', '--auto-approve'])).code).toBe(0);
    const swapped = Object.fromEntries((await ws.live()).map((e) => [e.name, [e.id, e.description]]));
    expect(swapped).toEqual({ q: [ids.p, 'P'], p: [ids.q, 'Q'] });
    // The same documents in another file: nothing to do.
    ws.files({
      'both.yaml': null,
      'moved.yaml': `${renamed('q', ['p'], 'description: P\n')}---\n${renamed('p', ['q'], 'description: Q\n')}`,
    });
    const again = await ws.cli(['plan', '--detailed-exitcode']);
    expect([again.code, again.stdout.trim()]).toEqual([0, 'No changes.']);
  });

  it('a swap where one side is also recreated: its old environment is parked first, then the rename, then the recreate', async () => {
    const RECREATE = 'lifecycle:\n  on_config_change: recreate\n';
    const swapped = (name: string, pkg: string, old: string) =>
      pipEnv(name, [pkg], `lifecycle:\n  on_config_change: recreate\n  previous_names: [${old}]\n`);
    ws.files({ 'x.yaml': pipEnv('left', ['a==1'], RECREATE), 'y.yaml': pipEnv('right', ['b==1'], RECREATE) });
    expect((await ws.cli(['apply', '--auto-approve'])).code).toBe(0);
    const ids = Object.fromEntries((await ws.live()).map((e) => [e.name, e.id]));
    // x.yaml's environment takes the name right with a new config (a recreate); y.yaml's takes left.
    ws.files({ 'x.yaml': swapped('right', 'a==2', 'left'), 'y.yaml': swapped('left', 'b==1', 'right') });
    const r = await ws.cli(['apply', '--auto-approve']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('Apply complete: 0 created, 1 updated, 1 recreated, 0 archived, 0 failed.');
    const live = Object.fromEntries((await ws.live()).map((e) => [e.name, e.id]));
    expect(live.left).toBe(ids.right);
    expect([ids.left, ids.right]).not.toContain(live.right);
    expect((await ws.live(true)).find((e) => e.id === ids.left)?.archived_at).not.toBeNull();
    expect((await ws.cli(['plan', '--detailed-exitcode'])).code).toBe(0);
    expect((await ws.cli(['verify', '--live'])).code).toBe(0);
    const history = JSON.parse((await ws.cli(['history', 'right', '--format', 'json'])).stdout) as {
      entries: { op: string; env_id: string }[];
    };
    expect(history.entries.filter((e) => e.env_id === ids.left).map((e) => e.op)).toEqual([
      'create',
      'rename',
      'archive',
    ]);
  });

  it('a swap that stops after its park: the parked name is recorded, and the next apply finishes the swap', async () => {
    const ids = await swapLeftAndRight(ws);
    // The first update parks one member; the second, the other member's rename, is refused.
    let updates = 0;
    const r = await ws.applyThrough((method, p) =>
      method === 'POST' && /^\/v1\/environments\/env_[^/]+$/.test(p) && ++updates === 2 ? 400 : undefined,
    );
    expect(r.code, r.stderr).toBe(1);
    expect((await ws.live()).some((e) => e.name.includes('~'))).toBe(true);
    const verify = await ws.cli(['verify', '--live']);
    expect(verify.code, verify.stdout + verify.stderr).toBe(0);
    expect((await ws.cli(['apply', '--auto-approve'])).code).toBe(0);
    const now = Object.fromEntries((await ws.live()).map((e) => [e.name, e.id]));
    expect(now).toEqual({ right: ids.left, left: ids.right });
    expect((await ws.cli(['plan', '--detailed-exitcode'])).code).toBe(0);
    expect((await ws.cli(['verify', '--live'])).code).toBe(0);
  });

  it('--target with the old name never archives what a rename takes over', async () => {
    ws.files({ 'a.yaml': envFile('a') });
    expect((await ws.cli(['apply', '--auto-approve'])).code).toBe(0);
    ws.files({ 'a.yaml': renamed('a2', ['a']) });
    const plan = JSON.parse((await ws.cli(['plan', '--target', 'a', '--format', 'json'])).stdout) as Plan;
    expect(plan.actions.filter((x) => x.kind === 'archive')).toEqual([]);
  });

  it('an old name claimed by two files, or still a current name, is a validation error with both places', async () => {
    ws.files({
      'a.yaml': renamed('new-a', ['old']),
      'b.yaml': renamed('new-b', ['old']),
      'c.yaml': renamed('c', ['kept']),
      'd.yaml': envFile('kept'),
    });
    const r = await ws.cli(['validate', '--format', 'json']);
    expect(r.code).toBe(1);
    const rows = (
      JSON.parse(r.stdout) as {
        diagnostics: { file: string; line: number; column: number; message: string }[];
      }
    ).diagnostics.map((d) => `${d.file}:${d.line}:${d.column} ${d.message}`);
    expect(rows).toEqual([
      'environments/a.yaml:3:20 previous name "old" is claimed by "new-a" and by "new-b" at environments/b.yaml:3:20',
      'environments/b.yaml:3:20 previous name "old" is claimed by "new-b" and by "new-a" at environments/a.yaml:3:20',
      'environments/c.yaml:3:20 previous name "kept" is still the name of the environment at environments/d.yaml:1:7',
    ]);
  });
});
