// The history timeline: which env IDs served a name, and the field-level change of each step.

import { describe, expect, it } from 'vitest';
import { historyAll, historyOf, recordedNames, stepChanges } from '../../../src/changelog/timeline.js';
import { chain, pip } from './factories.js';
import { entries, R1_RETIRED } from './scenario.js';

const ops = (name: string) => historyOf(entries, name).steps.map((s) => [s.entry.op, s.entry.env_id]);

describe('historyOf', () => {
  it('follows a recreate: the old ID, the new one, and the old one archived under its retired name', () => {
    const h = historyOf(entries, 'r');
    expect(h.env_ids).toEqual(['env_r1', 'env_r2']);
    expect(ops('r')).toEqual([
      ['create', 'env_r1'],
      ['recreate', 'env_r2'],
      ['archive', 'env_r1'],
    ]);
  });

  it("compares a recreate's new ID with the environment it replaces, not with nothing", () => {
    const recreate = historyOf(entries, 'r').steps[1];
    expect(recreate?.changes).toEqual([
      { op: 'set', path: 'config.packages.pip', before: 'numpy==2.1.3', after: 'numpy==2.2.0' },
    ]);
  });

  it('shows the rename an archive makes, and nothing else when the config stayed', () => {
    const archive = historyOf(entries, 'r').steps[2];
    expect(archive?.changes).toEqual([{ op: 'set', path: 'name', before: 'r', after: R1_RETIRED }]);
  });

  it('shows an update, the drift found later, and the update that undid it, each against the step before', () => {
    const steps = historyOf(entries, 'a').steps;
    expect(steps.map((s) => s.entry.op)).toEqual(['create', 'update', 'drift', 'update']);
    expect(steps[1]?.changes).toEqual([
      { op: 'set', path: 'description', before: 'A v1', after: 'A v2' },
      { op: 'set', path: 'config.packages.pip', before: 'pandas==2.2.0', after: 'pandas==2.2.1' },
    ]);
    expect(steps[2]?.changes).toEqual([
      { op: 'add', path: 'config.packages.pip', value: 'requests==2.32.0' },
    ]);
    expect(steps[3]?.changes).toEqual([
      { op: 'remove', path: 'config.packages.pip', value: 'requests==2.32.0' },
    ]);
  });

  it('lists every field of a create as new', () => {
    expect(historyOf(entries, 'a').steps[0]?.changes).toEqual([
      { op: 'set', path: 'description', before: null, after: 'A v1' },
      { op: 'set', path: 'metadata.team', before: null, after: 'x' },
      { op: 'set', path: 'config.type', before: null, after: 'cloud' },
      { op: 'add', path: 'config.packages.pip', value: 'pandas==2.2.0' },
      { op: 'set', path: 'config.networking.type', before: null, after: 'unrestricted' },
    ]);
  });

  it('leaves begin and end out, and is empty for a name never recorded', () => {
    const all = historyAll(entries).flatMap((h) => h.steps.map((s) => s.entry.op));
    expect(all).not.toContain('begin');
    expect(all).not.toContain('end');
    expect(historyOf(entries, 'nope')).toEqual({ name: 'nope', env_ids: [], steps: [] });
  });

  it('groups every name, retired names under their original', () => {
    expect(recordedNames(entries)).toEqual(['a', 'r', 'z']);
    expect(historyAll(entries).map((h) => [h.name, h.steps.length])).toEqual([
      ['a', 4],
      ['r', 3],
      ['z', 2],
    ]);
  });
});

describe('stepChanges', () => {
  it('never shows reserved metadata keys, even if an entry carried them', () => {
    const log = chain([
      {
        op: 'create',
        at: '2026-10-01T00:00:00Z',
        name: 'a',
        env_id: 'env_a',
        config: pip(),
        metadata: { envsync_managed: 'true', team: 'x' },
      },
      {
        op: 'update',
        at: '2026-10-01T00:00:01Z',
        name: 'a',
        env_id: 'env_a',
        config: pip(),
        metadata: { envsync_config_hash: 'sha256:0', team: 'y' },
      },
    ]);
    const changes = [...stepChanges(log).values()].flat();
    expect(changes.some((c) => c.path.includes('envsync'))).toBe(false);
    expect(changes).toContainEqual({ op: 'set', path: 'metadata.team', before: 'x', after: 'y' });
  });

  it('an environment found gone changes nothing, and the next step compares with the last config seen', () => {
    const log = chain([
      { op: 'create', at: '2026-10-01T00:00:00Z', name: 'a', env_id: 'env_a', config: pip('x==1') },
      {
        op: 'drift',
        at: '2026-10-01T00:00:01Z',
        name: 'a',
        env_id: 'env_a',
        config_hash: 'sha256:00',
        detail: 'gone',
      },
      { op: 'update', at: '2026-10-01T00:00:02Z', name: 'a', env_id: 'env_a', config: pip('x==2') },
    ]);
    const changes = stepChanges(log);
    expect(changes.get(log[1] as never)).toEqual([]);
    expect(changes.get(log[2] as never)).toEqual([
      { op: 'set', path: 'config.packages.pip', before: 'x==1', after: 'x==2' },
    ]);
  });
});
