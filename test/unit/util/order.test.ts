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

  it('compareCodeUnits is plain UTF-16 order; groupBy keeps input order', () => {
    expect(['b', 'B', 'a'].sort(compareCodeUnits)).toEqual(['B', 'a', 'b']);
    expect([...groupBy(['ax', 'by', 'az'], (s) => s[0])]).toEqual([
      ['a', ['ax', 'az']],
      ['b', ['by']],
    ]);
  });
});
