// Planner scenarios for names in the files: create, noop, update, drift on them, recreate.

import { expect } from 'vitest';
import { retiredName } from '../../../src/domain/naming.js';
import { configHash } from '../../../src/hash/config-hash.js';
import { desiredEnv, LIMITED, liveEnv, PANDAS, SELF_HOSTED } from './factories.js';
import type { Scenario } from './scenarios.js';

const unrestrictedPandas = { type: 'cloud' as const, packages: { pip: ['pandas==2.2.0'] } };
const recreate = { on_config_change: 'recreate' as const };

export const changeScenarios: Scenario[] = [
  {
    name: 'desired, nothing live: create',
    desired: [desiredEnv('data', { config: PANDAS })],
    live: [],
    actions: { data: 'create' },
    changes: { data: [{ op: 'add', path: 'config.packages.pip', value: 'pandas==2.2.0' }] },
    widening: { data: ['network_unrestricted'] },
    check: (plan) => {
      expect(plan.absent).toEqual(['data']);
      expect(plan.live).toEqual([]);
      const a = plan.actions[0];
      expect(a?.kind === 'create' && a.desired.source).toBe('environments/data.yaml:3');
    },
  },
  {
    name: 'create with a limited allow-list and no allow_* flags does not widen',
    desired: [
      desiredEnv('locked', { config: { networking: { type: 'limited', allowed_hosts: ['a.example'] } } }),
    ],
    live: [],
    actions: { locked: 'create' },
    widening: { locked: [] },
  },
  {
    name: 'managed, everything equal: noop',
    desired: [desiredEnv('data', { config: PANDAS })],
    live: [liveEnv('data', 'env_1', { config: PANDAS })],
    actions: { data: 'noop' },
    check: (plan) => {
      expect(plan.live).toEqual([
        { id: 'env_1', name: 'data', updated_at: '2026-11-02T10:00:00Z', config_hash: configHash(PANDAS) },
      ]);
      expect(plan.actions[0]?.changes).toEqual([]);
    },
  },
  {
    name: 'defaults omitted in the file, spelled out live with lists in another order: noop',
    desired: [
      desiredEnv('data', {
        config: {
          packages: { pip: ['b==1', 'a==1', 'a==1'] },
          networking: {
            type: 'limited',
            allowed_hosts: ['z.example', 'a.example'],
            allow_package_managers: true,
          },
        },
      }),
    ],
    live: [
      liveEnv('data', 'env_1', {
        rawConfig: {
          type: 'cloud',
          packages: { type: 'packages', apt: [], cargo: [], gem: [], go: [], npm: [], pip: ['a==1', 'b==1'] },
          networking: {
            type: 'limited',
            allowed_hosts: ['a.example', 'z.example'],
            allow_mcp_servers: false,
            allow_package_managers: true,
          },
        },
      }),
    ],
    actions: { data: 'noop' },
  },
  {
    name: 'same config, description differs: update in place',
    desired: [desiredEnv('data', { config: PANDAS, description: 'new words' })],
    live: [liveEnv('data', 'env_1', { config: PANDAS, description: 'old words' })],
    actions: { data: 'update' },
    changes: { data: [{ op: 'set', path: 'description', before: 'old words', after: 'new words' }] },
    check: (plan) => expect(plan.actions[0]?.changes).toHaveLength(1),
  },
  {
    name: 'metadata compared per key, reserved keys never shown',
    desired: [desiredEnv('data', { metadata: { team: 'ml', owner: 'ana' } })],
    live: [liveEnv('data', 'env_1', { metadata: { team: 'research', cost: 'rd-1' } })],
    actions: { data: 'update' },
    changes: {
      data: [
        { op: 'set', path: 'metadata.team', before: 'research', after: 'ml' },
        { op: 'set', path: 'metadata.cost', before: 'rd-1', after: null },
        { op: 'set', path: 'metadata.owner', before: null, after: 'ana' },
      ],
    },
    check: (plan) => expect(JSON.stringify(plan.actions[0]?.changes)).not.toContain('envsync'),
  },
  {
    name: 'managed, config differs: update in place by default',
    desired: [desiredEnv('data', { config: { packages: { pip: ['pandas==2.2.0', 'polars==1.0.0'] } } })],
    live: [liveEnv('data', 'env_1', { config: PANDAS })],
    actions: { data: 'update' },
    changes: { data: [{ op: 'add', path: 'config.packages.pip', value: 'polars==1.0.0' }] },
    widening: { data: [] },
    check: (plan) => {
      const a = plan.actions[0];
      expect(a?.kind === 'update' && a.from_hash).toBe(configHash(PANDAS));
    },
  },
  {
    name: 'limited → unrestricted is widening',
    desired: [desiredEnv('data', { config: unrestrictedPandas })],
    live: [liveEnv('data', 'env_1', { config: LIMITED })],
    actions: { data: 'update' },
    changes: {
      data: [{ op: 'set', path: 'config.networking.type', before: 'limited', after: 'unrestricted' }],
    },
    widening: { data: ['network_unrestricted'] },
  },
  {
    name: 'a new allowed host is widening; a removed one is not',
    desired: [
      desiredEnv('data', {
        config: {
          ...LIMITED,
          networking: { type: 'limited', allowed_hosts: ['b.example'], allow_package_managers: true },
        },
      }),
    ],
    live: [liveEnv('data', 'env_1', { config: LIMITED })],
    actions: { data: 'update' },
    changes: {
      data: [
        { op: 'remove', path: 'config.networking.allowed_hosts', value: 'api.example.com' },
        { op: 'add', path: 'config.networking.allowed_hosts', value: 'b.example' },
      ],
    },
    widening: { data: ['host_added'] },
  },
  {
    name: 'drift: config changed behind envsync, files still say the tagged config',
    desired: [desiredEnv('data', { config: PANDAS })],
    live: [
      liveEnv('data', 'env_1', { config: { packages: { pip: ['pandas==2.1.0'] } }, tag: configHash(PANDAS) }),
    ],
    actions: { data: 'update' },
    drift: ['data'],
    changes: {
      data: [{ op: 'set', path: 'config.packages.pip', before: 'pandas==2.1.0', after: 'pandas==2.2.0' }],
    },
    check: (plan) => {
      const drift = plan.actions[0]?.drift;
      expect(drift?.kind).toBe('config_changed');
      expect(drift?.observed_hash).toBe(configHash({ packages: { pip: ['pandas==2.1.0'] } }));
      expect(plan.summary.drift).toBe(1);
    },
  },
  {
    name: 'drift the files already match: update that only rewrites the tag',
    desired: [desiredEnv('data', { config: PANDAS })],
    live: [liveEnv('data', 'env_1', { config: PANDAS, tag: configHash({}) })],
    actions: { data: 'update' },
    drift: ['data'],
    check: (plan) => {
      expect(plan.actions[0]?.changes).toEqual([]);
      expect(plan.actions[0]?.drift?.detail).toContain('already match');
    },
  },
  {
    name: 'managed but the hash tag is missing: update with drift',
    desired: [desiredEnv('data', { config: PANDAS })],
    live: [liveEnv('data', 'env_1', { config: PANDAS, tag: null })],
    actions: { data: 'update' },
    drift: ['data'],
    check: (plan) => expect(plan.actions[0]?.drift?.detail).toContain('missing'),
  },
  {
    name: 'config.type changes: recreate (type_change)',
    desired: [desiredEnv('runner', { config: SELF_HOSTED })],
    live: [liveEnv('runner', 'env_1', { config: PANDAS })],
    actions: { runner: 'recreate' },
    changes: { runner: [{ op: 'set', path: 'config.type', before: 'cloud', after: 'self_hosted' }] },
    check: (plan) => {
      const a = plan.actions[0];
      expect(a?.kind).toBe('recreate');
      if (a?.kind !== 'recreate') return;
      expect(a.reason).toBe('type_change');
      expect(a.superseded_name).toBe(retiredName('runner', configHash(PANDAS)));
      expect(a.keep_superseded).toBe(false);
      expect(a.adopted).toBe(false);
      expect(plan.absent).toEqual([a.superseded_name]);
    },
  },
  {
    name: 'on_config_change recreate, config differs: recreate (lifecycle) that archives the old one',
    desired: [desiredEnv('img', { config: PANDAS, lifecycle: recreate })],
    live: [liveEnv('img', 'env_1', { config: {} })],
    actions: { img: 'recreate' },
    check: (plan) => {
      const a = plan.actions[0];
      expect(a?.kind === 'recreate' && [a.reason, a.keep_superseded]).toEqual(['lifecycle', false]);
    },
  },
  {
    name: 'on_config_change recreate with keep_superseded',
    desired: [desiredEnv('img', { config: PANDAS, lifecycle: { ...recreate, keep_superseded: true } })],
    live: [liveEnv('img', 'env_1', { config: {} })],
    actions: { img: 'recreate' },
    check: (plan) => {
      const a = plan.actions[0];
      expect(a?.kind === 'recreate' && a.keep_superseded).toBe(true);
    },
  },
  {
    name: 'on_config_change recreate but only the description differs: update in place',
    desired: [desiredEnv('img', { config: PANDAS, description: 'b', lifecycle: recreate })],
    live: [liveEnv('img', 'env_1', { config: PANDAS, description: 'a' })],
    actions: { img: 'update' },
  },
  {
    name: 'prevent_archive blocks a recreate that would archive',
    desired: [desiredEnv('img', { config: PANDAS, lifecycle: { ...recreate, prevent_archive: true } })],
    live: [liveEnv('img', 'env_1', { config: {} })],
    actions: {},
    blocked: [['prevent_archive', 'img']],
  },
  {
    name: 'prevent_archive with keep_superseded: the recreate archives nothing, so it goes ahead',
    desired: [
      desiredEnv('img', {
        config: SELF_HOSTED,
        lifecycle: { keep_superseded: true, prevent_archive: true },
      }),
    ],
    live: [liveEnv('img', 'env_1', { config: {} })],
    actions: { img: 'recreate' },
  },
];
