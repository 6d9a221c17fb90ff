// Audit views across a rename: the environment is listed once, under its current name, and a time before
// the rename resolves the new name to the same ID, served under its old name.

import { describe, expect, it } from 'vitest';
import { parseQueryTime, resolveAt } from '../../../src/changelog/query.js';
import { currentNames, historyAll, historyOf } from '../../../src/changelog/timeline.js';
import { EnvsyncError } from '../../../src/errors.js';
import { chain, pip } from './factories.js';

const NOW = new Date('2026-12-01T00:00:00Z');
const at = (text: string) => parseQueryTime(text, NOW);

/** etl created, renamed to etl-pipeline (with the empty update older applies wrote after it), then a new etl. */
function renamedLog(withEcho: boolean) {
  return chain([
    { op: 'create', at: '2026-10-01T09:00:00Z', name: 'etl', env_id: 'env_1', config: pip('x==1') },
    {
      op: 'rename',
      at: '2026-10-02T09:00:00Z',
      name: 'etl-pipeline',
      env_id: 'env_1',
      config: pip('x==1'),
      detail: 'renamed from etl (lifecycle.previous_names)',
      plan_id: 'plan_2',
    },
    ...(withEcho
      ? [
          {
            op: 'update' as const,
            at: '2026-10-02T09:00:00Z',
            name: 'etl-pipeline',
            env_id: 'env_1',
            config: pip('x==1'),
            plan_id: 'plan_2',
          },
        ]
      : []),
    {
      op: 'update',
      at: '2026-10-03T09:00:00Z',
      name: 'etl-pipeline',
      env_id: 'env_1',
      config: pip('x==1'),
      description: 'described',
      plan_id: 'plan_3',
    },
    { op: 'create', at: '2026-10-04T09:00:00Z', name: 'etl', env_id: 'env_2', config: pip('y==1') },
  ]);
}

describe.each([
  ['with', true],
  ['without', false],
])('a renamed environment in the audit views (%s the empty update after the rename)', (_, echo) => {
  const log = renamedLog(echo);

  it('history of every name lists the renamed ID once, under its current name, with its steps before the rename', () => {
    const all = historyAll(log);
    expect(all.map((h) => [h.name, h.env_ids])).toEqual([
      ['etl', ['env_2']],
      ['etl-pipeline', ['env_1']],
    ]);
    expect(all[1]?.steps.map((s) => s.entry.op)).toEqual(['create', 'rename', 'update']);
    expect(all[1]?.steps[1]?.changes).toEqual([
      { op: 'set', path: 'name', before: 'etl', after: 'etl-pipeline' },
    ]);
  });

  it('history of the old name still shows where its environment went, with no empty step', () => {
    expect(historyOf(log, 'etl').steps.map((s) => [s.entry.op, s.entry.env_id])).toEqual([
      ['create', 'env_1'],
      ['rename', 'env_1'],
      ['update', 'env_1'],
      ['create', 'env_2'],
    ]);
  });

  it('resolve NEW before the rename answers with the same ID, served as the old name', () => {
    const r = resolveAt(log, 'etl-pipeline', at('2026-10-01T12:00:00Z'));
    expect([r.env_id, r.served_as]).toEqual(['env_1', 'etl']);
    const after = resolveAt(log, 'etl-pipeline', at('2026-10-03T12:00:00Z'));
    expect([after.env_id, after.served_as]).toEqual(['env_1', null]);
    // The old name, before and after: itself then, the new environment later; in between, nothing.
    expect(resolveAt(log, 'etl', at('2026-10-01T12:00:00Z')).env_id).toBe('env_1');
    expect(resolveAt(log, 'etl', at('now')).env_id).toBe('env_2');
    expect(() => resolveAt(log, 'etl', at('2026-10-02T12:00:00Z'))).toThrow(EnvsyncError);
  });

  it('resolve NEW before the environment existed at all is still "did not exist"', () => {
    expect(() => resolveAt(log, 'etl-pipeline', at('2026-09-30T00:00:00Z'))).toThrow(/did not exist/);
  });
});

describe('currentNames', () => {
  it('files a replaced ID under its replacer, following a chain of recreates to the newest name', () => {
    const log = chain([
      { op: 'create', at: '2026-10-01T00:00:00Z', name: 'a', env_id: 'env_1', config: pip('x==1') },
      {
        op: 'recreate',
        at: '2026-10-02T00:00:00Z',
        name: 'a',
        env_id: 'env_2',
        replaces: 'env_1',
        config: pip('x==2'),
      },
      {
        op: 'archive',
        at: '2026-10-02T00:00:01Z',
        name: 'a~0123abcd',
        env_id: 'env_1',
        config: pip('x==1'),
      },
      { op: 'rename', at: '2026-10-03T00:00:00Z', name: 'b', env_id: 'env_2', config: pip('x==2') },
    ]);
    expect(Object.fromEntries(currentNames(log))).toEqual({ env_1: 'b', env_2: 'b' });
    expect(historyAll(log).map((h) => [h.name, h.env_ids])).toEqual([['b', ['env_1', 'env_2']]]);
  });

  it('keeps an update that changed something after a rename in the same run', () => {
    const log = chain([
      { op: 'create', at: '2026-10-01T00:00:00Z', name: 'a', env_id: 'env_1', config: pip('x==1') },
      {
        op: 'rename',
        at: '2026-10-02T00:00:00Z',
        name: 'b',
        env_id: 'env_1',
        config: pip('x==1'),
        plan_id: 'p',
      },
      {
        op: 'update',
        at: '2026-10-02T00:00:00Z',
        name: 'b',
        env_id: 'env_1',
        config: pip('x==2'),
        plan_id: 'p',
      },
    ]);
    expect(historyOf(log, 'b').steps.map((s) => s.entry.op)).toEqual(['create', 'rename', 'update']);
  });
});
