// Environment files from live environments: the exact YAML, what cannot be expressed, file names, the round trip.

import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { userMetadata } from '../../../src/domain/ownership.js';
import { checkEnvironmentText, fileNameFor } from '../../../src/export/environment-file.js';
import { configHash, normalizeConfig } from '../../../src/hash/config-hash.js';
import { type ExportOptions, planExport } from '../../../src/workflow/export.js';
import { shippedSchemaFrom } from '../../helpers/cli.js';
import { liveEnv, TEST_PROJECT } from '../plan/factories.js';

const root = '/project';
const options: ExportOptions = {
  outDir: path.join(root, 'environments'),
  projectRoot: root,
  which: 'all',
  names: [],
  declared: new Map(),
  existingFiles: new Set(),
  owner: { project: TEST_PROJECT, recorded: () => false },
};

describe('planExport', () => {
  it('writes a limited-networking environment with packages as lists, leaving the reserved tags out', () => {
    const env = liveEnv('data', 'env_1', {
      description: 'Data: the "stack"',
      metadata: { team: 'research', 'cost-center': '142' },
      config: {
        type: 'cloud',
        packages: { pip: ['pandas==2.2.0', 'numpy==2.1.3'], apt: ['curl=7.88.1'] },
        networking: {
          type: 'limited',
          allowed_hosts: ['https://b.example.com', 'a.example.com'],
          allow_package_managers: true,
        },
      },
    });
    const [file] = planExport([env], options).files;
    expect(file?.shown).toBe('environments/data.yaml');
    expect(file?.text).toBe(
      [
        `# yaml-language-server: $schema=${shippedSchemaFrom(options.outDir)}`,
        `# Exported from env_1 (managed by envsync); config hash ${configHash(env.config)}.`,
        'name: data',
        `description: 'Data: the "stack"'`,
        'metadata:',
        '  team: research',
        '  cost-center: "142"',
        'config:',
        '  type: cloud',
        '  packages:',
        '    apt:',
        '      - curl=7.88.1',
        '    pip:',
        '      - numpy==2.1.3',
        '      - pandas==2.2.0',
        '  networking:',
        '    type: limited',
        '    allowed_hosts:',
        '      - a.example.com',
        '      - https://b.example.com',
        '    allow_mcp_servers: false',
        '    allow_package_managers: true',
        '',
      ].join('\n'),
    );
  });

  it('writes scope for self-hosted environments only', () => {
    const plan = planExport(
      [
        liveEnv('runner', 'env_1', {
          config: { type: 'self_hosted' },
          scope: 'organization',
          managed: false,
        }),
        liveEnv('cloud', 'env_2', { scope: 'organization', managed: false }),
      ],
      options,
    );
    const docs = plan.files.map((f) => parse(f.text));
    expect(docs).toEqual([
      {
        name: 'cloud',
        description: 'cloud env',
        metadata: { team: 'research' },
        config: { type: 'cloud', networking: { type: 'unrestricted' } },
      },
      {
        name: 'runner',
        description: 'runner env',
        metadata: { team: 'research' },
        scope: 'organization',
        config: { type: 'self_hosted' },
      },
    ]);
  });

  it('leaves unmanaged environments out unless asked, and counts them', () => {
    const plan = planExport([liveEnv('m', 'env_1'), liveEnv('u', 'env_2', { managed: false })], {
      ...options,
      which: 'managed',
    });
    expect([plan.files.map((f) => f.name), plan.unmanagedLeftOut]).toEqual([['m'], 1]);
  });

  it('exports only unmanaged ones, only the names asked for, never a name a file declares, never onto a file', () => {
    const live = [
      liveEnv('mine', 'env_1'),
      liveEnv('hand-a', 'env_2', { managed: false }),
      liveEnv('hand-b', 'env_3', { managed: false }),
      liveEnv('hand-c', 'env_4', { managed: false }),
      liveEnv('theirs', 'env_5', { managed: 'team-b' }),
    ];
    const plan = planExport(live, {
      ...options,
      which: 'unmanaged',
      names: ['hand-a', 'hand-b', 'theirs', 'nowhere'],
      declared: new Map([['hand-b', 'environments/b.yaml:1']]),
      existingFiles: new Set(['hand-a.yaml']),
    });
    expect(plan.files.map((f) => [f.name, path.basename(f.path)])).toEqual([['hand-a', 'hand-a-2.yaml']]);
    expect(plan.skipped.map((s) => [s.name, s.reason])).toEqual([
      ['hand-b', 'already declared in environments/b.yaml:1'],
      ['theirs', 'belongs to project "team-b"'],
    ]);
    expect(plan.unknownNames).toEqual(['nowhere']);
  });

  it('skips, with a reason, what a file cannot express', () => {
    const many = Object.fromEntries(Array.from({ length: 15 }, (_, i) => [`k${i}`, 'v']));
    const plan = planExport(
      [
        liveEnv('many', 'env_1', { managed: false, metadata: many }),
        liveEnv('tagged', 'env_2', { managed: false, metadata: { envsync_owner: 'me' } }),
        liveEnv('old~1a2b3c4d', 'env_3'),
        liveEnv('odd~name', 'env_4', { managed: false }),
        liveEnv('twin', 'env_5', { managed: false }),
        liveEnv('twin', 'env_6'),
        liveEnv('http', 'env_7', {
          managed: false,
          config: { networking: { type: 'limited', allowed_hosts: ['http://x.example.com'] } },
        }),
      ],
      options,
    );
    expect(plan.files.map((f) => f.env_id)).toEqual(['env_6']);
    expect(plan.skipped.map((s) => [s.env_id, s.reason])).toEqual([
      [
        'env_7',
        'would not validate: config.networking.allowed_hosts[0]: "http://x.example.com" uses plain http://',
      ],
      ['env_1', "15 metadata keys; a file holds at most 14 (envsync adds 2 of the API's 16)"],
      [
        'env_4',
        'its name holds `~`, which environment files reserve for superseded environments; rename it first',
      ],
      [
        'env_3',
        'a superseded environment (`<name>~<hash>`): the file of its name keeps it, so it gets no file of its own',
      ],
      ['env_2', "metadata key envsync_owner looks like envsync's reserved keys; rename them first"],
      ['env_5', "envsync's env_6 has the same name; rename one"],
    ]);
  });

  it('writes files that validate and hash back to the live config', () => {
    const envs = [
      liveEnv('a', 'env_1', {
        description: 'x'.repeat(300),
        config: { packages: { npm: ['express@4.18.0'] } },
      }),
      liveEnv('b', 'env_2', {
        description: null,
        metadata: {},
        config: { type: 'self_hosted' },
        scope: 'account',
      }),
      liveEnv('c', 'env_3', { metadata: { yes: 'no', '1': 'true', 'a: b': '#x' } }),
    ];
    for (const [i, f] of planExport(envs, options).files.entries()) {
      expect(checkEnvironmentText(f.shown, f.text)).toEqual([]);
      const doc = parse(f.text);
      expect(configHash(normalizeConfig(doc.config))).toBe(configHash(envs[i]?.config));
      expect(doc.description ?? null).toBe(envs[i]?.description);
      expect(doc.metadata ?? {}).toEqual(userMetadata(envs[i]?.metadata ?? {}));
    }
  });
});

describe('fileNameFor', () => {
  it('makes names filesystem-safe and unique, case-insensitively', () => {
    const taken = new Set<string>();
    expect(
      ['My Env/1', 'my-env-1', '..hidden', '', 'con', 'données', 'a'.repeat(300)].map((n) =>
        fileNameFor(n, taken),
      ),
    ).toEqual([
      'My-Env-1.yaml',
      'my-env-1-2.yaml',
      'hidden.yaml',
      'environment.yaml',
      'con-env.yaml',
      'donn-es.yaml',
      `${'a'.repeat(100)}.yaml`,
    ]);
  });
});
