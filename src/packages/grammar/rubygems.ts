// RubyGems versions (Gem::Version): segments of digits and letters; a letter makes a pre-release; 7.1 == 7.1.0.

type Segment = number | string;

function segments(v: string): Segment[] {
  const out: Segment[] = (v.match(/[0-9]+|[a-z]+/gi) ?? []).map((s) => (/^\d/.test(s) ? Number(s) : s));
  // Trailing zeros do not count: 7.1 and 7.1.0 are one version.
  while (out.length > 1 && out.at(-1) === 0) out.pop();
  return out;
}

export function isGemPrerelease(v: string): boolean {
  return /[a-z]/i.test(v);
}

/** Ascending, as Gem::Version#<=>: numbers by value, a letter segment before any number. */
export function compareGem(a: string, b: string): number {
  const x = segments(a);
  const y = segments(b);
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const l = x[i] ?? 0;
    const r = y[i] ?? 0;
    if (l === r) continue;
    if (typeof l === 'string' && typeof r === 'number') return -1;
    if (typeof l === 'number' && typeof r === 'string') return 1;
    return l < r ? -1 : 1;
  }
  return 0;
}
