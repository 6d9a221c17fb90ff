// Bases (`extends:`): merge rules, located errors, provenance in validate and plan, and the merged config
// hashed, applied, recorded and resolved like any other.

import { cpSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import planSchema from '../../schema/plan.schema.json' with { type: 'json' };
import { configHash } from '../../src/hash/config-hash.js';
import type { Diagnostic, Plan } from '../../src/model.js';
import { ROOT, runCli, tempDir } from '../helpers/cli.js';
import { Workspace } from '../helpers/workspace.js';

const FIX = path.join(ROOT, 'test/fixtures/bases');
const validatePlan = new Ajv2020({ allErrors: true, strict: false }).compile(planSchema);

type Row = [severity: 'e' | 'w', at: string, path: string, message: string, inheritedBy?: string[]];

async function rows(cwd: string): Promise<{ code: number; rows: Row[]; names: string[] }> {
  const r = await runCli(['validate', '--format', 'json'], { cwd });
  const doc = JSON.parse(r.stdout) as { diagnostics: Diagnostic[]; environments: { name: string }[] };
  return {
    code: r.code,
    names: doc.environments.map((e) => e.name),
    rows: doc.diagnostics.map((d) => {
      const row: Row = [
        d.severity === 'error' ? 'e' : 'w',
        `${d.file}:${d.line}:${d.column}`,
        d.path,
        d.message,
      ];
      if (d.inherited_by) row.push(d.inherited_by);
      return row;
    }),
  };
}

describe('bases: located errors', () => {
  it('a missing base, a cycle, and every bad extends entry are errors at the entry, with a hint', async () => {
    const r = await rows(path.join(FIX, 'errors'));
    expect(r.code).toBe(1);
    expect(r.rows).toEqual([
      [
        'e',
        'environments/bases/b.yaml:2:24',
        'extends[1]',
        'base cycle: environments/bases/a.yaml → environments/bases/b.yaml → environments/bases/a.yaml',
      ],
      [
        'e',
        'environments/missing.yaml:2:10',
        'extends',
        'base file not found: "bases/pyhton.yaml" (environments/bases/pyhton.yaml)',
      ],
      [
        'e',
        'environments/refs.yaml:3:5',
        'extends[0]',
        'extends "../../outside.yaml" leads outside the project',
      ],
      ['e', 'environments/refs.yaml:4:5', 'extends[1]', 'extends "/etc/base.yaml" is an absolute path'],
      [
        'e',
        'environments/refs.yaml:5:5',
        'extends[2]',
        'environments/other.yaml is an environment file, not a base: an environment cannot extend another',
      ],
      [
        'e',
        'environments/refs.yaml:6:5',
        'extends[3]',
        'extends "bases/notes.txt" is not a .yaml or .yml file',
      ],
      [
        'e',
        'environments/refs.yaml:7:5',
        'extends[4]',
        'shared/not-base.yaml is not a base file: it does not say base: true',
      ],
      [
        'e',
        'environments/refs.yaml:8:5',
        'extends[5]',
        'shared/two.yaml holds 2 documents; a base file holds one',
      ],
      // Said again at every other entry with the same problem, not only at the first.
      [
        'e',
        'environments/refs2.yaml:2:11',
        'extends[0]',
        'environments/other.yaml is an environment file, not a base: an environment cannot extend another',
      ],
      [
        'e',
        'environments/refs2.yaml:2:23',
        'extends[1]',
        'base file not found: "bases/pyhton.yaml" (environments/bases/pyhton.yaml)',
      ],
    ]);
    // Only the plain file is an environment; the bases are never counted or planned.
    expect(r.names).toEqual(['other']);
    const text = await runCli(['validate'], { cwd: path.join(FIX, 'errors') });
    expect(text.stdout).toContain('hint: did you mean "bases/python.yaml"?');
    expect(text.stdout).toContain('hint: a base cannot extend itself, directly or through other bases');
  });

  it('problems of a base itself are reported once, in the base; a value it brings in, naming who inherits it', async () => {
    const r = await rows(path.join(FIX, 'base-problems'));
    expect(r.rows).toEqual([
      [
        'e',
        'environments/bases/limited.yaml:2:13',
        'metadata.envsync_x',
        'metadata key "envsync_x" is reserved: keys starting with "envsync" belong to envsync (inherited by "combined" from environments/bases/limited.yaml)',
        ['combined'],
      ],
      [
        'e',
        'environments/bases/limited.yaml:6:5',
        'config.networking',
        'packages under limited networking need allow_package_managers: true (inherited by "combined" from environments/bases/limited.yaml)',
        ['combined'],
      ],
      [
        'w',
        'environments/bases/limited.yaml:9:14',
        'remove.metadata[0]',
        'removes "nothing", which no base of this document provides',
      ],
      [
        'e',
        'environments/bases/named.yaml:2:1',
        'name',
        'a base has no name: it is never an environment itself',
      ],
      [
        'e',
        'environments/bases/named.yaml:4:3',
        'lifecycle.previous_names',
        'a base has no previous_names: it is never an environment itself',
      ],
      ['e', 'environments/bases/typo.yaml:2:1', 'descripton', 'unknown key "descripton"'],
      ['e', 'environments/false.yaml:2:7', 'base', 'must be true'],
      ['e', 'environments/bases/multi.yaml:1:1', '', 'a base file holds one document, and no environments'],
    ]);
  });

  it('a policy violation in a base is located in the base, once, naming the environments that inherit it', async () => {
    const r = await rows(path.join(FIX, 'policy'));
    const inheritors = ['data-a', 'data-b', 'data-c'];
    const by = '(inherited by "data-a", "data-b", "data-c" from environments/bases/python.yaml)';
    expect(r.code).toBe(1);
    expect(r.rows).toEqual([
      [
        'e',
        'environments/bases/python.yaml:5:26',
        'config.packages.pip[1]',
        `violates policy "forbidden_packages" (set at envsync.yaml:3:3): "pycrypto==2.6.1" is a forbidden pip package ${by}`,
        inheritors,
      ],
      [
        'w',
        'environments/bases/python.yaml:5:43',
        'config.packages.pip[2]',
        `"requests" is not pinned to a version: the same file could build a different container tomorrow ${by}`,
        inheritors,
      ],
      [
        'e',
        'environments/bases/python.yaml:5:43',
        'config.packages.pip[2]',
        `violates policy "packages: pinned" (set at envsync.yaml:5:3): "requests" is not pinned ${by}`,
        inheritors,
      ],
    ]);
    // data-d removes pycrypto (by its PEP 503 name) and pins requests itself: nothing is reported for it.
    expect(r.names).toEqual(['data-a', 'data-b', 'data-c', 'data-d']);
  });

  it('refuses a directory named like a base and a link that leaves the project, at the entry', async () => {
    const dir = tempDir('envsync-bases-');
    const outside = tempDir('envsync-outside-');
    writeFileSync(path.join(outside, 'base.yaml'), 'base: true\n');
    mkdirSync(path.join(dir, 'environments/bases/dir.yaml'), { recursive: true });
    symlinkSync(path.join(outside, 'base.yaml'), path.join(dir, 'environments/bases/link.yaml'));
    writeFileSync(path.join(dir, 'envsync.yaml'), 'project: p\n');
    writeFileSync(
      path.join(dir, 'environments/e.yaml'),
      'name: e\nextends: [bases/dir.yaml, bases/link.yaml]\n',
    );
    const r = await rows(dir);
    expect(r.rows.filter((row) => row[1].startsWith('environments/e.yaml'))).toEqual([
      ['e', 'environments/e.yaml:2:11', 'extends[0]', 'extends "bases/dir.yaml" is a directory, not a file'],
      [
        'e',
        'environments/e.yaml:2:27',
        'extends[1]',
        'extends "bases/link.yaml" is a link that leads outside the project',
      ],
    ]);
  });
});

describe('bases: the merge rules', () => {
  it('unions packages by name and hosts by normal form, merges metadata, replaces scalars, applies removals', async () => {
    const show = async (file: string) => {
      const r = await runCli(['show', '--merged', file, '--format', 'json'], {
        cwd: path.join(FIX, 'merge'),
      });
      expect(r.code, r.stderr).toBe(0);
      return (JSON.parse(r.stdout) as { environments: Array<{ bases: string[]; environment: unknown }> })
        .environments[0];
    };
    // Later bases over earlier ones (tools' pandas and description over python's), the file over both;
    // the file's own remove drops an inherited host (spelled differently) and an inherited metadata key.
    expect(await show('environments/analysis.yaml')).toEqual({
      name: 'analysis',
      config_hash: expect.stringMatching(/^sha256:/),
      bases: ['shared/org.yaml', 'environments/bases/python.yaml', 'environments/bases/tools.yaml'],
      environment: {
        name: 'analysis',
        description: 'from tools',
        metadata: { team: 'research', owner: 'alice' },
        config: {
          type: 'cloud',
          packages: {
            go: ['golang.org/x/tools/cmd/goimports@v0.1.0'],
            npm: ['@types/node@20.12.0'],
            pip: ['Scikit_Learn==1.5.0', 'numpy==2.1.4', 'pandas==2.1.0', 'ruff==0.6.9'],
          },
          networking: {
            type: 'limited',
            allowed_hosts: ['api.example.com'],
            allow_mcp_servers: false,
            allow_package_managers: true,
          },
        },
        lifecycle: { prevent_archive: true },
      },
    });
    // A base removing a package from its own base (scikit-learn, by its PEP 503 name); the file clearing the
    // description with null, making networking unrestricted (the inherited allow-list goes with it) and
    // turning an inherited lifecycle flag off.
    expect(await show('environments/etl.yaml')).toMatchObject({
      environment: {
        name: 'etl',
        metadata: { org: 'acme', team: 'research' },
        config: {
          type: 'cloud',
          packages: { npm: ['@types/node@20.11.0'], pip: ['numpy==2.1.3', 'pandas==2.2.0'] },
          networking: { type: 'unrestricted' },
        },
      },
    });
    const etl = (await show('environments/etl.yaml')) as { environment: Record<string, unknown> };
    expect(etl.environment).not.toHaveProperty('description');
    expect(etl.environment).not.toHaveProperty('lifecycle');
  });

  it('show --merged prints a plain file that validates and hashes to what validate reports', async () => {
    const cwd = path.join(FIX, 'merge');
    const text = await runCli(['show', '--merged', 'environments/analysis.yaml'], { cwd });
    expect(text.stdout).not.toMatch(/^(extends|remove|base):/m);
    const dir = tempDir('envsync-merged-');
    mkdirSync(path.join(dir, 'environments'));
    writeFileSync(path.join(dir, 'environments/analysis.yaml'), text.stdout);
    const plain = JSON.parse((await runCli(['validate', '--format', 'json'], { cwd: dir })).stdout);
    const merged = JSON.parse((await runCli(['validate', '--format', 'json'], { cwd })).stdout);
    const hashOf = (doc: { environments: { name: string; config_hash: string }[] }) =>
      doc.environments.find((e) => e.name === 'analysis')?.config_hash;
    expect(plain.valid).toBe(true);
    expect(hashOf(plain)).toBe(hashOf(merged));
  });

  it('show --merged refuses a base file and reports a broken file as validate does', async () => {
    const cwd = path.join(FIX, 'merge');
    const base = await runCli(['show', '--merged', 'environments/bases/python.yaml'], { cwd });
    expect(base.code).toBe(1);
    expect(base.stderr).toContain(
      'error[no_environment]: environments/bases/python.yaml declares no environment',
    );
    const broken = await runCli(['show', '--merged', 'environments/missing.yaml'], {
      cwd: path.join(FIX, 'errors'),
    });
    expect(broken.code).toBe(1);
    expect(broken.stderr).toContain('environments/missing.yaml:2:10');
    expect(broken.stderr).toContain('error[invalid_config]');
  });
});

/** A project with one base and three environments that extend it, a fourth that does not. */
function threeOnOneBase(ws: Workspace, numpy = '2.1.3'): void {
  mkdirSync(path.join(ws.envDir, 'bases'), { recursive: true });
  ws.files({
    'bases/python.yaml': [
      'base: true',
      'metadata: {team: research}',
      'config:',
      '  type: cloud',
      '  packages:',
      `    pip: [pandas==2.2.0, numpy==${numpy}]`,
      '  networking:',
      '    type: limited',
      '    allowed_hosts: [api.example.com]',
      '    allow_package_managers: true',
      '',
    ].join('\n'),
    'a.yaml': 'name: data-a\nextends: bases/python.yaml\n',
    'b.yaml': 'name: data-b\nextends: bases/python.yaml\nmetadata: {owner: bob}\n',
    'c.yaml': 'name: data-c\nextends: bases/python.yaml\nremove: {allowed_hosts: [api.example.com]}\n',
    'plain.yaml': 'name: plain\nconfig: {type: cloud, packages: {pip: [numpy==2.1.3]}}\n',
  });
}

describe('bases against the emulator', () => {
  let ws: Workspace;
  beforeEach(async () => {
    ws = await Workspace.start();
    threeOnOneBase(ws);
    expect((await ws.cli(['apply', '--auto-approve'])).code).toBe(0);
  });
  afterEach(() => ws.close());

  it('a change to a base plans every environment that inherits it, grouped under the base', async () => {
    threeOnOneBase(ws, '2.1.4');
    const text = await ws.cli(['plan', '--detailed-exitcode']);
    expect(text.code).toBe(2);
    expect(text.stdout).toContain(
      'Changes from bases (each inherited by the environments listed):\n  base environments/bases/python.yaml: 3 environments (data-a, data-b, data-c)',
    );
    expect(text.stdout).toContain('Plan: 0 to create, 3 to update, 0 to recreate, 0 to archive.');
    expect(text.stdout).not.toContain('plain');
    // No origins without --explain; with it, each change names the base line that brings it.
    expect(text.stdout).not.toContain('# from');
    const explained = await ws.cli(['plan', '--explain']);
    const pos = 'environments/bases/python.yaml:6:26';
    for (const name of ['data-a', 'data-b', 'data-c']) {
      const block = explained.stdout.split(/\n\n/).find((b) => b.includes(`~ ${name} (`)) ?? '';
      // A version change is one change of the package, from where its new version is written.
      expect(block).toContain(`~ config.packages.pip: "numpy==2.1.3" → "numpy==2.1.4"  # from ${pos}`);
    }

    const markdown = await ws.cli(['plan', '--format', 'markdown']);
    expect(markdown.stdout).toContain(
      '### Changes from bases\n\n- base <code>environments/bases/python.yaml</code>: 3 environments (data-a, data-b, data-c)',
    );

    const json = await ws.cli(['plan', '--format', 'json']);
    const plan = JSON.parse(json.stdout) as Plan;
    expect(validatePlan(plan), JSON.stringify(validatePlan.errors)).toBe(true);
    const a = plan.actions.find((x) => x.name === 'data-a');
    expect(a && 'desired' in a ? a.desired.provenance : undefined).toEqual({
      bases: ['environments/bases/python.yaml'],
      fields: {
        'metadata.team': { file: 'environments/bases/python.yaml', line: 2, column: 18 },
        'config.type': { file: 'environments/bases/python.yaml', line: 4, column: 9 },
        'config.networking.type': { file: 'environments/bases/python.yaml', line: 8, column: 11 },
        'config.networking.allow_package_managers': {
          file: 'environments/bases/python.yaml',
          line: 10,
          column: 29,
        },
      },
      members: {
        'config.packages.pip': {
          'pandas==2.2.0': { file: 'environments/bases/python.yaml', line: 6, column: 11 },
          'numpy==2.1.4': { file: 'environments/bases/python.yaml', line: 6, column: 26 },
        },
        'config.networking.allowed_hosts': {
          'api.example.com': { file: 'environments/bases/python.yaml', line: 9, column: 21 },
        },
      },
      removed: {},
    });
    // The base file is part of what the plan read.
    expect(plan.files.map((f) => f.file)).toContain('environments/bases/python.yaml');
  });

  it('a saved plan keeps the provenance and applies as saved', async () => {
    threeOnOneBase(ws, '2.1.4');
    expect((await ws.cli(['plan', '--out', 'plan.json'])).code).toBe(0);
    const applied = await ws.cli(['apply', '--plan', 'plan.json', '--explain']);
    expect(applied.code, applied.stderr).toBe(0);
    expect(applied.stdout).toContain('# from environments/bases/python.yaml:6:26');
    expect(applied.stdout).toContain('Apply complete: 0 created, 3 updated');
  });

  it('a removal in a child plans only that child, and --explain names the remove entry', async () => {
    ws.files({
      'a.yaml': 'name: data-a\nextends: bases/python.yaml\nremove:\n  packages: {pip: [Pandas]}\n',
    });
    const r = await ws.cli(['plan', '--explain']);
    expect(r.stdout).toContain('  ~ data-a (');
    expect(r.stdout).toContain('- config.packages.pip: "pandas==2.2.0"  # from environments/a.yaml:4:20');
    expect(r.stdout).not.toContain('data-b (');
    // The change comes from the environment's own file, not from the base: nothing to group.
    expect(r.stdout).not.toContain('Changes from bases');
    expect(r.stdout).toContain('Plan: 0 to create, 1 to update, 0 to recreate, 0 to archive.');
  });

  it('records the merged config: the hash, the changelog, history, resolve and show all see it', async () => {
    const merged = {
      type: 'cloud' as const,
      packages: { pip: ['numpy==2.1.3', 'pandas==2.2.0'] },
      networking: {
        type: 'limited' as const,
        allowed_hosts: ['api.example.com'],
        allow_package_managers: true,
      },
    };
    const created = ws.entries().find((e) => e.op === 'create' && e.name === 'data-b');
    expect(created?.config_hash).toBe(configHash(merged));
    expect(created?.metadata).toEqual({ team: 'research', owner: 'bob' });
    expect(created?.source).toBe('environments/b.yaml:1');
    const live = (await ws.live()).find((e) => e.name === 'data-b');
    expect(live?.config).toMatchObject({ packages: { pip: ['numpy==2.1.3', 'pandas==2.2.0'] } });

    threeOnOneBase(ws, '2.1.4');
    expect((await ws.cli(['apply', '--auto-approve'])).code).toBe(0);
    const after = configHash({ ...merged, packages: { pip: ['numpy==2.1.4', 'pandas==2.2.0'] } });
    const updates = ws.entries().filter((e) => e.op === 'update');
    expect(updates.map((e) => e.name).sort()).toEqual(['data-a', 'data-b', 'data-c']);
    expect(updates.find((e) => e.name === 'data-b')?.config_hash).toBe(after);

    const history = await ws.cli(['history', 'data-b']);
    expect(history.stdout).toContain('~ config.packages.pip: "numpy==2.1.3" → "numpy==2.1.4"');

    const at = updates.find((e) => e.name === 'data-b')?.at as string;
    const before = new Date(Date.parse(at) - 1).toISOString();
    const resolve = async (time: string) =>
      JSON.parse((await ws.cli(['resolve', 'data-b', '--at', time, '--format', 'json'])).stdout) as {
        env_id: string;
        config_hash: string;
      };
    expect((await resolve(before)).config_hash).toBe(configHash(merged));
    const now = await resolve(at);
    expect(now.config_hash).toBe(after);

    // What the ID served then, as a plain file: the merged config, no extends.
    const shown = await ws.cli(['show', now.env_id, '--at', at, '--format', 'json']);
    const doc = JSON.parse(shown.stdout) as { config_hash: string; environment: Record<string, unknown> };
    expect(doc.config_hash).toBe(after);
    expect(doc.environment).toEqual({
      name: 'data-b',
      metadata: { team: 'research', owner: 'bob' },
      config: {
        type: 'cloud',
        packages: { pip: ['numpy==2.1.4', 'pandas==2.2.0'] },
        networking: {
          type: 'limited',
          allowed_hosts: ['api.example.com'],
          allow_mcp_servers: false,
          allow_package_managers: true,
        },
      },
    });
    expect((await ws.cli(['plan', '--detailed-exitcode'])).code).toBe(0);
  });

  it('a base outside the environments folder, inside the project, is read; outside the project it is refused', async () => {
    const dir = ws.dir;
    mkdirSync(path.join(dir, 'bases'));
    cpSync(path.join(ws.envDir, 'bases/python.yaml'), path.join(dir, 'bases/python.yaml'));
    ws.files({ 'a.yaml': 'name: data-a\nextends: ../bases/python.yaml\n' });
    const r = await ws.cli(['plan', '--format', 'json']);
    expect(r.code, r.stderr).toBe(0);
    const plan = JSON.parse(r.stdout) as Plan;
    expect(plan.actions.find((x) => x.name === 'data-a')?.kind).toBe('noop');
    expect(plan.files.map((f) => f.file)).toContain('bases/python.yaml');
    ws.files({ 'a.yaml': 'name: data-a\nextends: ../../bases/python.yaml\n' });
    const refused = await ws.cli(['plan']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('environments/a.yaml:2:10');
    expect(refused.stderr).toContain('leads outside the project');
  });
});
