// The one order envsync lists things in: natural (`env-2` before `env-10`), case-folded, locale-independent.

function isDigitAt(s: string, i: number): boolean {
  const c = s.charCodeAt(i);
  return c >= 48 && c <= 57;
}

/** The end of the run of digits, or of non-digits, that starts at `i`. */
function runEnd(s: string, i: number): number {
  const digits = isDigitAt(s, i);
  let end = i + 1;
  while (end < s.length && isDigitAt(s, end) === digits) end++;
  return end;
}

/** Digit runs compare by value (any length, so no precision limit); leading zeros only break ties. */
function compareNumbers(a: string, i: number, ei: number, b: string, j: number, ej: number): number {
  while (i < ei - 1 && a.charCodeAt(i) === 48) i++;
  while (j < ej - 1 && b.charCodeAt(j) === 48) j++;
  if (ei - i !== ej - j) return ei - i - (ej - j);
  for (; i < ei; i++, j++) {
    const d = a.charCodeAt(i) - b.charCodeAt(j);
    if (d !== 0) return d;
  }
  return 0;
}

/** Other runs case-folded (`toLowerCase`): ASCII folded in place, anything else as `toLowerCase` does it. */
function compareFolded(a: string, i: number, ei: number, b: string, j: number, ej: number): number {
  const n = Math.min(ei - i, ej - j);
  for (let k = 0; k < n; k++) {
    let x = a.charCodeAt(i + k);
    let y = b.charCodeAt(j + k);
    if (x >= 128 || y >= 128) {
      return compareCodeUnits(a.slice(i, ei).toLowerCase(), b.slice(j, ej).toLowerCase());
    }
    if (x >= 65 && x <= 90) x += 32;
    if (y >= 65 && y <= 90) y += 32;
    if (x !== y) return x - y;
  }
  return ei - i - (ej - j);
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
  let i = 0;
  let j = 0;
  // Run by run, without splitting either string: this comparison sorts every list of names.
  while (i < a.length && j < b.length) {
    const ei = runEnd(a, i);
    const ej = runEnd(b, j);
    const r =
      isDigitAt(a, i) && isDigitAt(b, j)
        ? compareNumbers(a, i, ei, b, j, ej)
        : compareFolded(a, i, ei, b, j, ej);
    if (r !== 0) return r;
    i = ei;
    j = ej;
  }
  // Equal run for run: the one with runs left goes after; then code units break the tie.
  if (i < a.length || j < b.length) return i < a.length ? 1 : -1;
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
