// The parked-name index the matcher builds (each live name parsed once: parkedBase) finds exactly what testing
// every live name against every desired name with isParkedFor finds, so the plan is the same at any size.
import { describe, expect, it } from 'vitest';
import {
  isParkedFor,
  MAX_NAME_LENGTH,
  nameKey,
  parkedBase,
  parkedBasesOf,
  parkedName,
  retiredName,
} from '../../../src/domain/naming.js';
import type { ConfigHash } from '../../../src/model.js';

const HASH = `sha256:${'ab'.repeat(32)}` as ConfigHash;
const long = (c: string, n = MAX_NAME_LENGTH) => c.repeat(n);

/** What the matcher does: index live names by parked base once, then look each desired name up. */
function byIndex(live: readonly string[], desired: string): string[] {
  const index = new Map<string, string[]>();
  for (const name of live) {
    const base = parkedBase(name);
    if (base !== null) index.set(base, [...(index.get(base) ?? []), name]);
  }
  return parkedBasesOf(desired)
    .flatMap((base) => index.get(base) ?? [])
    .filter((name) => isParkedFor(name, desired));
}

/** The pairwise definition the index replaces. */
function byPairs(live: readonly string[], desired: string): string[] {
  return live.filter((name) => isParkedFor(name, desired));
}

const sorted = (names: string[]) => [...names].sort();

describe('parked names found by one index', () => {
  const cases: Array<{ what: string; desired: string; live: string[]; parked: string[] }> = [
    {
      what: 'a parked name, its tail 8 characters (the end of an env ID)',
      desired: 'data',
      live: [parkedName('data', 'env_0123456789abcdef'), 'data', 'other'],
      parked: [parkedName('data', 'env_0123456789abcdef')],
    },
    {
      what: 'tails of 1 to 8 characters (short IDs)',
      desired: 'x',
      live: ['x~renaming-a', 'x~renaming-ab12', 'x~renaming-ABCDefgh'],
      parked: ['x~renaming-a', 'x~renaming-ab12', 'x~renaming-ABCDefgh'],
    },
    {
      what: 'no tail, a tail of 9, or a tail with other characters: not parked',
      desired: 'x',
      live: ['x~renaming-', 'x~renaming-123456789', 'x~renaming-ab_c', 'x~renaming-ab-c'],
      parked: [],
    },
    {
      what: 'names differing by case are different names here (parking is exact)',
      desired: 'Data',
      live: ['data~renaming-abc', 'Data~renaming-abc', 'DATA~renaming-abc'],
      parked: ['Data~renaming-abc'],
    },
    {
      what: 'composed and decomposed é are different names here',
      desired: 'caf\u00e9',
      live: ['cafe\u0301~renaming-abc', 'caf\u00e9~renaming-abc'],
      parked: ['caf\u00e9~renaming-abc'],
    },
    {
      what: 'retired `<name>~hash8` names are not parked ones',
      desired: 'data',
      live: [retiredName('data', HASH), `${retiredName('data', HASH)}-2`],
      parked: [],
    },
    {
      what: 'a name that itself holds ~renaming- is parked under the text before the last one',
      desired: 'a~renaming-b',
      live: ['a~renaming-b~renaming-c', 'a~renaming-c'],
      parked: ['a~renaming-b~renaming-c'],
    },
    {
      what: 'a 256-character name parked: its base cut to fit the suffix',
      desired: long('n'),
      live: [parkedName(long('n'), 'env_abcdefgh'), parkedName(long('n'), 'xyz'), long('n')],
      parked: [parkedName(long('n'), 'env_abcdefgh'), parkedName(long('n'), 'xyz')],
    },
    {
      what: 'a cut base is not parked for a shorter name it begins with',
      desired: long('n', 200),
      live: [parkedName(long('n'), 'env_abcdefgh')],
      parked: [],
    },
    {
      what: 'a cut base is not parked for another long name that differs before the cut',
      desired: `m${long('n', 255)}`,
      live: [parkedName(long('n'), 'env_abcdefgh'), parkedName(`m${long('n', 255)}`, 'env_abcdefgh')],
      parked: [parkedName(`m${long('n', 255)}`, 'env_abcdefgh')],
    },
  ];

  it.each(cases)('$what', ({ desired, live, parked }) => {
    expect(sorted(byPairs(live, desired))).toEqual(sorted(parked));
    expect(sorted(byIndex(live, desired))).toEqual(sorted(parked));
  });

  it('agrees with the pairwise test over every desired name of a mixed organisation', () => {
    const desired = [
      'data',
      'Data',
      'caf\u00e9',
      'cafe\u0301',
      long('n'),
      long('n', 240),
      `${long('n', 250)}zzzzzz`,
      `m${long('n', 255)}`,
      'a~renaming-b',
    ];
    const live = [
      ...desired,
      ...desired.flatMap((d, i) => [parkedName(d, `env_${i}abcdefgh`), parkedName(d, `${i}`)]),
      ...desired.map((d) => retiredName(d, HASH)),
      'x~renaming-!!',
    ];
    for (const d of desired) expect(sorted(byIndex(live, d)), d).toEqual(sorted(byPairs(live, d)));
  });

  it('name keys fold what the API may hold to be one name; parked matching does not use them', () => {
    expect(nameKey('Data')).toBe(nameKey('data'));
    expect(nameKey('caf\u00e9')).toBe(nameKey('cafe\u0301'));
    expect(nameKey('data\u200b')).toBe(nameKey('data'));
    expect(isParkedFor('data~renaming-abc', 'Data')).toBe(false);
  });
});
