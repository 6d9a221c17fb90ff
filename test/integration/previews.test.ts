// Previews (DESIGN §14) against the emulator: `preview up` copies named <name>--<ID>, `down`, `gc`, the names
// refused up front, and the main plan, apply, status, verify --live and history never seeing a preview.

import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { configHash, normalizeConfig } from '../../src/hash/config-hash.js';
import type { ChangelogEntry, Plan } from '../../src/model.js';
import { ROOT, tempDir } from '../helpers/cli.js';
import { makeAgent } from '../helpers/emulator-refs.js';
import type { HookAnswer } from '../helpers/hook-proxy.js';
import { envFile, pipEnv, Workspace } from '../helpers/workspace.js';

interface Row {
  name: string;
  preview_id: string;
  preview_name: string;
  env_id: string | null;
  expires: string | null;
  action: string;
}
interface PreviewDoc {
  status: string;
  environments: Row[];
  archived: Row[];
  no_expiry: Row[];
}

describe('previews', () => {
  let ws: Workspace;
  beforeEach(async () => {
    ws = await Workspace.start();
  });
  afterEach(() => ws.close());

  const ok = async (args: string[]) => {
    const r = await ws.cli(args);
    expect(r.code, r.stderr + r.stdout).toBe(0);
    return r;
  };
  const preview = async (...args: string[]) =>
    JSON.parse((await ok(['preview', ...args, '--format', 'json'])).stdout) as PreviewDoc;
  /** name → live environment, archived ones too. */
  const byName = async () => Object.fromEntries((await ws.live(true)).map((e) => [e.name, e]));
  const plan = async () => JSON.parse((await ok(['plan', '--format', 'json'])).stdout) as Plan;
  const setTag = (id: string, key: string, value: string | null) =>
    ws.sdk().beta.environments.update(id, { metadata: { [key]: value } as Record<string, string> });

  it('up: a copy <name>--<ID> of each environment, tagged; name → env ID as text and JSON', async () => {
    ws.files({ 'data.yaml': pipEnv('data', ['pandas==2.2.0'], 'metadata: {team: research}\n') });
    ws.files({ 'web.yaml': envFile('web') });
    await ok(['apply', '--auto-approve']);
    const text = await ok(['preview', 'up', '--id', 'pr-7', '--ttl', '2d']);
    const live = await byName();
    const copy = live['data--pr-7'];
    expect(copy).toBeDefined();
    // Same config hash as the environment it copies; the preview tags beside the ownership tags.
    expect(copy?.metadata).toMatchObject({
      team: 'research',
      envsync_managed: 'test-project',
      envsync_config_hash: live.data?.metadata.envsync_config_hash,
      envsync_preview: 'pr-7',
    });
    const expires = Date.parse(copy?.metadata.envsync_expires as string);
    expect(expires - Date.now()).toBeGreaterThan(47 * 3600_000);
    expect(expires - Date.now()).toBeLessThanOrEqual(48 * 3600_000);
    expect(text.stdout).toMatch(new RegExp(`data +data--pr-7 +${copy?.id} +\\S+Z +created`));
    expect(text.stdout).toMatch(new RegExp(`web +web--pr-7 +${live['web--pr-7']?.id} +\\S+Z +created`));

    const doc = await preview('up', '--id', 'pr-7');
    expect(doc.status).toBe('applied');
    expect(doc.environments.map((r) => [r.name, r.preview_name, r.env_id, r.action])).toEqual([
      ['data', 'data--pr-7', copy?.id, 'extended'],
      ['web', 'web--pr-7', live['web--pr-7']?.id, 'extended'],
    ]);
    // The main side does not see them at all.
    expect((await ws.cli(['plan', '--detailed-exitcode'])).code).toBe(0);
    expect((await plan()).actions.map((a) => a.name)).toEqual(['data', 'web']);
  });

  it('resolve --session on a preview copy names the copy and the config the preview run gave it', async () => {
    ws.files({ 'data.yaml': pipEnv('data', ['pandas==2.2.0']) });
    await ok(['apply', '--auto-approve']);
    ws.files({ 'data.yaml': pipEnv('data', ['pandas==2.2.1']) });
    await preview('up', '--id', 'pr-9');
    const copy = (await byName())['data--pr-9'];
    const client = ws.sdk();
    const agent = await makeAgent(client);
    const session = await client.beta.sessions.create({
      agent: agent.id,
      environment_id: copy?.id as string,
    });
    const doc = JSON.parse((await ok(['resolve', '--session', session.id, '--format', 'json'])).stdout);
    expect(doc).toMatchObject({
      name: 'data--pr-9',
      env_id: copy?.id,
      config_hash: copy?.metadata.envsync_config_hash,
      config: { packages: { pip: ['pandas==2.2.1'] } },
    });
  });

  it('a second up updates in place, keeps the IDs and moves the expiry on, also for copies left as they are', async () => {
    ws.files({ 'a.yaml': pipEnv('a', ['x==1']), 'b.yaml': envFile('b') });
    const first = await preview('up', '--id', 'pr-1', '--ttl', '1h');
    const ids = Object.fromEntries(first.environments.map((r) => [r.name, r.env_id]));
    ws.files({ 'a.yaml': pipEnv('a', ['x==2']) });
    const second = await preview('up', '--id', 'pr-1', '--ttl', '3d');
    expect(second.environments.map((r) => [r.name, r.env_id, r.action])).toEqual([
      ['a', ids.a, 'update'],
      ['b', ids.b, 'extended'],
    ]);
    const live = await byName();
    expect(live['a--pr-1']?.config).toMatchObject({ packages: { pip: ['x==2'] } });
    for (const name of ['a--pr-1', 'b--pr-1']) {
      const expires = Date.parse(live[name]?.metadata.envsync_expires as string);
      expect(expires - Date.now(), name).toBeGreaterThan(71 * 3600_000);
    }
    // Both recorded in the changelog as preview runs: an update, and an expiry extended.
    const steps = ws.entries().filter((e) => e.env_id === ids.b);
    expect(steps.map((e) => [e.op, e.detail])).toEqual([
      ['create', null],
      ['update', expect.stringMatching(/^preview expiry extended to \d{4}-.*Z$/)],
    ]);
  });

  it('a preview ID that would make a name too long is refused up front: nothing sent, nothing recorded', async () => {
    const long = 'n'.repeat(200);
    ws.files({ 'long.yaml': envFile(long), 'short.yaml': envFile('short') });
    const id = 'p'.repeat(60);
    const requests: string[] = [];
    const r = await ws.cliThrough(
      (method, p) => {
        requests.push(`${method} ${p}`);
        return 'forward';
      },
      ['preview', 'up', '--id', id],
    );
    expect(requests).toEqual([]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('error[not_previewable]');
    expect(r.stderr).toContain('environments/long.yaml:1');
    expect(r.stderr).toContain('gives a preview name of 262 characters');
    expect(r.stderr).not.toContain('short.yaml');
    expect(await ws.live(true)).toEqual([]);
    expect(ws.runFiles()).toEqual([]);
    // An invalid ID or TTL is refused the same way.
    for (const args of [
      ['--id', 'PR-1'],
      ['--id', 'pr-1', '--ttl', '100d'],
    ]) {
      const bad = await ws.cli(['preview', 'up', ...args]);
      expect(bad.code).toBe(1);
      expect(bad.stderr).toMatch(/error\[(invalid_preview_id|invalid_ttl)\]/);
    }
    expect(await ws.live(true)).toEqual([]);
  });

  it('down archives that ID’s previews only, renamed <name>--<ID>~hash8, and records it; --dry-run changes nothing', async () => {
    ws.files({ 'a.yaml': envFile('a') });
    await ok(['apply', '--auto-approve']);
    await preview('up', '--id', 'pr-1');
    await preview('up', '--id', 'pr-2');
    const dry = await preview('down', '--id', 'pr-1', '--dry-run');
    expect(dry.archived.map((r) => r.preview_name)).toEqual(['a--pr-1']);
    expect(Object.keys(await byName()).sort()).toEqual(['a', 'a--pr-1', 'a--pr-2']);
    const runs = ws.runFiles().length;

    const down = await preview('down', '--id', 'pr-1');
    expect(down.archived.map((r) => r.preview_name)).toEqual(['a--pr-1']);
    const live = await byName();
    const archived = Object.keys(live).filter((n) => live[n]?.archived_at);
    expect(archived).toEqual([expect.stringMatching(/^a--pr-1~[0-9a-f]{8}$/)]);
    expect(live.a?.archived_at).toBeNull();
    expect(live['a--pr-2']?.archived_at).toBeNull();
    expect(ws.runFiles()).toHaveLength(runs + 1);
    const begin = ws
      .entries()
      .filter((e) => e.op === 'begin')
      .at(-1) as ChangelogEntry;
    expect(JSON.parse(begin.detail as string)).toMatchObject({
      kind: 'preview',
      action: 'down',
      preview_ids: ['pr-1'],
      archive: 1,
    });
    // Nothing left of pr-1: a second down archives nothing and writes no run file.
    const again = await preview('down', '--id', 'pr-1');
    expect([again.status, again.archived]).toEqual(['unchanged', []]);
    expect(ws.runFiles()).toHaveLength(runs + 1);
  });

  it('gc archives every expired preview of this project, and only those: not live ones, not another project’s, not one whose expiry cannot be read', async () => {
    ws.files({ 'a.yaml': envFile('a') });
    await ok(['apply', '--auto-approve']);
    await preview('up', '--id', 'old');
    await preview('up', '--id', 'new');
    await preview('up', '--id', 'odd');
    // Another project's expired preview, with the same tags but its owner's.
    const other = await ws.sdk().beta.environments.create({
      name: 'theirs--old',
      metadata: {
        envsync_managed: 'other-project',
        envsync_config_hash: 'sha256:0',
        envsync_preview: 'old',
        envsync_expires: '2020-01-01T00:00:00Z',
      },
    });
    const live = await byName();
    await setTag(live['a--old']?.id as string, 'envsync_expires', '2020-01-01T00:00:00Z');
    await setTag(live['a--odd']?.id as string, 'envsync_expires', 'next tuesday');

    const dry = await preview('gc', '--dry-run');
    expect(dry.archived.map((r) => r.preview_name)).toEqual(['a--old']);
    expect((await byName())['a--old']?.archived_at).toBeNull();

    const gc = await preview('gc');
    expect(gc.archived.map((r) => [r.preview_name, r.preview_id, r.expires])).toEqual([
      ['a--old', 'old', '2020-01-01T00:00:00Z'],
    ]);
    expect(gc.no_expiry.map((r) => r.preview_name)).toEqual(['a--odd']);
    const after = await byName();
    const active = Object.keys(after).filter((n) => after[n]?.archived_at === null);
    expect(active.sort()).toEqual(['a', 'a--new', 'a--odd', 'theirs--old']);
    expect(after['theirs--old']?.id).toBe(other.id);
    const text = await ok(['preview', 'gc']);
    expect(text.stdout).toContain('No expired previews.');
    expect(text.stdout).toContain('a--odd');
  });

  it('the main plan, apply, status, verify --live and history are unaffected by previews', async () => {
    ws.files({ 'a.yaml': envFile('a'), 'b.yaml': envFile('b') });
    await ok(['apply', '--auto-approve']);
    await preview('up', '--id', 'pr-3');
    // A file removed: the main plan archives its environment, never its preview.
    ws.files({ 'b.yaml': null });
    const p = await plan();
    expect(p.actions.map((a) => [a.kind, a.name])).toEqual([
      ['noop', 'a'],
      ['archive', 'b'],
    ]);
    await ok(['apply', '--auto-approve']);
    const live = await byName();
    expect(live['b--pr-3']?.archived_at).toBeNull();
    expect(live['a--pr-3']?.archived_at).toBeNull();
    // Drift on a preview (a console edit) is nobody's drift.
    await ws.sdk().beta.environments.update(live['a--pr-3']?.id as string, {
      config: { type: 'cloud', packages: { pip: ['requests==2.32.0'] } },
    });
    expect((await ws.cli(['plan', '--detailed-exitcode'])).code).toBe(0);
    const status = JSON.parse((await ok(['status', '--format', 'json'])).stdout) as {
      environments: { name: string; state: string }[];
    };
    expect(status.environments.map((e) => [e.name, e.state])).toEqual([['a', 'in_sync']]);
    const verify = await ok(['verify', '--live']);
    expect(verify.stdout + verify.stderr).toContain('1 live managed environment compared');
    const history = await ok(['history']);
    expect(history.stdout).not.toContain('--pr-3');
    const names = (
      JSON.parse((await ok(['history', '--format', 'json'])).stdout) as {
        entries: { environment: string }[];
      }
    ).entries.map((e) => e.environment);
    expect([...new Set(names)].sort()).toEqual(['a', 'b']);
    // A copy's name is no name of the main history.
    const copy = await ws.cli(['history', 'a--pr-3']);
    expect([copy.code, copy.stderr]).toEqual([1, expect.stringContaining('error[unknown_name]')]);
    // Nor is a copy an environment of the files to export.
    const exported = await ok(['export', '--out', 'exported']);
    expect(exported.stdout + exported.stderr).toContain('a--pr-3');
    expect(exported.stdout + exported.stderr).toContain('a preview copy (preview pr-3)');
    const previews = await ok(['history', '--previews']);
    expect(previews.stdout).toContain('a--pr-3');
    expect(previews.stdout).toContain('b--pr-3');
    const ofA = await ok(['history', '--previews', 'a']);
    expect(ofA.stdout).toContain('a--pr-3');
    expect(ofA.stdout).not.toContain('b--pr-3');
    // ping counts the copies apart from the environments of the files (a, and b archived).
    const ping = await ok(['ping']);
    expect(ping.stdout).toContain('can see     2 of this project (and 2 preview copies), 0 unmanaged');
    const pingDoc = JSON.parse((await ok(['ping', '--format', 'json'])).stdout) as {
      environments: { this_project: number; previews: number };
    };
    expect(pingDoc.environments).toMatchObject({ this_project: 2, previews: 2 });
    // forget is for the main history: a copy is the preview's, and `preview down` removes it.
    const forget = await ws.cli(['forget', 'a--pr-3']);
    expect([forget.code, forget.stderr]).toEqual([
      1,
      expect.stringContaining('is a copy made by preview pr-3'),
    ]);
    expect(forget.stderr).toContain('envsync preview down --id pr-3');
    expect((await byName())['a--pr-3']?.metadata.envsync_preview).toBe('pr-3');
  });

  it('previews made from another checkout are never "behind" and never findings: apply goes on, verify --live stays clean', async () => {
    ws.files({ 'a.yaml': envFile('a') });
    await ok(['apply', '--auto-approve']);
    // A CI job's changelog (not this one) made the previews: this changelog never heard of them.
    await ok(['--changelog', path.join(ws.dir, 'elsewhere'), 'preview', 'up', '--id', 'pr-9']);
    ws.files({ 'b.yaml': envFile('b') });
    const r = await ok(['apply', '--auto-approve']);
    expect(r.stderr).not.toContain('changelog_behind');
    expect(r.stdout).toContain('1 created');
    const created = ws.entries().filter((e) => e.op !== 'begin' && e.op !== 'end');
    expect(created.map((e) => [e.op, e.name])).toEqual([
      ['create', 'a'],
      ['create', 'b'],
    ]);
    expect((await ws.cli(['verify', '--live'])).code).toBe(0);
  });

  it('a name a live preview holds is refused by the main plan (exit 3), and a preview never takes a name held by anything else', async () => {
    ws.files({ 'a.yaml': envFile('a') });
    await preview('up', '--id', 'x');
    ws.files({ 'clash.yaml': envFile('a--x') });
    const p = await ws.cli(['plan']);
    expect(p.code).toBe(3);
    expect(p.stderr).toContain('error[preview_conflict]');
    expect(p.stderr).toContain('preview down --id x');
    expect((await ws.cli(['apply', '--auto-approve'])).code).toBe(3);
    expect(Object.keys(await byName()).sort()).toEqual(['a--x']);

    // The other way round: `b--y` is an environment of the files; preview y of `b` would take its name.
    ws.files({ 'clash.yaml': null, 'b.yaml': envFile('b'), 'b-y.yaml': envFile('b--y') });
    await ok(['apply', '--auto-approve']);
    const before = await byName();
    const up = await ws.cli(['preview', 'up', '--id', 'y']);
    expect(up.code).toBe(3);
    expect(up.stderr).toContain('error[preview_conflict]');
    expect(up.stderr).toContain(`b--y is held by ${before['b--y']?.id}, an environment of this project`);
    const after = await byName();
    expect(after['b--y']).toEqual(before['b--y']);
    expect(after['a--y']).toBeUndefined();
  });

  it('--only-changed previews what the branch changed: its file or a base it extends; what is no longer changed is archived', async () => {
    const git = (...args: string[]) => execFileSync('git', args, { cwd: ws.dir, encoding: 'utf8' });
    mkdirSync(path.join(ws.envDir, 'bases'));
    writeFileSync(
      path.join(ws.envDir, 'bases/py.yaml'),
      'base: true\nconfig:\n  type: cloud\n  packages:\n    pip: [x==1]\n',
    );
    ws.files({
      'a.yaml': envFile('a', 'extends: bases/py.yaml\n'),
      'b.yaml': envFile('b'),
      'c.yaml': envFile('c'),
    });
    git('init', '--quiet', '-b', 'main');
    git('-c', 'user.email=t@t', '-c', 'user.name=t', 'add', '.');
    git('-c', 'user.email=t@t', '-c', 'user.name=t', 'commit', '--quiet', '-m', 'base');
    git('checkout', '--quiet', '-b', 'feature');
    writeFileSync(
      path.join(ws.envDir, 'bases/py.yaml'),
      readFileSync(path.join(ws.envDir, 'bases/py.yaml'), 'utf8').replace('x==1', 'x==2'),
    );
    git('-c', 'user.email=t@t', '-c', 'user.name=t', 'commit', '--quiet', '-am', 'base bump');
    // Not committed yet: still part of what the branch changes.
    ws.files({ 'b.yaml': envFile('b', 'description: edited\n') });

    const r = await ws.cli([
      'preview',
      'up',
      '--id',
      'pr-5',
      '--only-changed',
      '--base-ref',
      'main',
      '--format',
      'json',
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('--only-changed: 2 of 3 environments differ from main');
    const doc = JSON.parse(r.stdout) as PreviewDoc;
    expect(doc.environments.map((e) => e.preview_name)).toEqual(['a--pr-5', 'b--pr-5']);
    expect((await byName())['a--pr-5']?.config).toMatchObject({ packages: { pip: ['x==2'] } });

    // b's edit is undone: its preview is archived by the next up, a's stays.
    ws.files({ 'b.yaml': envFile('b') });
    const next = await preview('up', '--id', 'pr-5', '--only-changed', '--base-ref', 'main');
    expect(next.environments.map((e) => [e.preview_name, e.action])).toEqual([['a--pr-5', 'extended']]);
    expect(next.archived.map((e) => e.preview_name)).toEqual(['b--pr-5']);

    const missing = await ws.cli(['preview', 'up', '--id', 'pr-5', '--only-changed', '--base-ref', 'nosuch']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('error[no_base_ref]');
    const stray = await ws.cli(['preview', 'up', '--id', 'pr-5', '--base-ref', 'main']);
    expect([stray.code, stray.stderr]).toEqual([1, expect.stringContaining('error[conflicting_flags]')]);
  });

  it('an archived copy’s name is still taken: the main plan retires an environment under another name', async () => {
    ws.files({ 'a.yaml': envFile('a') });
    await preview('up', '--id', 'x');
    await preview('down', '--id', 'x');
    const [held] = (await ws.live(true)).map((e) => e.name);
    expect(held).toMatch(/^a--x~[0-9a-f]{8}$/);
    // The same name and config as the copy had, now an environment of the files, then removed from them.
    ws.files({ 'a.yaml': null, 'ax.yaml': envFile('a--x') });
    await ok(['apply', '--auto-approve']);
    ws.files({ 'ax.yaml': null, 'b.yaml': envFile('b') });
    await ok(['apply', '--auto-approve']);
    const names = (await ws.live(true)).map((e) => e.name).sort();
    expect(names).toEqual([held, `${held}-2`, 'b']);
  });

  it('--workspace: a workspace’s previews are its own, in its namespace and its changelog', async () => {
    writeFileSync(
      path.join(ws.dir, 'envsync.yaml'),
      'project: agents\nworkspaces:\n  staging:\n    workspace_id: wrkspc_01S\n    dirs: [environments/staging]\n  production:\n    workspace_id: wrkspc_01P\n    dirs: [environments/production]\n',
    );
    for (const d of ['staging', 'production']) mkdirSync(path.join(ws.envDir, d));
    writeFileSync(path.join(ws.envDir, 'staging/s.yaml'), envFile('s'));
    writeFileSync(path.join(ws.envDir, 'production/p.yaml'), envFile('p'));
    await ok(['--workspace', 'production', 'apply', '--auto-approve']);
    const up = await preview('--workspace', 'staging', 'up', '--id', 'pr-1');
    expect(up.environments.map((e) => e.preview_name)).toEqual(['s--pr-1']);
    const namesIn = (workspaceId: string) => ws.namesIn(workspaceId);
    expect(await namesIn('wrkspc_01S')).toEqual(['s--pr-1']);
    expect(await namesIn('wrkspc_01P')).toEqual(['p']);
    expect(readdirSync(path.join(ws.changelog, 'staging'))).toHaveLength(1);
    expect((await ws.cli(['--workspace', 'production', 'plan', '--detailed-exitcode'])).code).toBe(0);
    // Down in the other workspace finds nothing of it.
    expect((await preview('--workspace', 'production', 'down', '--id', 'pr-1')).archived).toEqual([]);
    expect(await namesIn('wrkspc_01S')).toEqual(['s--pr-1']);
  });

  it('a saved plan is stale once a preview took a name it expects free', async () => {
    ws.files({ 'a.yaml': envFile('a'), 'clash.yaml': envFile('a--x') });
    await ok(['plan', '--out', 'plan.json']);
    ws.files({ 'clash.yaml': null });
    await preview('up', '--id', 'x');
    const r = await ws.cli(['apply', '--plan', 'plan.json']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('error[stale_plan]');
    expect(r.stderr).toContain('an environment named a--x appeared');
  });

  it('a create that collides with a preview copy of the same config never takes the copy for its own', async () => {
    ws.files({ 'clash.yaml': envFile('a--x') });
    const sdk = ws.sdk();
    let copyId = '';
    // Between the plan and the create, a preview copy with the same config (so the same hash tag) takes the name.
    const r = await ws.cliThrough(
      async (method, p): Promise<HookAnswer> => {
        if (method !== 'POST' || p !== '/v1/environments' || copyId !== '') return 'forward';
        const copy = await sdk.beta.environments.create({
          name: 'a--x',
          metadata: {
            envsync_managed: 'test-project',
            envsync_config_hash: configHash(normalizeConfig({})),
            envsync_preview: 'x',
            envsync_expires: '2099-01-01T00:00:00Z',
          },
        });
        copyId = copy.id;
        return 'forward';
      },
      ['apply', '--auto-approve'],
    );
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('error[name_taken]');
    expect(ws.entries().some((e) => e.env_id === copyId)).toBe(false);
  });

  it('every write is checked: a create answered without the preview tag stops the run, nothing recorded as made', async () => {
    ws.files({ 'a.yaml': envFile('a'), 'b.yaml': envFile('b') });
    const r = await ws.cliThrough(
      (method, p) =>
        method === 'POST' && p === '/v1/environments'
          ? {
              rewrite: (body) => {
                const env = body as { metadata: Record<string, string> };
                const { envsync_preview: _, ...rest } = env.metadata;
                return { ...env, metadata: rest };
              },
            }
          : 'forward',
      ['preview', 'up', '--id', 'pr-1', '--parallelism', '1'],
    );
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('error[api_untrusted]');
    expect(r.stderr).toContain('without the tag envsync_preview: "pr-1"');
    // The lookup found the truth (the tag is there): recorded as made; the second create was never sent.
    const live = await ws.live();
    expect(live.map((e) => e.name)).toEqual(['a--pr-1']);
    expect(
      ws
        .entries()
        .filter((e) => e.op === 'create')
        .map((e) => e.name),
    ).toEqual(['a--pr-1']);
  });

  it('an expiry extension answered without the new expiry stops the run', async () => {
    ws.files({ 'a.yaml': envFile('a') });
    const first = await preview('up', '--id', 'pr-1', '--ttl', '1h');
    const r = await ws.cliThrough(
      (method, p) =>
        method === 'POST' && p === `/v1/environments/${first.environments[0]?.env_id}`
          ? {
              rewrite: (body) => {
                const env = body as { metadata: Record<string, string> };
                return { ...env, metadata: { ...env.metadata, envsync_expires: '2000-01-01T00:00:00Z' } };
              },
            }
          : 'forward',
      ['preview', 'up', '--id', 'pr-1', '--ttl', '3d'],
    );
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('error[api_untrusted]');
    expect(r.stderr).toContain('without the tag envsync_expires');
  });

  it('the README’s Previews commands, as written, on a clone whose branch changes one environment', async () => {
    const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    const start = readme.indexOf('## Previews\n');
    const text = readme.slice(start, readme.indexOf('\n## ', start + 1));
    const commands = [...text.matchAll(/```sh\n([\s\S]*?)```/g)]
      .flatMap((m) => (m[1] as string).split('\n'))
      .map((l) => l.replace(/#.*$/, '').trim())
      .filter((l) => l.startsWith('npx envsync '))
      .map((l) => l.slice('npx envsync '.length).split(/\s+/));
    expect(commands.map((c) => c.slice(0, 2).join(' '))).toEqual([
      'preview up',
      'preview down',
      'preview gc',
    ]);
    // A clone (so origin/HEAD is there, the default base) with a branch that changes b.
    ws.files({ 'a.yaml': envFile('a'), 'b.yaml': envFile('b') });
    const git = (cwd: string, ...args: string[]) =>
      execFileSync('git', ['-c', 'user.email=t@t', '-c', 'user.name=t', ...args], { cwd, encoding: 'utf8' });
    const origin = path.join(tempDir('envsync-origin-'), 'origin.git');
    git(ws.dir, 'init', '--quiet', '-b', 'main');
    git(ws.dir, 'add', '.');
    git(ws.dir, 'commit', '--quiet', '-m', 'environments');
    git(ws.dir, 'clone', '--quiet', '--bare', ws.dir, origin);
    git(ws.dir, 'remote', 'add', 'origin', origin);
    git(ws.dir, 'fetch', '--quiet', 'origin');
    git(ws.dir, 'remote', 'set-head', 'origin', 'main');
    git(ws.dir, 'checkout', '--quiet', '-b', 'feature');
    ws.files({ 'b.yaml': envFile('b', 'description: changed\n') });
    const results = [];
    for (const args of commands) results.push(await ok(args));
    expect(results[0]?.stdout).toMatch(/b +b--pr-42 +env_\S+ +\S+Z +created/);
    expect(results[1]?.stdout).toContain('Archived:');
    expect(results[1]?.stdout).toContain('b--pr-42');
    expect(results[2]?.stdout).toContain('No expired previews.');
    expect((await ws.live()).map((e) => e.name)).toEqual([]);
  });
});
