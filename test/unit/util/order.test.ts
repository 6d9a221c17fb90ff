import { describe, expect, it } from 'vitest';
import { compareCodeUnits, compareNatural, groupBy } from '../../../src/util/order.js';

describe('compareNatural: one order for every list, the same on every machine', () => {
  it.each([
    [
      'numbers by value',
      ['perf-env-10', 'perf-env-2', 'perf-env-100', 'perf-env-1'],
      ['perf-env-1', 'perf-env-2', 'perf-env-10', 'perf-env-100'],
    ],
    [
      'mixed case folded, ties by code unit',
      ['beta', 'Alpha', 'alpha', 'Gamma'],
      ['Alpha', 'alpha', 'beta', 'Gamma'],
    ],
    [
      'leading zeros only break ties (by code unit)',
      ['env-10', 'env-9', 'env-010'],
      ['env-9', 'env-010', 'env-10'],
    ],
    [
      'numbers longer than a double',
      ['n-100000000000000000001', 'n-100000000000000000000'],
      ['n-100000000000000000000', 'n-100000000000000000001'],
    ],
    ['a prefix first', ['ab', 'a', 'a1'], ['a', 'a1', 'ab']],
    ['non-ASCII without a locale', ['état', 'zeta', 'Éclair'], ['zeta', 'Éclair', 'état']],
  ])('%s', (_why, input, expected) => {
    expect([...input].sort(compareNatural)).toEqual(expected);
  });

  it('is a total order: antisymmetric, and 0 only for equal strings', () => {
    const words = ['a', 'A', 'a1', 'a01', 'a10', 'b', 'B2', 'b10', ''];
    for (const x of words)
      for (const y of words) {
        expect(Math.sign(compareNatural(x, y))).toBe(-Math.sign(compareNatural(y, x)) || 0);
        if (compareNatural(x, y) === 0) expect(x).toBe(y);
      }
  });

  it('orders as splitting into runs does (the old regex-and-toLowerCase implementation, as an oracle)', () => {
    const oracle = (a: string, b: string): number => {
      if (a === b) return 0;
      const ca = a.match(/(\d+)|(\D+)/g) ?? [];
      const cb = b.match(/(\d+)|(\D+)/g) ?? [];
      for (let i = 0; i < Math.min(ca.length, cb.length); i++) {
        const x = ca[i] as string;
        const y = cb[i] as string;
        let r: number;
        if (/^\d/.test(x) && /^\d/.test(y)) {
          const u = x.replace(/^0+(?=\d)/, '');
          const v = y.replace(/^0+(?=\d)/, '');
          r = u.length !== v.length ? u.length - v.length : compareCodeUnits(u, v);
        } else r = compareCodeUnits(x.toLowerCase(), y.toLowerCase());
        if (r !== 0) return r;
      }
      return ca.length !== cb.length ? ca.length - cb.length : compareCodeUnits(a, b);
    };
    // Pieces that meet every branch: zeros, case, non-ASCII that folds to ASCII or to two code units, a
    // sigma whose folding depends on its place, a surrogate pair.
    const pieces = [
      '0',
      '00',
      '1',
      '9',
      '10',
      'a',
      'A',
      'z',
      'Z',
      '-',
      '_',
      '.',
      ' ',
      'é',
      'É',
      'İ',
      'Σ',
      'ς',
      '\u212A',
      'k',
      '😀',
    ];
    let seed = 42;
    const random = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % n;
    };
    const word = (): string =>
      Array.from({ length: random(7) }, () => pieces[random(pieces.length)] as string).join('');
    let checked = 0;
    for (let k = 0; k < 20_000; k++) {
      const a = word();
      // Half the pairs share a prefix, as names in one project do.
      const b = k % 2 === 0 ? word() : a.slice(0, random(a.length + 1)) + word();
      expect([a, b, Math.sign(compareNatural(a, b))]).toEqual([a, b, Math.sign(oracle(a, b))]);
      checked++;
    }
    expect(checked).toBe(20_000);
  });

  it('compareCodeUnits is plain UTF-16 order; groupBy keeps input order', () => {
    expect(['b', 'B', 'a'].sort(compareCodeUnits)).toEqual(['B', 'a', 'b']);
    expect([...groupBy(['ax', 'by', 'az'], (s) => s[0])]).toEqual([
      ['a', ['ax', 'az']],
      ['b', ['by']],
    ]);
  });
});
