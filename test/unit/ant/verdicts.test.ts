// Every entry of claude-lock.json gets a verdict and a reason: the table of what import takes and refuses.

import { describe, expect, it } from 'vitest';
import type { AntLockResource } from '../../../src/ant/lock.js';
import { type FileState, type Retrieved, verdictOf } from '../../../src/ant/verdicts.js';
import type { AntRefusal, AntVerdict } from '../../../src/model.js';
import { desiredEnv, liveEnv, SELF_HOSTED, TEST_PROJECT } from '../plan/factories.js';

const resource = (kind = 'environment'): AntLockResource => ({
  key: './environments/web.yaml',
  kind,
  id: 'env_1',
  abs: '/repo/environments/web.yaml',
  location: { file: 'claude-lock.json', line: 9, column: 5 },
  index: 0,
});

const declared = (...names: string[]): FileState => ({
  kind: 'declared',
  environments: names.map((n) => desiredEnv(n)),
});
const live = (o: Parameters<typeof liveEnv>[2] = {}, name = 'web'): Retrieved => ({
  kind: 'live',
  env: liveEnv(name, 'env_1', { managed: false, ...o }),
});

function verdict(
  state: FileState,
  retrieved: Retrieved | null,
  o: { kind?: string; recorded?: boolean } = {},
): [AntVerdict, AntRefusal | null] {
  const { outcome } = verdictOf({
    resource: resource(o.kind),
    lock: 'claude-lock.json',
    file: 'environments/web.yaml',
    state,
    retrieved,
    owner: { project: TEST_PROJECT, recorded: () => o.recorded === true },
    dirs: 'environments',
  });
  return [outcome.verdict, outcome.reason];
}

describe('verdictOf', () => {
  it.each<
    [
      string,
      FileState,
      Retrieved | null,
      { kind?: string; recorded?: boolean },
      AntVerdict,
      AntRefusal | null,
    ]
  >([
    ['an environment made by ant, as its file says', declared('web'), live(), {}, 'adopt', null],
    ['an agent', declared('web'), null, { kind: 'agent' }, 'stays', 'another_kind'],
    ['gone (404)', declared('web'), { kind: 'gone' }, {}, 'refused', 'gone'],
    [
      'archived',
      declared('web'),
      {
        kind: 'live',
        env: { ...liveEnv('web', 'env_1', { managed: false }), archived_at: '2026-11-30T00:00:00Z' },
      },
      {},
      'refused',
      'archived',
    ],
    [
      'unreadable',
      declared('web'),
      { kind: 'unreadable', problem: 'config.type: gpu' },
      {},
      'refused',
      'unreadable',
    ],
    ['renamed in the console', declared('web'), live({}, 'web-by-hand'), {}, 'refused', 'renamed'],
    ['a Markdown file', { kind: 'not_yaml' }, live(), {}, 'refused', 'not_yaml'],
    ['a missing file', { kind: 'missing' }, live(), {}, 'refused', 'no_file'],
    ['a file outside the folders', { kind: 'outside_dirs' }, live(), {}, 'refused', 'outside_dirs'],
    ['a file that declares nothing', { kind: 'no_environment' }, live(), {}, 'refused', 'no_environment'],
    ['a file with two environments', declared('web', 'api'), live(), {}, 'refused', 'several_environments'],
    ["another project's", declared('web'), live({ managed: 'team-b' }), {}, 'refused', 'other_project'],
    [
      "this project's, recorded: taken before",
      declared('web'),
      live({ managed: true }),
      { recorded: true },
      'already',
      null,
    ],
    [
      "this project's tag the changelog does not record",
      declared('web'),
      live({ managed: true }),
      {},
      'refused',
      'changelog_behind',
    ],
    ['its tags stripped, recorded here', declared('web'), live(), { recorded: true }, 'already', null],
    [
      'a config type the file does not say',
      declared('web'),
      live({ config: SELF_HOSTED }),
      {},
      'refused',
      'type_change',
    ],
  ])('%s', (_what, state, retrieved, o, v, reason) => {
    expect(verdict(state, retrieved, o)).toEqual([v, reason]);
  });

  it('a candidate carries the file’s environment and the live one, and every refusal says what to do', () => {
    const ok = verdictOf({
      resource: resource(),
      lock: 'claude-lock.json',
      file: 'environments/web.yaml',
      state: declared('web'),
      retrieved: live(),
      owner: { project: TEST_PROJECT, recorded: () => false },
      dirs: 'environments',
    });
    expect(ok.candidate).toMatchObject({
      desired: { name: 'web' },
      env: { id: 'env_1' },
      file: 'environments/web.yaml',
    });
    const refused = verdictOf({
      resource: resource(),
      lock: 'claude-lock.json',
      file: 'environments/web.yaml',
      state: declared('web'),
      retrieved: { kind: 'gone' },
      owner: { project: TEST_PROJECT, recorded: () => false },
      dirs: 'environments',
    });
    expect(refused.candidate).toBeNull();
    expect(refused.outcome.hint).toContain(
      'remove the entry "./environments/web.yaml" from claude-lock.json',
    );
    expect(refused.outcome.location).toEqual({ file: 'claude-lock.json', line: 9, column: 5 });
  });
});
