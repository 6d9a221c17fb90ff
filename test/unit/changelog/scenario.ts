// One recorded history for the query tests: creates, an in-place update, a recreate, a drift found and fixed, an archive.

import { configHash, shortHash } from '../../../src/hash/config-hash.js';
import { chain, pip } from './factories.js';

export const A1 = pip('pandas==2.2.0');
export const A2 = pip('pandas==2.2.1');
export const A_DRIFT = pip('pandas==2.2.1', 'requests==2.32.0');
export const R1 = pip('numpy==2.1.3');
export const R2 = pip('numpy==2.2.0');
export const R1_RETIRED = `r~${shortHash(configHash(R1))}`;

export const entries = chain([
  { op: 'begin', at: '2026-10-01T09:00:00.000Z' },
  {
    op: 'create',
    at: '2026-10-01T09:00:01.000Z',
    name: 'a',
    env_id: 'env_a',
    config: A1,
    description: 'A v1',
    metadata: { team: 'x' },
  },
  { op: 'create', at: '2026-10-01T09:00:02.000Z', name: 'r', env_id: 'env_r1', config: R1 },
  { op: 'create', at: '2026-10-01T09:00:03.000Z', name: 'z', env_id: 'env_z', config: {} },
  { op: 'end', at: '2026-10-01T09:00:04.000Z' },
  { op: 'begin', at: '2026-10-02T09:00:00.000Z', plan_id: 'plan_2' },
  {
    op: 'update',
    at: '2026-10-02T09:00:01.000Z',
    name: 'a',
    env_id: 'env_a',
    config: A2,
    description: 'A v2',
    metadata: { team: 'x' },
    plan_id: 'plan_2',
  },
  {
    op: 'recreate',
    at: '2026-10-02T09:00:02.000Z',
    name: 'r',
    env_id: 'env_r2',
    replaces: 'env_r1',
    config: R2,
    plan_id: 'plan_2',
  },
  {
    op: 'archive',
    at: '2026-10-02T09:00:03.000Z',
    name: R1_RETIRED,
    env_id: 'env_r1',
    config: R1,
    detail: 'superseded by env_r2',
    plan_id: 'plan_2',
  },
  {
    op: 'archive',
    at: '2026-10-02T09:00:04.000Z',
    name: 'z~44136fa3',
    env_id: 'env_z',
    config: {},
    detail: 'no longer desired (was z)',
    plan_id: 'plan_2',
  },
  { op: 'end', at: '2026-10-02T09:00:05.000Z', plan_id: 'plan_2' },
  { op: 'begin', at: '2026-10-03T10:00:00.000Z', plan_id: 'plan_3' },
  {
    op: 'drift',
    at: '2026-10-03T10:00:00.100Z',
    name: 'a',
    env_id: 'env_a',
    config: A_DRIFT,
    description: 'A v2',
    metadata: { team: 'x' },
    detail: 'live config no longer matches its tag',
    plan_id: 'plan_3',
  },
  {
    op: 'update',
    at: '2026-10-03T10:00:00.200Z',
    name: 'a',
    env_id: 'env_a',
    config: A2,
    description: 'A v2',
    metadata: { team: 'x' },
    plan_id: 'plan_3',
  },
  { op: 'end', at: '2026-10-03T10:00:00.300Z', plan_id: 'plan_3' },
]);
