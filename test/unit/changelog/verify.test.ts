// verify's checks without an API: the chain with real line numbers, recorded hashes, and the changelog against a live list.

import { describe, expect, it } from 'vitest';
import { buildHistory } from '../../../src/changelog/history.js';
import { foldRecorded } from '../../../src/changelog/state.js';
import { parseChangelogText } from '../../../src/changelog/store.js';
import { configHash } from '../../../src/hash/config-hash.js';
import { auditLive, auditProblems } from '../../../src/workflow/verify.js';
import { liveEnv, TEST_PROJECT } from '../plan/factories.js';
import { chain, pip } from './factories.js';
import { entries } from './scenario.js';

/** A legacy (v1) file with these lines. */
function fileOf(lines: string[]) {
  return parseChangelogText('changelog.jsonl', `${lines.join('\n')}\n`, true);
}
const asLines = (list: readonly object[]) => list.map((e) => JSON.stringify(e));
const auditChangelog = (file: ReturnType<typeof fileOf>) => auditProblems(buildHistory(file, []).problems);
const messages = (file: ReturnType<typeof fileOf>) => auditChangelog(file).map((p) => [p.line, p.message]);

describe('auditChangelog', () => {
  it('finds nothing wrong with an intact changelog', () => {
    expect(auditChangelog(fileOf(asLines(entries)))).toEqual([]);
  });

  it('names the right line after a blank line (readChangelog keeps each entry line)', () => {
    const lines = asLines(entries);
    const edited = { ...entries[4], detail: 'edited' };
    lines.splice(4, 1, JSON.stringify(edited));
    lines.splice(2, 0, '');
    const file = fileOf(lines);
    expect(file.lines.slice(0, 4)).toEqual([1, 2, 4, 5]);
    expect(messages(file)).toEqual([[6, 'entry seq 5 was modified: its hash does not match its content']]);
  });

  it('reports a recorded config that does not hash to its config_hash', () => {
    const log = chain([
      {
        op: 'create',
        at: '2026-10-01T00:00:00Z',
        name: 'a',
        env_id: 'env_a',
        config: pip('x==1'),
        config_hash: configHash(pip('x==2')),
      },
    ]);
    expect(messages(fileOf(asLines(log)))).toEqual([
      [
        1,
        `entry seq 1 records config hash ${configHash(pip('x==2'))}, but its config hashes to ${configHash(pip('x==1'))}`,
      ],
    ]);
  });

  it('reports unreadable and torn lines with the chain problems they cause', () => {
    const lines = asLines(entries.slice(0, 3));
    lines.splice(1, 1, '{"v":1,"seq":2,"op":');
    expect(messages(fileOf(lines))).toEqual(
      [
        [2, 'not a changelog entry: not JSON'],
        [3, 'entry seq 3 does not chain to the line before it (a line was removed, inserted or reordered)'],
        [3, 'seq 3 follows seq 1'],
        [1, 'apply of plan plan_1 began but never ended (interrupted; the next apply reconciles it)'],
      ].sort((a, b) => (a[0] as number) - (b[0] as number)),
    );
  });
});

/** The description and metadata liveEnv() gives an environment, as apply would have recorded them. */
const asMade = (name: string) => ({ description: `${name} env`, metadata: { team: 'research' } });

describe('auditLive', () => {
  const log = chain([
    {
      op: 'create',
      at: '2026-10-01T00:00:00Z',
      name: 'a',
      env_id: 'env_a',
      config: pip('x==1'),
      ...asMade('a'),
    },
    {
      op: 'create',
      at: '2026-10-01T00:00:01Z',
      name: 'b',
      env_id: 'env_b',
      config: pip('y==1'),
      ...asMade('b'),
    },
  ]);
  const file = foldRecorded(fileOf(asLines(log)).entries);
  const a = liveEnv('a', 'env_a', { config: pip('x==1') });
  const b = liveEnv('b', 'env_b', { config: pip('y==1') });
  // As the workflow sees it after its lookups: a recorded ID the list lacks was looked up and is gone.
  const problems = (live: ReturnType<typeof liveEnv>[]) => {
    const listed = new Set(live.map((e) => e.id));
    const gone = file.filter((r) => !listed.has(r.env_id)).map((r) => r.env_id);
    return auditLive(file, { envs: live, unreadable: [], gone }, TEST_PROJECT).map((p) => p.message);
  };

  it('finds nothing when every managed environment is recorded as it is, and ignores unmanaged ones', () => {
    expect(problems([a, b, liveEnv('hand', 'env_h', { managed: false })])).toEqual([]);
  });

  it('reports a managed environment the changelog does not know, whether or not its tag is right', () => {
    const stray = liveEnv('stray', 'env_s');
    const stale = liveEnv('stale', 'env_t', { tag: configHash(pip('old==1')) });
    expect(problems([a, b, stray, stale])).toEqual([
      'env_s (stray): managed environment missing from the changelog',
      'env_t (stale): managed environment missing from the changelog (its hash tag is stale too)',
    ]);
  });

  it('reports a recorded environment gone from the API, or archived behind its back', () => {
    expect(problems([a])).toEqual([
      `env_b (b): recorded as current (${configHash(pip('y==1')).slice(7, 15)}) but missing from the API`,
    ]);
    const archived = { ...b, archived_at: '2026-10-02T00:00:00Z' };
    expect(problems([a, archived])).toEqual([
      'env_b (b): archived at 2026-10-02T00:00:00Z (recorded as current)',
    ]);
  });

  it('reports a rename and a config changed outside envsync', () => {
    const renamed = { ...b, name: 'b2' };
    const drifted = liveEnv('a', 'env_a', { config: pip('x==2'), tag: configHash(pip('x==1')) });
    expect(problems([drifted, renamed])).toEqual([
      `env_a (a): live config ${configHash(pip('x==2')).slice(7, 15)} differs from the recorded ${configHash(pip('x==1')).slice(7, 15)} (changed outside envsync; the next apply records it as drift)`,
      'env_b (b2): live differs from the record: name b → b2',
    ]);
  });

  it('reports a description or metadata changed without a record (a lost response, or a hand edit)', () => {
    const described = { ...a, description: 'edited by hand' };
    const tagged = { ...b, metadata: { ...b.metadata, owner: 'someone' } };
    expect(problems([described, tagged])).toEqual([
      'env_a (a): live differs from the record: description',
      'env_b (b): live differs from the record: metadata',
    ]);
  });
});
