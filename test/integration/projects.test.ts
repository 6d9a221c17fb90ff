// Projects in one organization: ownership by project, legacy tags, sub-folders, and the project file's edges.

import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Plan } from '../../src/model.js';
import { baseEnv, runCli, tempDir } from '../helpers/cli.js';
import { envFile, pipEnv, TEST_KEY, TEST_PROJECT, Workspace } from '../helpers/workspace.js';

/** A second project folder in the same organization (the same emulator) as `ws`. */
function otherProject(ws: Workspace, project: string) {
  const dir = tempDir('envsync-other-');
  mkdirSync(path.join(dir, 'environments'));
  writeFileSync(path.join(dir, 'envsync.yaml'), `project: ${project}\n`);
  return {
    dir,
    files(files: Record<string, string>) {
      for (const [name, text] of Object.entries(files))
        writeFileSync(path.join(dir, 'environments', name), text);
    },
    cli: (args: string[]) =>
      runCli(['--base-url', ws.emu.url, ...args], {
        cwd: dir,
        env: baseEnv({ ANTHROPIC_API_KEY: TEST_KEY }),
      }),
  };
}

const planOf = (stdout: string) => JSON.parse(stdout) as Plan;

describe('two projects in one organization', () => {
  let ws: Workspace;
  beforeEach(async () => {
    ws = await Workspace.start();
  });
  afterEach(() => ws.close());

  it("status names another project's environment as such, not as missing", async () => {
    const b = otherProject(ws, 'team-b');
    b.files({ 'shared.yaml': envFile('shared') });
    expect((await b.cli(['apply', '--auto-approve'])).code).toBe(0);
    ws.files({ 'shared.yaml': envFile('shared') });
    const text = await ws.cli(['status']);
    expect(text.stdout).toMatch(/^shared\s+env_\S+\s+\S+\s+other project \(team-b\)$/m);
    const json = JSON.parse((await ws.cli(['status', '--format', 'json'])).stdout) as {
      environments: Array<{ name: string; state: string; owner: string | null; env_id: string | null }>;
    };
    expect(json.environments).toEqual([
      expect.objectContaining({
        name: 'shared',
        state: 'other_project',
        owner: 'team-b',
        env_id: expect.stringMatching(/^env_/),
      }),
    ]);
  });

  it('apply in turns for several rounds without ever planning an action on the other project', async () => {
    const b = otherProject(ws, 'team-b');
    ws.files({
      'a1.yaml': envFile('a-one'),
      'a2.yaml': pipEnv('a-two', ['pandas==2.2.0'], 'lifecycle: {prevent_archive: true}\n'),
    });
    b.files({ 'b1.yaml': envFile('b-one'), 'b2.yaml': envFile('b-two') });
    for (let round = 1; round <= 3; round++) {
      // Each side changes its own files every round; neither knows the other's names.
      ws.files({ 'a1.yaml': envFile('a-one', `description: round ${round}\n`) });
      b.files({ 'b1.yaml': envFile('b-one', `description: round ${round}\n`) });
      for (const side of [ws, b]) {
        const plan = planOf((await side.cli(['plan', '--format', 'json'])).stdout);
        const own = side === ws ? ['a-one', 'a-two'] : ['b-one', 'b-two'];
        expect(plan.actions.map((a) => a.name).sort()).toEqual(own);
        expect(plan.blocked).toEqual([]);
        expect((await side.cli(['apply', '--auto-approve'])).code).toBe(0);
      }
    }
    const live = await ws.live();
    expect(live.map((e) => e.name).sort()).toEqual(['a-one', 'a-two', 'b-one', 'b-two']);
    expect(Object.fromEntries(live.map((e) => [e.name, e.metadata.envsync_managed]))).toEqual({
      'a-one': TEST_PROJECT,
      'a-two': TEST_PROJECT,
      'b-one': 'team-b',
      'b-two': 'team-b',
    });
    // team-b removing every file archives only its own: a-two (prevent_archive) and a-one survive.
    // (A checkout of team-b's repository: it has team-b's changelog, or it would be behind.)
    const emptied = otherProject(ws, 'team-b');
    cpSync(path.join(b.dir, '.envsync'), path.join(emptied.dir, '.envsync'), { recursive: true });
    emptied.files({ 'keep.yaml': envFile('b-keep') });
    const r = await emptied.cli(['apply', '--auto-approve', '--max-archive', '10']);
    expect(r.code).toBe(0);
    expect((await ws.live()).map((e) => e.name).sort()).toEqual(['a-one', 'a-two', 'b-keep']);
  });

  it('blocks a name the other project owns (exit 3), names the owner, and writes nothing, even with --adopt', async () => {
    ws.files({ 'shared.yaml': envFile('shared') });
    expect((await ws.cli(['apply', '--auto-approve'])).code).toBe(0);
    const b = otherProject(ws, 'team-b');
    b.files({ 'shared.yaml': envFile('shared', 'description: theirs\n') });
    for (const extra of [[], ['--adopt']]) {
      const r = await b.cli(['apply', '--auto-approve', ...extra]);
      expect(r.code).toBe(3);
      expect(r.stdout + r.stderr).toContain(`belongs to project "${TEST_PROJECT}", not to project "team-b"`);
    }
    const [shared] = await ws.live();
    expect(shared?.description).toBeNull();
    expect(shared?.metadata.envsync_managed).toBe(TEST_PROJECT);
  });
});

describe('legacy ownership tags ("true", before projects)', () => {
  let ws: Workspace;
  beforeEach(async () => {
    ws = await Workspace.start();
  });
  afterEach(() => ws.close());

  it('upgrades one this changelog records, shown in the plan, and never touches one it does not', async () => {
    ws.files({ 'mine.yaml': envFile('mine') });
    expect((await ws.cli(['apply', '--auto-approve'])).code).toBe(0);
    const sdk = ws.sdk().beta.environments;
    const [mine] = await ws.live();
    await sdk.update(mine?.id as string, { metadata: { envsync_managed: 'true' } });
    const stranger = await sdk.create({
      name: 'stranger',
      metadata: {
        envsync_managed: 'true',
        envsync_config_hash: mine?.metadata.envsync_config_hash as string,
      },
    });

    const plan = await ws.cli(['plan']);
    expect(plan.stdout).toContain('~ metadata.envsync_managed: "true" → "test-project"');
    expect(plan.stdout).not.toContain('stranger');
    expect((await ws.cli(['apply', '--auto-approve'])).code).toBe(0);
    const after = new Map((await ws.live()).map((e) => [e.name, e]));
    expect(after.get('mine')?.metadata.envsync_managed).toBe(TEST_PROJECT);
    expect(after.get('stranger')?.metadata.envsync_managed).toBe('true');
    expect(after.get('stranger')?.updated_at).toBe(stranger.updated_at);
    expect(ws.entries().some((e) => e.env_id === stranger.id)).toBe(false);
    expect((await ws.cli(['plan', '--detailed-exitcode'])).code).toBe(0);

    // A file naming it is blocked with the owner named.
    ws.files({ 'stranger.yaml': envFile('stranger') });
    const blocked = await ws.cli(['plan']);
    expect(blocked.code).toBe(3);
    expect(blocked.stdout + blocked.stderr).toContain('before projects');
  });
});

describe('the project file', () => {
  let ws: Workspace;
  beforeEach(async () => {
    ws = await Workspace.start();
    ws.files({ 'a.yaml': envFile('a') });
  });
  afterEach(() => ws.close());

  it('is found from a sub-folder: the same files, changelog and lock', async () => {
    const sub = path.join(ws.envDir, 'nested');
    mkdirSync(sub);
    const r = await runCli(['--base-url', ws.emu.url, 'apply', '--auto-approve'], {
      cwd: sub,
      env: baseEnv({ ANTHROPIC_API_KEY: TEST_KEY }),
    });
    expect(r.code).toBe(0);
    expect(
      ws
        .entries()
        .filter((e) => e.op === 'create')
        .map((e) => e.name),
    ).toEqual(['a']);
    const again = await runCli(['--base-url', ws.emu.url, 'plan', '--detailed-exitcode'], {
      cwd: sub,
      env: baseEnv({ ANTHROPIC_API_KEY: TEST_KEY }),
    });
    expect([again.code, again.stdout.trim()]).toEqual([0, 'No changes.']);
  });

  it('is required to touch a real API, with the init hint; validate and --local work without one', async () => {
    const bare = tempDir('envsync-bare-');
    mkdirSync(path.join(bare, 'environments'));
    writeFileSync(path.join(bare, 'environments', 'x.yaml'), envFile('x'));
    const env = baseEnv({ ANTHROPIC_API_KEY: TEST_KEY });
    ws.emu.resetStats();
    for (const args of [
      ['plan'],
      ['apply', '--auto-approve'],
      ['status'],
      ['export'],
      ['verify', '--live'],
    ]) {
      const r = await runCli(['--base-url', ws.emu.url, ...args], { cwd: bare, env });
      expect(r.code, args.join(' ')).toBe(1);
      expect(r.stderr).toContain('error');
      expect(r.stderr).toContain('no envsync.yaml in');
      expect(r.stderr).toContain('envsync init');
    }
    expect(ws.emu.stats().requests).toBe(0);
    expect((await runCli(['validate'], { cwd: bare, env })).code).toBe(0);
    expect((await runCli(['--local', 'plan'], { cwd: bare, env })).code).toBe(0);
  });

  it('reports bad project files with file:line:column, before any API call', async () => {
    writeFileSync(
      path.join(ws.dir, 'envsync.yaml'),
      'project: Team A\nworkspaces:\n  staging:\n    workspace_id: nope\n    dirz: [x]\n',
    );
    ws.emu.resetStats();
    const r = await ws.cli(['plan']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('error    envsync.yaml:1:10  project  "Team A" is not a valid name');
    expect(r.stderr).toContain(
      'error    envsync.yaml:4:19  workspaces.staging.workspace_id  "nope" is not a workspace ID',
    );
    expect(r.stderr).toContain('error    envsync.yaml:5:5  workspaces.staging.dirz  unknown key "dirz"');
    expect(r.stderr).toContain('did you mean "dirs"?');
    expect(ws.emu.stats().requests).toBe(0);
  });
});

describe('apply flags', () => {
  let ws: Workspace;
  beforeEach(async () => {
    ws = await Workspace.start();
    ws.files({ 'a.yaml': envFile('a'), 'b.yaml': envFile('b') });
  });
  afterEach(() => ws.close());

  it('--target applies only the named environments', async () => {
    expect((await ws.cli(['apply', '--auto-approve', '--target', 'b'])).code).toBe(0);
    expect((await ws.live()).map((e) => e.name)).toEqual(['b']);
  });

  it('--plan with flags that shape a plan is an error that says so, and changes nothing', async () => {
    expect((await ws.cli(['plan', '--out', 'plan.json'])).code).toBe(0);
    for (const flag of [['--adopt'], ['--max-archive', '9'], ['--target', 'a']]) {
      const r = await ws.cli(['apply', '--plan', 'plan.json', ...flag]);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(`${flag[0]} cannot change a saved plan`);
    }
    expect(await ws.live()).toEqual([]);
  });
});

describe('a saved plan runs exactly as it shows', () => {
  let ws: Workspace;
  beforeEach(async () => {
    ws = await Workspace.start();
  });
  afterEach(() => ws.close());

  it('renames an archived environment to exactly the name the plan shows, even when an archived one held the first choice', async () => {
    ws.files({ 'etl.yaml': envFile('b-etl') });
    expect((await ws.cli(['apply', '--auto-approve'])).code).toBe(0);
    const [etl] = await ws.live();
    const hash8 = String(etl?.metadata.envsync_config_hash).slice('sha256:'.length, 'sha256:'.length + 8);
    // An archived environment nobody recorded holds `b-etl~<hash8>`: names stay taken after archiving.
    const holder = await ws.sdk().beta.environments.create({ name: `b-etl~${hash8}` });
    await ws.sdk().beta.environments.archive(holder.id);

    ws.files({ 'etl.yaml': null, 'keep.yaml': envFile('keep') });
    expect((await ws.cli(['plan', '--out', 'plan.json', '--format', 'json'])).code).toBe(0);
    const saved = JSON.parse(readFileSync(path.join(ws.dir, 'plan.json'), 'utf8')) as Plan;
    const archive = saved.actions.find((a) => a.kind === 'archive');
    expect(archive?.kind === 'archive' && archive.archived_name).toBe(`b-etl~${hash8}-2`);
    expect((await ws.cli(['apply', '--plan', 'plan.json'])).code).toBe(0);
    const all = await ws.live(true);
    expect(all.find((e) => e.id === etl?.id)).toMatchObject({ name: `b-etl~${hash8}-2` });
  });
});
