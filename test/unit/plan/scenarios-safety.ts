// Planner scenarios for safety and housekeeping: adopt, blocks, archives, retired names, changelog drift, targets.

import { expect } from 'vitest';
import { retiredName } from '../../../src/domain/naming.js';
import { configHash } from '../../../src/hash/config-hash.js';
import { desiredEnv, liveEnv, PANDAS, recordedEnv, SELF_HOSTED } from './factories.js';
import type { Scenario } from './scenarios.js';

const recreate = { on_config_change: 'recreate' as const };

const refs = (deployments: Array<[string, 'active' | 'paused']>, recent = 0) => ({
  sessions_since: '2026-11-20T12:00:00Z',
  byEnv: {
    env_1: {
      deployments: deployments.map(([name, status], i) => ({ id: `depl_${i + 1}`, name, status })),
      recent_sessions: recent,
    },
  },
});

/** What a claude-lock.json tracks: the lock, its key, the file from the project root, the ID. */
const antLock = (file: string, envId: string) => ({
  lock: 'claude-lock.json',
  key: `./${file}`,
  file,
  env_id: envId,
});

export const safetyScenarios: Scenario[] = [
  {
    name: 'a file ant apply still tracks: blocked as managed_by_ant, the lock and ID named, even with --adopt',
    desired: [desiredEnv('cloud')],
    live: [liveEnv('cloud', 'env_1', { managed: false, description: 'changed by hand' })],
    options: { adopt: true, antTracked: [antLock('environments/cloud.yaml', 'env_1')] },
    actions: {},
    blocked: [['managed_by_ant', 'cloud']],
    check: (plan) => {
      expect(plan.blocked[0]).toMatchObject({
        env_id: 'env_1',
        message: 'cloud is managed by ant apply: claude-lock.json tracks env_1 as ./environments/cloud.yaml',
        hint: expect.stringContaining('`envsync import --from-ant claude-lock.json --apply --hand-over`'),
      });
      // Nothing else is planned for it: no adopt, no update behind ant's back, no create of a second one.
      expect(plan.actions).toEqual([]);
    },
  },
  {
    name: 'an ID ant tracks under another file still blocks the file that means it (by recorded ID)',
    desired: [desiredEnv('cloud')],
    live: [liveEnv('cloud', 'env_1', { description: 'drifted' })],
    recorded: [recordedEnv('cloud', 'env_1')],
    options: { antTracked: [antLock('ant/cloud.yaml', 'env_1')] },
    actions: {},
    blocked: [['managed_by_ant', 'cloud']],
  },
  {
    name: 'a file ant tracks whose ID is gone blocks the create too: ant would make its own on its next apply',
    desired: [desiredEnv('cloud')],
    live: [],
    options: { antTracked: [antLock('environments/cloud.yaml', 'env_9')] },
    actions: {},
    blocked: [['managed_by_ant', 'cloud']],
  },
  {
    name: 'what the lock tracks for other files and IDs leaves the rest of the plan alone',
    desired: [desiredEnv('mine'), desiredEnv('new')],
    live: [liveEnv('mine', 'env_1', { description: 'old' })],
    recorded: [recordedEnv('mine', 'env_1')],
    options: { antTracked: [antLock('environments/other.yaml', 'env_7')] },
    actions: { mine: 'update', new: 'create' },
  },
  {
    name: "another project's environment with a desired name: blocked with the owner named, even with --adopt",
    desired: [desiredEnv('shared')],
    live: [liveEnv('shared', 'env_1', { managed: 'team-b' })],
    options: { adopt: true },
    actions: {},
    blocked: [['foreign_owner', 'shared']],
    check: (plan) => expect(plan.blocked[0]?.message).toContain('belongs to project "team-b"'),
  },
  {
    name: "another project's and unmanaged environments no file asks for are never archived",
    desired: [],
    live: [liveEnv('theirs', 'env_1', { managed: 'team-b' }), liveEnv('hand', 'env_2', { managed: false })],
    actions: {},
  },
  {
    name: 'a legacy "true" tag this changelog records is this project\'s: the tag is rewritten in the plan',
    desired: [desiredEnv('old')],
    live: [liveEnv('old', 'env_1', { managed: 'true' })],
    recorded: [recordedEnv('old', 'env_1')],
    actions: { old: 'update' },
    changes: {
      old: [{ op: 'set', path: 'metadata.envsync_managed', before: 'true', after: 'test-project' }],
    },
  },
  {
    name: 'a legacy "true" tag this changelog does not record is not this project\'s: blocked by name, never archived',
    desired: [desiredEnv('old')],
    live: [liveEnv('old', 'env_1', { managed: 'true' }), liveEnv('gone', 'env_2', { managed: 'true' })],
    actions: {},
    blocked: [['foreign_owner', 'old']],
  },
  {
    name: 'archiving an ID an active deployment uses: blocked, the deployment named',
    desired: [],
    live: [liveEnv('old', 'env_1')],
    options: { references: refs([['nightly', 'active']], 3) },
    actions: {},
    blocked: [['referenced', 'old']],
    check: (plan) => expect(plan.blocked[0]?.message).toContain('nightly (depl_1, active)'),
  },
  {
    name: '--allow-referenced: the archive goes ahead and carries what references it',
    desired: [],
    live: [liveEnv('old', 'env_1')],
    options: { references: refs([['nightly', 'paused']], 3), allowReferenced: true },
    actions: { old: 'archive' },
    check: (plan) => {
      const a = plan.actions[0];
      expect(a?.kind === 'archive' && a.references).toEqual(refs([['nightly', 'paused']], 3).byEnv.env_1);
      expect(plan.references_since).toBe('2026-11-20T12:00:00Z');
    },
  },
  {
    name: 'recreating an ID a deployment uses: blocked, unless repoint_deployments moves it to the new ID',
    desired: [desiredEnv('imm', { config: PANDAS, lifecycle: recreate })],
    live: [liveEnv('imm', 'env_1', { config: {} })],
    options: { references: refs([['hourly', 'active']]) },
    actions: {},
    blocked: [['referenced', 'imm']],
    check: (plan) => expect(plan.blocked[0]?.hint).toContain('repoint_deployments'),
  },
  {
    name: 'recreate with repoint_deployments: the plan lists the deployments it moves',
    desired: [desiredEnv('imm', { config: PANDAS, lifecycle: { ...recreate, repoint_deployments: true } })],
    live: [liveEnv('imm', 'env_1', { config: {} })],
    options: { references: refs([['hourly', 'active']]) },
    actions: { imm: 'recreate' },
    check: (plan) => {
      const a = plan.actions[0];
      expect(a?.kind === 'recreate' && a.repoint).toEqual([
        { id: 'depl_1', name: 'hourly', status: 'active' },
      ]);
    },
  },
  {
    name: 'recreate keeping the superseded environment strands nothing: not blocked',
    desired: [desiredEnv('imm', { config: PANDAS, lifecycle: { ...recreate, keep_superseded: true } })],
    live: [liveEnv('imm', 'env_1', { config: {} })],
    options: { references: refs([['hourly', 'active']]) },
    actions: { imm: 'recreate' },
  },
  {
    name: 'unmanaged env with a desired name, no --adopt: blocked, the rest still planned',
    desired: [desiredEnv('hand'), desiredEnv('fresh')],
    live: [liveEnv('hand', 'env_1', { managed: false })],
    actions: { fresh: 'create' },
    blocked: [['unmanaged_conflict', 'hand']],
    check: (plan) => expect(plan.blocked[0]?.hint).toContain('envsync plan --adopt'),
  },
  {
    name: '--adopt, unmanaged env equal to its file: adopt with no field changes',
    desired: [desiredEnv('hand', { config: PANDAS })],
    live: [liveEnv('hand', 'env_1', { managed: false, config: PANDAS })],
    options: { adopt: true },
    actions: { hand: 'adopt' },
    check: (plan) => {
      expect(plan.actions[0]?.changes).toEqual([]);
      expect(plan.live.map((f) => f.id)).toEqual(['env_1']);
    },
  },
  {
    name: '--adopt, unmanaged env differs: adopt carries the changes',
    desired: [desiredEnv('hand', { config: PANDAS })],
    live: [liveEnv('hand', 'env_1', { managed: false, config: {}, description: 'by hand' })],
    options: { adopt: true },
    actions: { hand: 'adopt' },
    changes: {
      hand: [
        { op: 'set', path: 'description', before: 'by hand', after: 'hand env' },
        { op: 'add', path: 'config.packages.pip', value: 'pandas==2.2.0' },
      ],
    },
  },
  {
    name: '--adopt with a type change: recreate marked adopted',
    desired: [desiredEnv('hand', { config: SELF_HOSTED })],
    live: [liveEnv('hand', 'env_1', { managed: false, config: PANDAS })],
    options: { adopt: true },
    actions: { hand: 'recreate' },
    check: (plan) => {
      const a = plan.actions[0];
      expect(a?.kind === 'recreate' && [a.adopted, a.reason]).toEqual([true, 'type_change']);
      expect(a?.drift).toBeNull();
    },
  },
  {
    name: '--adopt with on_config_change recreate and a differing config: recreate marked adopted',
    desired: [desiredEnv('hand', { config: PANDAS, lifecycle: recreate })],
    live: [liveEnv('hand', 'env_1', { managed: false, config: {} })],
    options: { adopt: true },
    actions: { hand: 'recreate' },
    check: (plan) => {
      const a = plan.actions[0];
      expect(a?.kind === 'recreate' && [a.adopted, a.reason]).toEqual([true, 'lifecycle']);
    },
  },
  {
    name: 'managed, no longer desired: archive under its retired name',
    desired: [],
    live: [liveEnv('old', 'env_1', { config: PANDAS })],
    actions: { old: 'archive' },
    check: (plan) => {
      const a = plan.actions[0];
      const archived = retiredName('old', configHash(PANDAS));
      expect(a?.kind === 'archive' && a.archived_name).toBe(archived);
      expect(a?.changes).toEqual([{ op: 'set', path: 'name', before: 'old', after: archived }]);
      expect(plan.absent).toEqual([archived]);
    },
  },
  {
    name: 'a retired env whose base name is gone: archived under the name it has',
    desired: [],
    live: [liveEnv('old~0123abcd', 'env_1')],
    actions: { 'old~0123abcd': 'archive' },
    check: (plan) => {
      const a = plan.actions[0];
      expect(a?.kind === 'archive' && a.archived_name).toBe('old~0123abcd');
      expect(plan.absent).toEqual([]);
    },
  },
  {
    name: 'retired envs are kept when the base file has keep_superseded',
    desired: [desiredEnv('img', { config: PANDAS, lifecycle: { ...recreate, keep_superseded: true } })],
    live: [liveEnv('img', 'env_2', { config: PANDAS }), liveEnv('img~0123abcd', 'env_1')],
    actions: { img: 'noop' },
  },
  {
    name: 'retired envs are left alone when the base file has prevent_archive',
    desired: [desiredEnv('img', { config: PANDAS, lifecycle: { prevent_archive: true } })],
    live: [liveEnv('img', 'env_2', { config: PANDAS }), liveEnv('img~0123abcd', 'env_1')],
    recorded: [recordedEnv('img', 'env_2', PANDAS, { preventArchive: true })],
    actions: { img: 'noop' },
  },
  {
    name: 'prevent_archive turned on in a file: an update records it, though nothing live changes',
    desired: [desiredEnv('guarded', { config: PANDAS, lifecycle: { prevent_archive: true } })],
    live: [liveEnv('guarded', 'env_1', { config: PANDAS })],
    recorded: [recordedEnv('guarded', 'env_1', PANDAS)],
    actions: { guarded: 'update' },
    changes: { guarded: [{ op: 'set', path: 'lifecycle.prevent_archive', before: false, after: true }] },
    check: (plan) => expect(plan.actions[0]?.changes).toHaveLength(1),
  },
  {
    name: 'file removed, but it last applied prevent_archive: the archive is blocked',
    desired: [],
    live: [liveEnv('guarded', 'env_1', { config: PANDAS })],
    recorded: [recordedEnv('guarded', 'env_1', PANDAS, { preventArchive: true })],
    actions: {},
    blocked: [['prevent_archive', 'guarded']],
    check: (plan) => expect(plan.blocked[0]?.hint).toContain('prevent_archive: false'),
  },
  {
    name: 'file removed after prevent_archive was turned off and applied: archived',
    desired: [],
    live: [liveEnv('guarded', 'env_1', { config: PANDAS })],
    recorded: [recordedEnv('guarded', 'env_1', PANDAS, { preventArchive: false })],
    actions: { guarded: 'archive' },
  },
  {
    name: 'retired env whose base file does not keep superseded ones: archived',
    desired: [desiredEnv('img', { config: PANDAS, lifecycle: recreate })],
    live: [liveEnv('img', 'env_2', { config: PANDAS }), liveEnv('img~0123abcd', 'env_1')],
    actions: { img: 'noop', 'img~0123abcd': 'archive' },
  },
  {
    name: 'unmanaged envs nobody asks for are ignored entirely',
    desired: [],
    live: [liveEnv('hand', 'env_1', { managed: false })],
    actions: {},
    check: (plan) => {
      expect(plan.live).toEqual([]);
      expect(plan.blocked).toEqual([]);
    },
  },
  {
    name: 'duplicate live names, exactly one managed: the managed one wins',
    desired: [desiredEnv('data', { config: PANDAS })],
    live: [liveEnv('data', 'env_1', { managed: false }), liveEnv('data', 'env_2', { config: PANDAS })],
    actions: { data: 'noop' },
    check: (plan) => expect(plan.live.map((f) => f.id)).toEqual(['env_2']),
  },
  {
    name: 'duplicate live names, none managed: blocked even with --adopt',
    desired: [desiredEnv('data')],
    live: [liveEnv('data', 'env_1', { managed: false }), liveEnv('data', 'env_2', { managed: false })],
    options: { adopt: true },
    actions: {},
    blocked: [['unmanaged_conflict', 'data']],
  },
  {
    name: 'duplicate managed live names nobody asks for: both archived, under distinct names',
    desired: [],
    live: [liveEnv('dup', 'env_1'), liveEnv('dup', 'env_2')],
    actions: { dup: 'archive,archive' },
    check: (plan) => {
      const names = plan.actions.map((a) => (a.kind === 'archive' ? a.archived_name : ''));
      expect(new Set(names).size).toBe(2);
      expect(names[1]).toMatch(/~[0-9a-f]{8}-2$/);
    },
  },
  {
    name: 'more archives than --max-archive: one max_archive block, actions still listed',
    desired: [],
    live: [liveEnv('a', 'env_1'), liveEnv('b', 'env_2'), liveEnv('c', 'env_3')],
    options: { maxArchive: 2 },
    actions: { a: 'archive', b: 'archive', c: 'archive' },
    blocked: [['max_archive', null]],
    check: (plan) => expect(plan.blocked[0]?.hint).toContain('--max-archive 3'),
  },
  {
    name: 'archives exactly at --max-archive: not blocked',
    desired: [],
    live: [liveEnv('a', 'env_1'), liveEnv('b', 'env_2')],
    options: { maxArchive: 2 },
    actions: { a: 'archive', b: 'archive' },
  },
  {
    name: '--max-archive counts recreates that archive, not ones that keep the old env',
    desired: [
      desiredEnv('r1', { config: PANDAS, lifecycle: recreate }),
      desiredEnv('r2', { config: PANDAS, lifecycle: { ...recreate, keep_superseded: true } }),
    ],
    live: [liveEnv('r1', 'env_1'), liveEnv('r2', 'env_2'), liveEnv('gone', 'env_3')],
    options: { maxArchive: 1 },
    actions: { gone: 'archive', r1: 'recreate', r2: 'recreate' },
    blocked: [['max_archive', null]],
    check: (plan) => expect(plan.blocked[0]?.message).toContain('archives 2 environments'),
  },
  {
    name: 'recorded env gone, still desired: create marked drift (missing)',
    desired: [desiredEnv('data', { config: PANDAS })],
    live: [],
    recorded: [recordedEnv('data', 'env_9', PANDAS)],
    actions: { data: 'create' },
    drift: ['data'],
    check: (plan) => {
      expect(plan.actions[0]?.drift).toMatchObject({
        kind: 'missing',
        env_id: 'env_9',
        observed_hash: configHash(PANDAS),
      });
      expect(plan.drift).toEqual([]);
    },
  },
  {
    name: 'recorded env gone, not desired: a drift finding with no action',
    desired: [],
    live: [],
    recorded: [recordedEnv('old', 'env_9')],
    actions: {},
    looseDrift: ['old'],
    check: (plan) => {
      expect(plan.summary.drift).toBe(1);
      expect(plan.drift[0]).toMatchObject({ name: 'old', kind: 'missing', env_id: 'env_9' });
    },
  },
  {
    name: 'recorded env archived by envsync: no drift',
    desired: [],
    live: [],
    recorded: [recordedEnv('old', 'env_9', {}, { archived: true })],
    actions: {},
  },
  {
    name: 'recorded env gone but the name is live under another id: drift finding, not lost',
    desired: [desiredEnv('data', { config: PANDAS })],
    live: [liveEnv('data', 'env_2', { config: PANDAS })],
    recorded: [recordedEnv('data', 'env_1', PANDAS), recordedEnv('data', 'env_2', PANDAS)],
    actions: { data: 'noop' },
    looseDrift: ['data'],
  },
  {
    name: '--target plans only the named environments',
    desired: [desiredEnv('a'), desiredEnv('b')],
    live: [liveEnv('c', 'env_3'), liveEnv('hand', 'env_4', { managed: false })],
    recorded: [recordedEnv('gone', 'env_9')],
    options: { targets: ['b', 'c', 'b'] },
    actions: { b: 'create', c: 'archive' },
    check: (plan) => expect(plan.options.targets).toEqual(['b', 'c']),
  },
  {
    name: '--target naming nothing desired or live plans nothing',
    desired: [desiredEnv('a')],
    live: [liveEnv('b', 'env_2')],
    options: { targets: ['nope'] },
    actions: {},
  },
  {
    name: 'a retired name already in use (even by an archived env the changelog knows) gets a -N suffix',
    desired: [],
    live: [liveEnv('old', 'env_1', { config: PANDAS })],
    recorded: [recordedEnv(retiredName('old', configHash(PANDAS)), 'env_0', PANDAS, { archived: true })],
    actions: { old: 'archive' },
    check: (plan) => {
      const a = plan.actions[0];
      expect(a?.kind === 'archive' && a.archived_name).toBe(`${retiredName('old', configHash(PANDAS))}-2`);
    },
  },
  {
    name: 'scope is compared only when the file sets it',
    desired: [
      desiredEnv('sh', { config: SELF_HOSTED }),
      desiredEnv('sh2', { config: SELF_HOSTED, scope: 'account' }),
    ],
    live: [
      liveEnv('sh', 'env_1', { config: SELF_HOSTED, scope: 'organization' }),
      liveEnv('sh2', 'env_2', { config: SELF_HOSTED, scope: 'organization' }),
    ],
    actions: { sh: 'noop', sh2: 'update' },
    changes: { sh2: [{ op: 'set', path: 'scope', before: 'organization', after: 'account' }] },
  },
  {
    name: 'archive of an env whose config drifted carries the drift',
    desired: [],
    live: [liveEnv('old', 'env_1', { config: PANDAS, tag: configHash({}) })],
    actions: { old: 'archive' },
    drift: ['old'],
  },
  {
    name: 'nothing anywhere: an empty plan',
    desired: [],
    live: [],
    actions: {},
    check: (plan) => expect(plan.summary).toMatchObject({ create: 0, noop: 0, blocked: 0, drift: 0 }),
  },
];
