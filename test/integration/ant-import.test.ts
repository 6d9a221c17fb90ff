// Coming from `ant apply`: a repository in ant's layout, its claude-lock.json's IDs made through the SDK
// without envsync's tags, taken over in place (no create, no archive), handed over byte for byte, and never
// fought while ant still tracks an environment.

import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EMULATOR_ORGANIZATION_ID } from '../../src/emulator/index.js';
import { makeAgent, makeDeployment } from '../helpers/emulator-refs.js';
import { Workspace } from '../helpers/workspace.js';

const MODELINE =
  '# yaml-language-server: $schema=https://platform.claude.com/schemas/ant/beta/environment.json\n';

/** ant's files, as its docs write them: the create body, the modeline, the kind from the folder. */
const FILES = {
  'data-analysis.yaml': `${MODELINE}name: data-analysis
description: Python data stack
config:
  type: cloud
  packages:
    pip: [pandas==2.2.0]
  networking:
    type: limited
    allowed_hosts: [api.example.com]
    allow_package_managers: true
`,
  // ant's kind marker, accepted as what envsync already assumes.
  'web.yaml': `${MODELINE}type: environment
name: web
config:
  type: cloud
  networking:
    type: unrestricted
`,
  'old-batch.yaml': `${MODELINE}name: old-batch\n`,
  'reports.yaml': `${MODELINE}name: reports\n`,
};

interface AntRepo {
  ids: Record<'analysis' | 'web' | 'old' | 'reports' | 'agent' | 'deployment', string>;
  /** The lock's entries, each as ant wrote it, in order; the lock is them joined. */
  entries: Record<string, string>;
  lock: string;
  lockText: (keys: readonly string[]) => string;
}

function lockOf(ws: Workspace, entries: Record<string, string>, origin: Record<string, string> = {}) {
  const text = (keys: readonly string[]) => `{
  "version": 1,
  "origin": {
    "base_url": "${ws.emu.url}",
    "organization_id": "${origin.organization_id ?? EMULATOR_ORGANIZATION_ID}",
    "workspace_id": "${origin.workspace_id ?? 'wrkspc_default'}"
  },
  "resources": {
${keys.map((k) => entries[k]).join(',\n')}
  },
  "cli_version": "1.34.0"
}
`;
  return text;
}

/** The emulator holds what ant made (no envsync tags); one is archived and one renamed in the console since. */
async function antRepo(ws: Workspace): Promise<AntRepo> {
  const sdk = ws.sdk();
  const analysis = await sdk.beta.environments.create({
    name: 'data-analysis',
    description: 'Python data stack',
    config: {
      type: 'cloud',
      packages: { pip: ['pandas==2.2.0'] },
      networking: { type: 'limited', allowed_hosts: ['api.example.com'], allow_package_managers: true },
    },
  });
  const web = await sdk.beta.environments.create({
    name: 'web',
    config: { type: 'cloud', networking: { type: 'unrestricted' } },
  });
  const old = await sdk.beta.environments.create({ name: 'old-batch' });
  await sdk.beta.environments.archive(old.id);
  const reports = await sdk.beta.environments.create({ name: 'reports' });
  await sdk.beta.environments.update(reports.id, { name: 'reports-by-hand' });
  const agent = await makeAgent(sdk, {}, 'Code reviewer');
  const deployment = await makeDeployment(sdk, agent.id, web.id, { name: 'Nightly review' });
  ws.files(FILES);
  mkdirSync(path.join(ws.dir, 'agents'));
  writeFileSync(
    path.join(ws.dir, 'agents/reviewer.md'),
    '---\nname: Code reviewer\nmodel: claude-opus-5\n---\n\nReview.\n',
  );
  mkdirSync(path.join(ws.dir, 'deployments'));
  writeFileSync(
    path.join(ws.dir, 'deployments/nightly.md'),
    '---\nname: Nightly review\nagent: ../agents/reviewer.md\nenvironment_id: ../environments/web.yaml\n---\n\nReview the open pull requests.\n',
  );
  const entry = (key: string, kind: string, id: string, extra = '') =>
    `    "${key}": {\n      "kind": "${kind}",\n      "id": "${id}",${extra}\n      "hash": "d23251c8d99b3613a64f3f8d87f5fad4",\n      "remote_hash": "1b771bee5bdbf600a5ad972fdac32d94"\n    }`;
  const entries = {
    './agents/reviewer.md': entry('./agents/reviewer.md', 'agent', agent.id, '\n      "version": "1",'),
    './deployments/nightly.md': entry('./deployments/nightly.md', 'deployment', deployment.id),
    './environments/data-analysis.yaml': entry(
      './environments/data-analysis.yaml',
      'environment',
      analysis.id,
    ),
    './environments/old-batch.yaml': entry('./environments/old-batch.yaml', 'environment', old.id),
    './environments/reports.yaml': entry('./environments/reports.yaml', 'environment', reports.id),
    './environments/web.yaml': entry('./environments/web.yaml', 'environment', web.id),
  };
  const lockText = lockOf(ws, entries);
  const lock = lockText(Object.keys(entries));
  writeFileSync(path.join(ws.dir, 'claude-lock.json'), lock);
  return {
    ids: {
      analysis: analysis.id,
      web: web.id,
      old: old.id,
      reports: reports.id,
      agent: agent.id,
      deployment: deployment.id,
    },
    entries,
    lock,
    lockText,
  };
}

const readLock = (ws: Workspace) => readFileSync(path.join(ws.dir, 'claude-lock.json'), 'utf8');

function writesOf(ws: Workspace): Record<string, number> {
  const routes = ws.emu.stats().byRoute;
  return Object.fromEntries(Object.entries(routes).filter(([route]) => route.startsWith('POST')));
}

describe('envsync import --from-ant', () => {
  let ws: Workspace;
  let repo: AntRepo;
  beforeEach(async () => {
    ws = await Workspace.start();
    repo = await antRepo(ws);
    ws.emu.resetStats();
  });
  afterEach(() => ws.close());

  it('reads ant’s files as they are: the modeline and the kind marker pass validate without a word', async () => {
    const r = await ws.cli(['validate']);
    expect([r.code, r.stderr]).toEqual([0, '']);
    expect(r.stdout).toContain('4 environments, 0 errors, 0 warnings');
  });

  it('takes over what the lock tracks in place: 0 creates, 0 archives, the two refusals explained, the lock handed over byte for byte', async () => {
    // While ant tracks them, plan and apply leave them alone (never fight it).
    const before = await ws.cli(['plan', '--detailed-exitcode']);
    expect(before.code).toBe(3);
    expect(before.stdout).toContain(
      `data-analysis is managed by ant apply: claude-lock.json tracks ${repo.ids.analysis} as ./environments/data-analysis.yaml`,
    );
    expect(before.stdout.match(/\[managed_by_ant\]/g)).toHaveLength(4);

    // The dry run: the plan of adoptions, exit 2, nothing written anywhere.
    const dry = await ws.cli(['import', '--from-ant']);
    expect(dry.code).toBe(2);
    expect(dry.stdout).toMatch(/<= data-analysis \(\.\/environments\/data-analysis\.yaml\) env_/);
    expect(dry.stdout).toMatch(/<= web \(\.\/environments\/web\.yaml\) env_/);
    expect(dry.stdout).toContain(`${repo.ids.old} was archived at`);
    expect(dry.stdout).toContain(
      `${repo.ids.reports} is named "reports-by-hand" now, but environments/reports.yaml says "reports"`,
    );
    expect(dry.stdout).toContain('an agent: stays with ant apply');
    expect(dry.stdout).toContain(
      "Import: 2 to adopt, 0 to create, 0 to archive, 0 already this project's, 2 refused, 2 left to ant apply.",
    );
    expect(dry.stderr).toContain('`envsync import --from-ant claude-lock.json --apply`');
    expect(writesOf(ws)).toEqual({});
    expect(ws.runFiles()).toEqual([]);
    expect(readLock(ws)).toBe(repo.lock);

    // --apply --hand-over: adopt entries naming the lock and the file; no create, no archive.
    ws.emu.resetStats();
    const done = await ws.cli(['import', '--from-ant', '--apply', '--hand-over']);
    expect([done.code, done.stderr]).toEqual([0, expect.any(String)]);
    expect(done.stdout).toContain('Import: 2 adopted, 0 to create, 0 to archive');
    expect(writesOf(ws)).toEqual({ 'POST /v1/environments/{id}': 2 });
    const adopts = ws.entries().filter((e) => e.op === 'adopt');
    expect(adopts.map((e) => [e.name, e.env_id, e.detail])).toEqual([
      [
        'data-analysis',
        repo.ids.analysis,
        `adopted from ant apply: claude-lock.json tracked it as ./environments/data-analysis.yaml (${repo.ids.analysis})`,
      ],
      [
        'web',
        repo.ids.web,
        `adopted from ant apply: claude-lock.json tracked it as ./environments/web.yaml (${repo.ids.web})`,
      ],
    ]);
    expect(ws.entries().filter((e) => e.op === 'create' || e.op === 'archive')).toEqual([]);
    const live = await ws.live(true);
    expect(live.map((e) => [e.name, e.id, e.metadata.envsync_managed ?? null]).sort()).toEqual(
      [
        ['data-analysis', repo.ids.analysis, 'test-project'],
        ['old-batch', repo.ids.old, null],
        ['reports-by-hand', repo.ids.reports, null],
        ['web', repo.ids.web, 'test-project'],
      ].sort(),
    );

    // The lock without the two adopted entries: every other entry and field exactly as ant wrote it.
    const kept = Object.keys(repo.entries).filter(
      (k) => k !== './environments/data-analysis.yaml' && k !== './environments/web.yaml',
    );
    expect(readLock(ws)).toBe(repo.lockText(kept));
    // ant's deployment names web by path: the exact edit is listed.
    expect(done.stdout).toContain(
      `deployments/nightly.md:4:17  environment_id: ../environments/web.yaml → ${repo.ids.web}`,
    );

    // What was adopted is clean; what ant still tracks (the two refusals) stays blocked.
    const after = await ws.cli(['plan', '--format', 'json']);
    const plan = JSON.parse(after.stdout);
    expect(plan.actions.map((a: { name: string; kind: string }) => [a.name, a.kind])).toEqual([
      ['data-analysis', 'noop'],
      ['web', 'noop'],
    ]);
    expect(plan.blocked.map((b: { rule: string; name: string }) => [b.rule, b.name])).toEqual([
      ['managed_by_ant', 'old-batch'],
      ['managed_by_ant', 'reports'],
    ]);

    // Following the refusals' hints: the rename undone in the console, the archived one's entry and file removed.
    await ws.sdk().beta.environments.update(repo.ids.reports, { name: 'reports' });
    writeFileSync(
      path.join(ws.dir, 'claude-lock.json'),
      repo.lockText(kept.filter((k) => k !== './environments/old-batch.yaml')),
    );
    ws.files({ 'old-batch.yaml': null });
    const again = await ws.cli(['import', '--from-ant', '--apply', '--hand-over']);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('Import: 1 adopted, 0 to create, 0 to archive');
    expect(JSON.parse(readLock(ws)).resources).toEqual({
      './agents/reviewer.md': expect.objectContaining({ kind: 'agent' }),
      './deployments/nightly.md': expect.objectContaining({ kind: 'deployment' }),
    });

    const clean = await ws.cli(['plan', '--detailed-exitcode']);
    expect([clean.code, clean.stdout]).toEqual([0, expect.stringContaining('No changes.')]);
    const history = await ws.cli(['history', '--format', 'json']);
    const steps = JSON.stringify(JSON.parse(history.stdout));
    for (const id of [repo.ids.analysis, repo.ids.web, repo.ids.reports])
      expect(steps).toMatch(
        new RegExp(`"op":"adopt"[^}]*"env_id":"${id}"|"env_id":"${id}"[^}]*"op":"adopt"`),
      );
    const text = await ws.cli(['history']);
    expect(text.stdout.match(/<= adopt/g)).toHaveLength(3);
    const verify = await ws.cli(['verify', '--live']);
    expect([verify.code, verify.stderr]).toEqual([0, expect.any(String)]);
    expect(verify.stdout).not.toMatch(/problem/i);
  });

  it('without --hand-over it adopts, leaves the lock alone, and says the exact follow-up; re-running hands over only', async () => {
    const done = await ws.cli(['import', '--from-ant', '--apply']);
    expect(done.code).toBe(0);
    expect(readLock(ws)).toBe(repo.lock);
    expect(done.stderr).toContain(
      'ant apply still tracks ./environments/data-analysis.yaml, ./environments/web.yaml in claude-lock.json',
    );
    expect(done.stderr).toContain('`envsync import --from-ant claude-lock.json --apply --hand-over`');
    const blocked = await ws.cli(['plan']);
    expect(blocked.code).toBe(3);
    expect(blocked.stdout).toContain('[managed_by_ant]');

    ws.emu.resetStats();
    const handed = await ws.cli(['import', '--from-ant', 'claude-lock.json', '--apply', '--hand-over']);
    expect(handed.code).toBe(0);
    expect(handed.stdout).toContain("Import: 0 adopted, 0 to create, 0 to archive, 2 already this project's");
    expect(writesOf(ws)).toEqual({});
    expect(ws.entries().filter((e) => e.op === 'adopt')).toHaveLength(2);
    expect(JSON.parse(readLock(ws)).resources).not.toHaveProperty('./environments/web.yaml');
  });

  it.each([
    [
      'organization',
      { organization_id: '00000000-0000-4000-8000-000000000000' },
      'written for organization 00000000-0000-4000-8000-000000000000, but this key works in organization',
    ],
    [
      'workspace',
      { workspace_id: 'wrkspc_production' },
      'written for workspace wrkspc_production, but envsync works in workspace wrkspc_default',
    ],
  ])('a lock of another %s is refused with nothing written', async (_what, origin, message) => {
    const text = lockOf(ws, repo.entries, origin)(Object.keys(repo.entries));
    writeFileSync(path.join(ws.dir, 'claude-lock.json'), text);
    const r = await ws.cli(['import', '--from-ant', '--apply', '--hand-over']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('error[ant_origin_mismatch]');
    expect(r.stderr).toContain(message);
    expect(writesOf(ws)).toEqual({});
    expect(ws.runFiles()).toEqual([]);
    expect(readLock(ws)).toBe(text);
    expect((await ws.live()).every((e) => e.metadata.envsync_managed === undefined)).toBe(true);
  });

  it('an API that does not name its organization is not taken at its word', async () => {
    // The one read that asks who the API is, answered without the organization header.
    const r = await ws.cliThrough(
      (method, p, req) =>
        method === 'GET' && p === '/v1/environments' && /(^|&)limit=1(&|$)/.test(req.search)
          ? { respond: { status: 200, body: { data: [], next_page: null } } }
          : 'forward',
      ['import', '--from-ant', '--apply'],
    );
    expect([r.code, r.stderr]).toEqual([1, expect.stringContaining('the API did not name its organization')]);
    expect(ws.runFiles()).toEqual([]);
  });

  it('an ID the list leaves out but a lookup finds: nothing is imported from that list', async () => {
    // The lock's IDs are read from the one checked list; only an ID it lacks is looked up, and found.
    const r = await ws.cliThrough(
      (method, p, req) =>
        method === 'GET' && p === '/v1/environments' && /(^|&)limit=1000(&|$)/.test(req.search)
          ? {
              rewrite: (body) => {
                const page = body as { data: Array<{ id: string }> };
                return { ...page, data: page.data.filter((e) => e.id !== repo.ids.web) };
              },
            }
          : 'forward',
      ['import', '--from-ant', '--apply'],
    );
    expect([r.code, r.stderr]).toEqual([1, expect.stringContaining('error[list_incomplete]')]);
    expect(r.stderr).toContain(`left out ${repo.ids.web} (web)`);
    expect(ws.runFiles()).toEqual([]);
    expect(writesOf(ws)).toEqual({});
  });

  it('says why it cannot take an entry whose file envsync does not read as that environment, in JSON too', async () => {
    const sdk = ws.sdk();
    const ids = await Promise.all(
      ['gpu', 'elsewhere', 'lost', 'gone'].map(
        async (name) => (await sdk.beta.environments.create({ name })).id,
      ),
    );
    await sdk.beta.environments.delete(ids[3] as string);
    mkdirSync(path.join(ws.dir, 'ant'));
    writeFileSync(path.join(ws.envDir, 'gpu.md'), '---\nname: gpu\n---\n\nGPU box.\n');
    writeFileSync(path.join(ws.dir, 'ant/elsewhere.yaml'), 'name: elsewhere\n');
    const entries = {
      './environments/gpu.md': `    "./environments/gpu.md": {"kind": "environment", "id": "${ids[0]}"}`,
      './ant/elsewhere.yaml': `    "./ant/elsewhere.yaml": {"kind": "environment", "id": "${ids[1]}"}`,
      './environments/lost.yaml': `    "./environments/lost.yaml": {"kind": "environment", "id": "${ids[2]}"}`,
      './environments/gone.yaml': `    "./environments/gone.yaml": {"kind": "environment", "id": "${ids[3]}"}`,
    };
    writeFileSync(path.join(ws.dir, 'claude-lock.json'), lockOf(ws, entries)(Object.keys(entries)));
    const r = await ws.cli(['import', '--from-ant', '--format', 'json']);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(
      report.resources.map((x: { key: string; verdict: string; reason: string }) => [
        x.key,
        x.verdict,
        x.reason,
      ]),
    ).toEqual([
      ['./environments/gpu.md', 'refused', 'not_yaml'],
      ['./ant/elsewhere.yaml', 'refused', 'outside_dirs'],
      ['./environments/lost.yaml', 'refused', 'no_file'],
      ['./environments/gone.yaml', 'refused', 'gone'],
    ]);
    expect(report.resources[1].hint).toContain('add its folder to `dirs` in envsync.yaml');
    expect(report.resources[3].location).toEqual({ file: 'claude-lock.json', line: 12, column: 5 });
    expect(report.plan).toBeNull();
    expect(ws.runFiles()).toEqual([]);
  });

  it('an adoption that fails is not handed over; the others are', async () => {
    const r = await ws.cliThrough(
      (method, p) =>
        method === 'POST' && p === `/v1/environments/${repo.ids.web}` ? { refuse: 400 } : 'forward',
      ['import', '--from-ant', '--apply', '--hand-over', '--format', 'json'],
    );
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout);
    expect(report.failures).toEqual([{ name: 'web', code: 'api_error', message: expect.any(String) }]);
    expect(report.handed_over).toEqual(['./environments/data-analysis.yaml']);
    const lock = JSON.parse(readLock(ws)).resources;
    expect(lock).toHaveProperty(['./environments/web.yaml']);
    expect(lock).not.toHaveProperty(['./environments/data-analysis.yaml']);
    expect(
      ws
        .entries()
        .filter((e) => e.op === 'adopt')
        .map((e) => e.name),
    ).toEqual(['data-analysis']);
  });

  it('--hand-over without --apply only says what would leave the lock', async () => {
    const r = await ws.cli(['import', '--from-ant', '--hand-over']);
    expect(r.code).toBe(2);
    expect(r.stdout).toContain(
      'Would hand over (removed from claude-lock.json, every other entry kept as written): ./environments/data-analysis.yaml, ./environments/web.yaml',
    );
    expect(readLock(ws)).toBe(repo.lock);
    expect(writesOf(ws)).toEqual({});
  });

  it('an ID a second lock also tracks is not taken: that lock’s ant apply still manages it', async () => {
    writeFileSync(
      path.join(ws.envDir, 'claude-lock.json'),
      lockOf(ws, {
        './web.yaml':
          repo.entries['./environments/web.yaml']?.replace('./environments/web.yaml', './web.yaml') ?? '',
      })(['./web.yaml']),
    );
    const r = await ws.cli(['import', '--from-ant', 'claude-lock.json', '--apply']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(
      `web is managed by ant apply: environments/claude-lock.json tracks ${repo.ids.web} as ./web.yaml`,
    );
    expect(
      ws
        .entries()
        .filter((e) => e.op === 'adopt')
        .map((e) => e.name),
    ).toEqual(['data-analysis']);
  });

  it('fmt keeps the modeline of a file written for ant', async () => {
    ws.files({ 'x.yaml': `${MODELINE}config:\n  type: cloud\ntype: environment\nname: x\n` });
    expect((await ws.cli(['fmt'])).code).toBe(0);
    expect(readFileSync(path.join(ws.envDir, 'x.yaml'), 'utf8')).toBe(
      `${MODELINE}type: environment\nname: x\nconfig:\n  type: cloud\n`,
    );
  });

  it('a lock that does not read is refused at its line and column, before any API call', async () => {
    writeFileSync(path.join(ws.dir, 'claude-lock.json'), '{\n  "version": 1,\n  "origin": {},\n}\n');
    ws.emu.resetStats();
    const r = await ws.cli(['import', '--from-ant']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      'error[invalid_ant_lock]: claude-lock.json: not valid JSON: expected a key in quotes',
    );
    expect(r.stderr).toContain('--> claude-lock.json:4:1');
    expect(ws.emu.stats().requests).toBe(0);
    // plan cannot tell what ant tracks either: it stops the same way.
    const plan = await ws.cli(['plan']);
    expect([plan.code, plan.stderr]).toEqual([1, expect.stringContaining('--> claude-lock.json:4:1')]);
  });
});

describe('after a hand-over, ant’s deployments are envsync’s to protect', () => {
  it('reference checks name them, and repoint_deployments moves them on a recreate', async () => {
    const ws = await Workspace.start();
    try {
      const repo = await antRepo(ws);
      expect((await ws.cli(['import', '--from-ant', '--apply', '--hand-over'])).code).toBe(0);
      // A recreate of web would strand ant's deployment: blocked, the deployment named.
      ws.files({
        'web.yaml': `${FILES['web.yaml']}lifecycle: {on_config_change: recreate}\n`.replace(
          'type: unrestricted',
          'type: limited\n    allowed_hosts: [api.example.com]',
        ),
      });
      const blocked = await ws.cli(['plan']);
      expect(blocked.code).toBe(3);
      expect(blocked.stdout).toContain(`Nightly review (${repo.ids.deployment}, active)`);
      // With repoint_deployments the recreate moves it to the new ID, and the changelog says so.
      ws.files({
        'web.yaml': readFileSync(path.join(ws.envDir, 'web.yaml'), 'utf8').replace(
          'recreate}',
          'recreate, repoint_deployments: true}',
        ),
      });
      // The two entries ant still tracks block the rest of the plan, as any block does: --target applies web alone.
      const applied = await ws.cli(['apply', '--auto-approve', '--target', 'web']);
      expect(applied.code).toBe(0);
      const recreate = ws.entries().find((e) => e.op === 'recreate');
      const deployment = await ws.sdk().beta.deployments.retrieve(repo.ids.deployment);
      expect(deployment.environment_id).toBe(recreate?.env_id);
      expect(recreate?.replaces).toBe(repo.ids.web);
      expect(
        ws
          .entries()
          .filter((e) => e.op === 'repoint')
          .map((e) => e.detail),
      ).toEqual([
        `deployment Nightly review (${repo.ids.deployment}) moved from ${repo.ids.web} to ${recreate?.env_id}`,
      ]);
    } finally {
      await ws.close();
    }
  });
});
