// The one order envsync lists things in: natural (`env-2` before `env-10`), case-folded, locale-independent.

const CHUNK = /(\d+)|(\D+)/g;

function chunks(s: string): string[] {
  return s.match(CHUNK) ?? [];
}

function isDigits(s: string): boolean {
  const c = s.charCodeAt(0);
  return c >= 48 && c <= 57;
}

/** Digit runs compare by value (any length, so no precision limit); leading zeros only break ties. */
function compareNumbers(a: string, b: string): number {
  const x = a.replace(/^0+(?=\d)/, '');
  const y = b.replace(/^0+(?=\d)/, '');
  if (x.length !== y.length) return x.length - y.length;
  return x < y ? -1 : x > y ? 1 : 0;
}

/** Plain code-unit order: the last tie-breaker, so the order is total and the same on every machine. */
export function compareCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Natural order: runs of digits by their value, other runs case-folded (`toLowerCase`, which does not
 * depend on the locale), then code units to break ties. `perf-1, perf-2, perf-10, perf-100`;
 * `alpha, Beta, gamma`.
 */
export function compareNatural(a: string, b: string): number {
  if (a === b) return 0;
  const ca = chunks(a);
  const cb = chunks(b);
  const n = Math.min(ca.length, cb.length);
  for (let i = 0; i < n; i++) {
    const x = ca[i] as string;
    const y = cb[i] as string;
    const dx = isDigits(x);
    const dy = isDigits(y);
    let r: number;
    if (dx && dy) r = compareNumbers(x, y);
    else r = compareCodeUnits(x.toLowerCase(), y.toLowerCase());
    if (r !== 0) return r;
  }
  if (ca.length !== cb.length) return ca.length - cb.length;
  return compareCodeUnits(a, b);
}

/** Groups items by a key, keeping each group in input order. */
export function groupBy<T, K>(items: Iterable<T>, key: (item: T) => K): Map<K, T[]> {
  const out = new Map<K, T[]>();
  for (const item of items) {
    const k = key(item);
    const group = out.get(k);
    if (group) group.push(item);
    else out.set(k, [item]);
  }
  return out;
}
