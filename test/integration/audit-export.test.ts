// export → validate → plan --adopt → apply → plan: taking over hand-made environments without recreating them.

import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { configHash } from '../../src/hash/config-hash.js';
import type { Plan } from '../../src/model.js';
import { shippedSchemaFrom } from '../helpers/cli.js';
import { TEST_PROJECT, Workspace } from '../helpers/workspace.js';

describe('export → adopt', () => {
  let ws: Workspace;
  beforeEach(async () => {
    ws = await Workspace.start();
  });
  afterEach(() => ws.close());

  it('exports hand-made environments, which validate, adopt without recreating, and then plan clean', async () => {
    const sdk = ws.sdk().beta.environments;
    const made = [
      await sdk.create({
        name: 'data',
        description: 'Data stack',
        config: {
          type: 'cloud',
          packages: { pip: ['pandas==2.2.0', 'numpy==2.1.3'], apt: ['curl=7.88.1-10'] },
        },
      }),
      await sdk.create({
        name: 'locked down',
        metadata: { team: 'support', tier: '1', note: '' },
        config: {
          type: 'cloud',
          networking: {
            type: 'limited',
            allowed_hosts: ['api.example.com', 'https://kb.example.com'],
            allow_mcp_servers: true,
          },
        },
      }),
      await sdk.create({ name: 'runner', config: { type: 'self_hosted' }, scope: 'organization' }),
      await sdk.create({
        name: 'tools',
        metadata: { owner: 'web' },
        config: {
          type: 'cloud',
          packages: { npm: ['typescript@5.6.3'] },
          networking: { type: 'limited', allowed_hosts: [], allow_package_managers: true },
        },
      }),
    ];
    const many = Object.fromEntries(Array.from({ length: 15 }, (_, i) => [`k${i}`, 'v']));
    const skipped = await sdk.create({ name: 'crowded', metadata: many });

    const managedOnly = await ws.cli(['export']);
    expect(managedOnly).toMatchObject({ code: 0, stdout: 'Exported 0 environments to environments.\n' });
    expect(managedOnly.stderr).toContain(
      '5 unmanaged environments left out; `envsync export --only-unmanaged` exports them for adoption.',
    );

    const r = await ws.cli(['export', '--only-unmanaged']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(
      `warning: skipped crowded (${skipped.id}): 15 metadata keys; a file holds at most 14`,
    );
    expect(r.stdout).toContain('environments/locked-down.yaml  locked down');
    expect(r.stdout).toContain('Exported 4 environments to environments; skipped 1.\n');
    expect(readFileSync(path.join(ws.envDir, 'runner.yaml'), 'utf8')).toBe(
      `# yaml-language-server: $schema=${shippedSchemaFrom(ws.envDir)}\n# Exported from ${made[2]?.id} (not managed by envsync yet: \`envsync plan --adopt\` takes it over); config hash ${configHash({ type: 'self_hosted' })}.\nname: runner\nscope: organization\nconfig:\n  type: self_hosted\n`,
    );
    expect((await ws.cli(['validate'])).code).toBe(0);

    const plan = JSON.parse((await ws.cli(['plan', '--adopt', '--format', 'json'])).stdout) as Plan;
    expect(plan.actions.map((a) => [a.kind, a.name, 'env_id' in a ? a.env_id : null, a.changes])).toEqual(
      [...made].sort((x, y) => (x.name < y.name ? -1 : 1)).map((e) => ['adopt', e.name, e.id, []]),
    );
    const apply = await ws.cli(['apply', '--adopt', '--auto-approve']);
    expect(apply.stdout).toContain('0 created, 0 updated, 0 recreated, 0 archived, 4 adopted, 0 failed.');
    const live = await ws.live(true);
    expect(live).toHaveLength(5);
    for (const e of made)
      expect(live.find((l) => l.id === e.id)).toMatchObject({
        name: e.name,
        archived_at: null,
        metadata: { envsync_managed: TEST_PROJECT },
      });
    expect((await ws.cli(['plan'])).stdout.trim()).toBe('No changes.');
    expect((await ws.cli(['verify', '--live'])).code).toBe(0);
    expect((await ws.cli(['history', 'runner'])).stdout).toMatch(new RegExp(`<= adopt {8}${made[2]?.id}`));
  });

  it('never overwrites a file and never re-declares a name a file declares; says what it skipped', async () => {
    const a = await ws.sdk().beta.environments.create({ name: 'a' });
    await ws.sdk().beta.environments.create({ name: 'b' });
    await ws.sdk().beta.environments.create({ name: 'mine' });
    // a.yaml is taken by a file for another name; `mine` is declared (in a file named otherwise).
    ws.files({ 'a.yaml': 'name: other\n', 'x.yaml': 'name: mine\n' });
    const r = await ws.cli(['export', '--only-unmanaged']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe(
      'environments/a-2.yaml  a (' +
        a.id +
        ', unmanaged)\nenvironments/b.yaml  b (' +
        (await ws.live()).find((e) => e.name === 'b')?.id +
        ', unmanaged)\nExported 2 environments to environments; skipped 1.\n',
    );
    expect(r.stderr).toMatch(
      /warning: skipped mine \(env_\w+\): already declared in environments\/x\.yaml:1/,
    );
    expect(readFileSync(path.join(ws.envDir, 'a.yaml'), 'utf8')).toBe('name: other\n');
    expect((await ws.cli(['validate'])).code).toBe(0);

    // Into a review folder outside the project's files, a declared name is exported too; --name picks.
    const review = await ws.cli(['export', '--only-unmanaged', '--name', 'mine', '--out', 'review']);
    expect([review.code, review.stdout]).toEqual([0, expect.stringContaining('review/mine.yaml  mine')]);
  });

  it('hints name the exact command, with the --workspace (and --local) the run used', async () => {
    await ws.sdk().beta.environments.create({ name: 'hand' });
    ws.files({ 'hand.yaml': 'name: hand\n' });
    writeFileSync(path.join(ws.dir, 'envsync.yaml'), `project: ${TEST_PROJECT}\nworkspaces:\n  main: {}\n`);
    const blocked = await ws.cli(['--workspace', 'main', 'plan']);
    expect(blocked.code).toBe(3);
    expect(blocked.stdout).toContain(
      '`envsync --workspace main plan --adopt` takes it over with your file (`envsync --workspace main export --only-unmanaged --name hand --out review` shows what it holds now)',
    );
    const json = JSON.parse(
      (await ws.cli(['--workspace', 'main', 'plan', '--format', 'json'])).stdout,
    ) as Plan;
    expect(json.blocked[0]?.hint).toContain('`envsync plan --adopt`');
  });
});
