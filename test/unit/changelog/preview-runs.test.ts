// Preview runs in the history: marked on their begin, kept in the DAG, and left out of the main state — so a
// preview is never recorded, never "behind", and never hides an interrupted or uncertain apply.

import { describe, expect, it } from 'vitest';
import { stateOf } from '../../../src/changelog/cache.js';
import { buildHistory } from '../../../src/changelog/history.js';
import { entriesOfRuns, previewBeginDetail, previewRunOf } from '../../../src/changelog/preview-runs.js';
import { runFileName } from '../../../src/changelog/writer.js';
import type { ChangelogEntry } from '../../../src/model.js';
import { pip, runEntries, runFile } from './factories.js';

const tip = (entries: readonly ChangelogEntry[]) => entries.at(-1)?.hash as string;
const file = (entries: ChangelogEntry[]) => {
  const begin = entries[0] as ChangelogEntry;
  return runFile(runFileName(new Date(begin.at), begin.plan_id), entries);
};
const create = (name: string, at: string) => ({
  op: 'create' as const,
  at,
  name,
  env_id: `env_${name.replace(/\W/g, '')}`,
  config: pip('x==1'),
});
const up = (id: string) => previewBeginDetail({ action: 'up', ids: [id] }, { create: 1 });

const main1 = runEntries('p1', [], [create('a', '2026-10-01T00:00:01.000Z')], '2026-10-01T00:00:00.000Z');
const preview1 = runEntries(
  'p2',
  [tip(main1)],
  [create('a--pr-1', '2026-10-02T00:00:01.000Z')],
  '2026-10-02T00:00:00.000Z',
  up('pr-1'),
);

function state(...runs: ChangelogEntry[][]) {
  const files = runs.map(file);
  return { history: buildHistory(null, files), state: stateOf(buildHistory(null, files), files) };
}

describe('preview runs', () => {
  it('are read off their begin: kind preview, an action and the IDs; anything else is not one', () => {
    expect(previewRunOf(preview1)).toEqual({ action: 'up', ids: ['pr-1'] });
    expect(previewRunOf(main1)).toBeNull();
    for (const detail of [
      '{"create":1}',
      'not json',
      '["preview"]',
      '{"kind":"preview","action":"deploy","preview_ids":["x"]}',
      '{"kind":"preview","action":"up","preview_ids":"x"}',
      '{"kind":"other","action":"up","preview_ids":["x"]}',
    ])
      expect(previewRunOf(runEntries('p', [], [], undefined, detail)), detail).toBeNull();
  });

  it('stay in the DAG (parents, entries) but not in the records, the known hashes or the name index', () => {
    const { history, state: s } = state(main1, preview1);
    expect(history.entries).toHaveLength(main1.length + preview1.length);
    expect(s.parents).toEqual([tip(preview1)]);
    expect(s.recorded.map((r) => r.name)).toEqual(['a']);
    expect(Object.keys(s.known)).toEqual(['env_a']);
    expect(entriesOfRuns(history.runs, 'previews').map((e) => e.name)).toEqual([null, 'a--pr-1', null]);
    expect(entriesOfRuns(history.runs, 'main').map((e) => e.name)).toEqual([null, 'a', null]);
  });

  it('never hide an interrupted apply they began from: the next apply still reconciles it', () => {
    const interrupted = runEntries(
      'p1',
      [],
      [create('a', '2026-10-01T00:00:01.000Z')],
      '2026-10-01T00:00:00.000Z',
      null,
      false,
    );
    const after = runEntries('p2', [tip(interrupted)], [], '2026-10-02T00:00:00.000Z', up('pr-1'));
    const { history, state: s } = state(interrupted, after);
    // The preview run is the only head, yet the main history's head is still the open apply.
    expect(history.heads.map((h) => h.file.entries[0]?.plan_id)).toEqual(['p2']);
    expect(s.open).toEqual(['p1']);
    // A main run after both closes it.
    const main2 = runEntries('p3', [tip(after)], [], '2026-10-03T00:00:00.000Z');
    expect(state(interrupted, after, main2).state.open).toEqual([]);
  });

  it('never hide an apply’s uncertain writes, and their own interruptions are not the main history’s', () => {
    const uncertain = runEntries(
      'p1',
      [],
      [create('a', '2026-10-01T00:00:01.000Z')],
      '2026-10-01T00:00:00.000Z',
      null,
      '{"failed":1,"uncertain":["env_b"]}',
    );
    const openPreview = runEntries('p2', [tip(uncertain)], [], '2026-10-02T00:00:00.000Z', up('pr-1'), false);
    const s = state(uncertain, openPreview).state;
    expect(s.uncertain).toEqual(['env_b']);
    // An interrupted preview run is no interrupted apply: the main history has nothing open.
    expect(s.open).toEqual([]);
  });
});
