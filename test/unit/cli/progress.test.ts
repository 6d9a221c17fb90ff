import { describe, expect, it } from 'vitest';
import { fitWidth, newProgress, progressLine } from '../../../src/cli/progress.js';
import { unsafeIn } from '../text/hostile.js';

describe('progressLine', () => {
  const t0 = 1_000_000;
  it.each([
    ['nothing done yet: no ETA', { done: 0 }, 5_000, 200, '[0/40] 0% · 0:05 · creating a'],
    [
      'a quarter done in 10 s: 30 s to go',
      { done: 10 },
      10_000,
      200,
      '[10/40] 25% · 0:10 · ETA 0:30 · creating a',
    ],
    [
      'failures count as finished and are named',
      { done: 8, failed: 2 },
      10_000,
      200,
      '[10/40] 25% · 0:10 · ETA 0:30 · 2 failed · creating a',
    ],
    ['all done', { done: 40, running: [] }, 42_000, 200, '[40/40] 100% · 0:42'],
    ['cut to the width', { done: 10 }, 10_000, 20, '[10/40] 25% · 0:10 …'],
  ])('%s', (_why, over, at, width, expected) => {
    const p = { ...newProgress(40, t0), running: ['creating a'], ...over };
    expect(progressLine(p, t0 + at, width)).toBe(expected);
  });

  it('says when it waits for the rate limit or a 429, instead of what runs', () => {
    const p = { ...newProgress(40, t0), running: ['creating a'], done: 3 };
    p.waiting = { until: t0 + 14_500, reason: 'rate_limit' };
    expect(progressLine(p, t0 + 10_000, 200)).toBe(
      '[3/40] 7% · 0:10 · ETA 2:03 · waiting for the rate limit (5s)',
    );
    p.waiting = { until: t0 + 12_000, reason: 'retry_after' };
    expect(progressLine(p, t0 + 10_000, 200)).toContain('waiting for the API (429, retry-after) (2s)');
    expect(progressLine(p, t0 + 13_000, 200)).toContain('creating a');
  });

  it('escapes names from files: no raw control character reaches the terminal', () => {
    const p = { ...newProgress(2, t0), running: ['creating evil\u001b]0;owned\u0007name'] };
    expect(unsafeIn(progressLine(p, t0, 200))).toEqual([]);
  });

  it('fits by code point, never splitting a surrogate pair', () => {
    expect(fitWidth('😀😀😀😀', 3)).toBe('😀😀…');
  });
});
