// When the changelog is behind: live changes only another apply makes, as a table.

import { describe, expect, it } from 'vitest';
import { changelogBehind } from '../../../src/changelog/behind.js';
import { configHash } from '../../../src/hash/config-hash.js';
import type { LiveEnvironment } from '../../../src/model.js';
import { liveEnv, recordedEnv, TEST_PROJECT } from '../plan/factories.js';
import { pip } from './factories.js';

const rec = recordedEnv('a', 'env_a', pip('x==1'));
const known = { env_a: [configHash(pip('x==1'))] };
const base = {
  project: TEST_PROJECT,
  recorded: [rec],
  known,
  interrupted: false,
  uncertain: new Set<string>(),
};

const cases: Array<[string, LiveEnvironment[], Partial<typeof base>, string[]]> = [
  ['nothing new', [liveEnv('a', 'env_a', { config: pip('x==1') })], {}, []],
  [
    'a config this ID never had, tagged by envsync',
    [liveEnv('a', 'env_a', { config: pip('x==2') })],
    {},
    ['env_a'],
  ],
  ['an environment of this project it never heard of', [liveEnv('b', 'env_b')], {}, ['env_b']],
  [
    'a config changed by hand (tag not updated) is drift, not this',
    [liveEnv('a', 'env_a', { config: pip('x==2'), tag: configHash(pip('x==1')) })],
    {},
    [],
  ],
  [
    'a description changed under a known config is drift, not this',
    [liveEnv('a', 'env_a', { config: pip('x==1'), description: 'console' })],
    {},
    [],
  ],
  [
    'an earlier recorded config (reverted) is known',
    [liveEnv('a', 'env_a', { config: pip('x==0') })],
    { known: { env_a: [configHash(pip('x==0')), configHash(pip('x==1'))] } },
    [],
  ],
  [
    'another project’s environment is none of its business',
    [liveEnv('o', 'env_o', { managed: 'other' })],
    {},
    [],
  ],
  ['an interrupted run of this changelog explains it', [liveEnv('b', 'env_b')], { interrupted: true }, []],
  [
    'a write recorded as uncertain explains it (by ID)',
    [liveEnv('a', 'env_a', { config: pip('x==2') })],
    { uncertain: new Set(['env_a']) },
    [],
  ],
  [
    'a create recorded as uncertain explains it (by name)',
    [liveEnv('b', 'env_b')],
    { uncertain: new Set(['b']) },
    [],
  ],
  [
    'archived under its retired name: envsync archived it',
    [{ ...liveEnv('a~abcdef12', 'env_a', { config: pip('x==1') }), archived_at: '2026-11-03T00:00:00Z' }],
    {},
    ['env_a'],
  ],
  [
    'archived under its own name: a hand archive, drift',
    [{ ...liveEnv('a', 'env_a', { config: pip('x==1') }), archived_at: '2026-11-03T00:00:00Z' }],
    {},
    [],
  ],
];

describe('changelogBehind', () => {
  it.each(cases)('%s', (_title, live, over, ids) => {
    expect(changelogBehind({ ...base, ...over, live }).map((b) => b.env_id)).toEqual(ids);
  });
});
