// The history as a DAG of run files: order, heads, forks, open runs and every integrity problem, as tables.

import { describe, expect, it } from 'vitest';
import { buildHistory, parentsFor } from '../../../src/changelog/history.js';
import { parseChangelogText } from '../../../src/changelog/store.js';
import { runFileName } from '../../../src/changelog/writer.js';
import type { ChangelogEntry } from '../../../src/model.js';
import { chain, pip, runEntries, runFile } from './factories.js';

const legacy = chain([
  { op: 'begin', at: '2026-09-01T00:00:00.000Z', plan_id: 'p0' },
  {
    op: 'create',
    at: '2026-09-01T00:00:01.000Z',
    name: 'a',
    env_id: 'env_a',
    config: pip('x==1'),
    plan_id: 'p0',
  },
  { op: 'end', at: '2026-09-01T00:00:02.000Z', plan_id: 'p0' },
]);
const tip = (entries: readonly ChangelogEntry[]) => entries.at(-1)?.hash as string;
const upd = (at: string, pkg: string) => ({
  op: 'update' as const,
  at,
  name: 'a',
  env_id: 'env_a',
  config: pip(pkg),
});

const r1 = runEntries(
  'p1',
  [tip(legacy)],
  [upd('2026-10-01T00:00:01.000Z', 'x==2')],
  '2026-10-01T00:00:00.000Z',
);
// Two runs that began from r1 without seeing each other: a fork.
const r2 = runEntries(
  'p2',
  [tip(r1)],
  [{ op: 'create', at: '2026-10-02T00:00:01.000Z', name: 'b', env_id: 'env_b', config: {} }],
  '2026-10-02T00:00:00.000Z',
);
const r3 = runEntries('p3', [tip(r1)], [upd('2026-10-02T00:00:02.000Z', 'x==3')], '2026-10-02T00:00:00.500Z');
const r4 = runEntries('p4', [tip(r2), tip(r3)], [], '2026-10-03T00:00:00.000Z');

const L = runFile('.envsync/changelog.jsonl', legacy, true);
/** Run files are named by their begin (`<time>-<plan>.jsonl`); the tests call them by short labels. */
const labels = new Map<string, string>();
const nameFor = (label: string, entries: readonly ChangelogEntry[]) => {
  const begin = entries[0];
  const name = begin ? runFileName(new Date(begin.at), begin.plan_id) : label;
  labels.set(name, label);
  return name;
};
const label = (name: string | undefined) => (name === undefined ? '' : (labels.get(name) ?? name));
const F = (name: string, entries: ChangelogEntry[]) => runFile(nameFor(name, entries), entries);
const runFileFromText = (name: string, text: string) => parseChangelogText(name, text, false);
const names = (h: ReturnType<typeof buildHistory>) => h.runs.map((r) => label(r.file.name));

describe('buildHistory', () => {
  const cases: Array<{
    title: string;
    files: ReturnType<typeof F>[];
    order: string[];
    heads: string[];
    problems: string[];
    notes: number;
  }> = [
    {
      title: 'legacy only: one root, no problems',
      files: [],
      order: ['changelog.jsonl'],
      heads: ['changelog.jsonl'],
      problems: [],
      notes: 0,
    },
    {
      title: 'a run after the legacy file joins it as its parent',
      files: [F('1-p1.jsonl', r1)],
      order: ['changelog.jsonl', '1-p1.jsonl'],
      heads: ['1-p1.jsonl'],
      problems: [],
      notes: 0,
    },
    {
      title: 'a fork is kept and noted; runs ready together go by begin time, not file name',
      files: [F('1-p1.jsonl', r1), F('2-p2.jsonl', r2), F('0-p3.jsonl', r3)],
      order: ['changelog.jsonl', '1-p1.jsonl', '2-p2.jsonl', '0-p3.jsonl'],
      heads: ['2-p2.jsonl', '0-p3.jsonl'],
      problems: [],
      notes: 1,
    },
    {
      title: 'a run that names both heads joins the fork',
      files: [F('1-p1.jsonl', r1), F('2-p2.jsonl', r2), F('0-p3.jsonl', r3), F('4-p4.jsonl', r4)],
      order: ['changelog.jsonl', '1-p1.jsonl', '2-p2.jsonl', '0-p3.jsonl', '4-p4.jsonl'],
      heads: ['4-p4.jsonl'],
      problems: [],
      notes: 1,
    },
    {
      title: 'a missing run file leaves its children without a parent',
      files: [F('2-p2.jsonl', r2)],
      order: ['changelog.jsonl', '2-p2.jsonl'],
      heads: ['changelog.jsonl', '2-p2.jsonl'],
      problems: ['2-p2.jsonl:1: this run began from'],
      notes: 0,
    },
    {
      title: 'a run file cut short: its child began from a line that no longer ends it, and it never ended',
      files: [F('1-p1.jsonl', r1.slice(0, 2)), F('2-p2.jsonl', r2)],
      order: ['changelog.jsonl', '1-p1.jsonl', '2-p2.jsonl'],
      heads: ['1-p1.jsonl', '2-p2.jsonl'],
      problems: ['1-p1.jsonl:1: apply of plan p1 began but never ended', '2-p2.jsonl:1: this run began from'],
      notes: 0,
    },
  ];
  it.each(cases)('$title', ({ files, order, heads, problems, notes }) => {
    const h = buildHistory(L, files);
    expect(names(h)).toEqual(order);
    expect(h.heads.map((x) => label(x.file.name))).toEqual(heads);
    const found = h.problems.map((p) => `${label(p.file?.split('/').pop())}:${p.line}: ${p.message}`);
    expect(found).toHaveLength(problems.length);
    for (const [i, p] of problems.entries()) expect(found.sort()[i]).toContain(p);
    expect(h.notes).toHaveLength(notes);
  });

  const edits: Array<[string, (lines: string[]) => string[], string]> = [
    ['an edited line', (l) => l.map((x, i) => (i === 1 ? x.replace('x==2', 'x==9') : x)), 'was modified'],
    ['a removed line', (l) => l.filter((_, i) => i !== 1), 'does not chain'],
    ['two lines swapped', (l) => [l[0], l[2], l[1]] as string[], 'does not chain'],
    [
      'a wrong type',
      (l) => l.map((x, i) => (i === 1 ? x.replace('"seq":2', '"seq":"2"') : x)),
      'field seq: expected a whole number',
    ],
    [
      'an unknown op',
      (l) => l.map((x, i) => (i === 1 ? x.replace('"op":"update"', '"op":"upgrade"') : x)),
      'unknown op',
    ],
  ];
  it.each(edits)('reports %s in a run file with its file and line', (_t, edit, message) => {
    const lines = r1.map((e) => JSON.stringify(e));
    const text = `${edit(lines).join('\n')}\n`;
    const name = nameFor('1-p1.jsonl', r1);
    const h = buildHistory(L, [runFileFromText(name, text)]);
    const hit = h.problems.find((p) => p.message.includes(message));
    expect(hit, JSON.stringify(h.problems)).toMatchObject({ file: name });
    expect(hit?.line).toBeGreaterThan(0);
  });

  it('keeps a whole last entry without its newline, and counts a torn one as a problem', () => {
    const text = r1.map((e) => JSON.stringify(e)).join('\n');
    const kept = runFileFromText(nameFor('1-p1.jsonl', r1), text);
    expect([kept.entries.length, kept.missingNewline, buildHistory(L, [kept]).problems]).toEqual([
      3,
      true,
      [],
    ]);
    const torn = runFileFromText(nameFor('1-p1.jsonl', r1), `${text}\n{"v":2,"seq":4,"op":"be`);
    expect(buildHistory(L, [torn]).problems.map((p) => [p.line, p.message])).toEqual([
      [4, 'unterminated last line (a write cut short)'],
    ]);
  });

  it('reports a run file whose name does not match its begin (renamed, or copied from another run)', () => {
    const h = buildHistory(L, [runFile('20261001T000000Z-plan_other.jsonl', r1)]);
    expect(h.problems.map((p) => [p.line, p.message])).toEqual([
      [
        1,
        `the run file's name does not match its begin (${runFileName(new Date(r1[0]?.at as string), 'p1')}): renamed, or copied from another run`,
      ],
    ]);
  });

  it('gives the next run the sorted tips of every head', () => {
    const h = buildHistory(L, [F('1-p1.jsonl', r1), F('2-p2.jsonl', r2), F('0-p3.jsonl', r3)]);
    expect(parentsFor(h)).toEqual([tip(r2), tip(r3)].sort());
    expect(parentsFor(buildHistory(null, []))).toEqual([]);
  });
});
