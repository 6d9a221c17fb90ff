// The state snapshot as JSON Lines: what snapshotText writes reads back as the same state, in slices; a
// snapshot of another key or format, or one damaged anywhere, reads as undefined (the caller rebuilds it).

import { describe, expect, it } from 'vitest';
import { type ChangelogState, readSnapshot, snapshotText } from '../../../src/changelog/snapshot.js';
import { recordedById } from '../../../src/domain/records.js';
import type { RecordedEnvironment } from '../../../src/model.js';

const record = (i: number, env_id = `env_${i}`): RecordedEnvironment => ({
  name: `env-${i}`,
  env_id,
  config_hash: `sha256:${String(i).padStart(64, '0')}`,
  at: '2026-11-01T00:00:00.000Z',
  archived: i % 5 === 0,
  description: i % 2 === 0 ? null : `number ${i}, "quoted"\nand on two lines`,
  metadata: i % 3 === 0 ? null : { team: `t${i % 4}` },
  prevent_archive: false,
  source: `environments/env-${i}.yaml:1`,
  previous_names: i % 7 === 0 ? [`old-${i}`] : [],
  names: [`env-${i}`],
  superseded_by: null,
});

function state(n: number, ids: string[] = []): ChangelogState {
  const recorded = [
    ...Array.from({ length: n }, (_, i) => record(i)),
    ...ids.map((id, i) => record(n + i, id)),
  ];
  return {
    entries: recorded.length + 2,
    recorded,
    known: Object.fromEntries(recorded.map((r) => [r.env_id, [r.config_hash, 'sha256:other']])),
    parents: ['sha256:parent'],
    open: [],
    uncertain: ['env_3'],
    problems: [{ file: 'x.jsonl', line: 4, message: 'a torn line' }],
    problemCount: 1,
    repairs: [{ file: 'x.jsonl', torn: true, missingNewline: false }],
  };
}

/** Reads to the end, counting the pauses. */
function read(text: string, format = 7, key = 'k1') {
  const reading = readSnapshot(Buffer.from(text), format, key);
  let pauses = 0;
  for (;;) {
    const step = reading.next();
    if (step.done) return { state: step.value, pauses };
    pauses++;
  }
}

const lines = (text: string) => text.split('\n');
const join = (ls: string[]) => ls.join('\n');

describe('the state snapshot', () => {
  it('reads back exactly what was written, pausing after the header and every 100 lines', () => {
    const s = state(1200);
    const { state: back, pauses } = read(snapshotText(7, 'k1', s));
    expect(back).toEqual(s);
    // The records' index by env ID comes with them, built as they were read.
    expect(back && recordedById(back.recorded).get('env_7')).toEqual(s.recorded[7]);
    // The header, then 1,200 records and 1,200 known IDs in slices of 100.
    expect(pauses).toBe(1 + 12 + 12);
  });

  it('keeps an ID called __proto__ as an ID, as the history builds it', () => {
    const s = state(2, ['__proto__']);
    const back = read(snapshotText(7, 'k1', s)).state;
    expect(back?.known).toEqual(s.known);
    expect(Object.hasOwn(back?.known ?? {}, '__proto__')).toBe(true);
    expect(Object.getPrototypeOf(back?.known)).toBe(Object.prototype);
  });

  const good = snapshotText(7, 'k1', state(3));
  it.each<[string, string, number?, string?]>([
    ['another key', good, 7, 'k2'],
    ['another format', good, 6, 'k1'],
    ['a last line cut off', good.slice(0, -20)],
    ['the last line without its newline', good.slice(0, -1)],
    ['a line too many', `${good}["env_9",["sha256:x"]]\n`],
    ['a line too few', `${join(lines(good).filter((_, i) => i !== 4))}`],
    [
      'a record that is not one',
      join(lines(good).map((l, i) => (i === 2 ? l.replace('"archived":false', '"archived":"no"') : l))),
    ],
    ['a line that is not JSON', join(lines(good).map((l, i) => (i === 1 ? l.slice(0, -1) : l)))],
    ['one ID known twice', join(lines(good).map((l, i, all) => (i === 5 ? (all[4] as string) : l)))],
    ['one env ID recorded twice', join(lines(good).map((l, i, all) => (i === 2 ? (all[1] as string) : l)))],
    ['a header with a count that is not one', good.replace('"records":3', '"records":-1')],
    ['an empty file', ''],
  ])('does not believe %s', (_title, text, format = 7, key = 'k1') => {
    expect(read(text, format, key).state).toBeUndefined();
  });
});
