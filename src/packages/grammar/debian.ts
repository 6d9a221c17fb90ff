// Debian version ordering (deb-version(7)): epoch, then upstream and revision compared as dpkg does.

function order(c: string | undefined): number {
  if (c === undefined) return 0;
  if (c === '~') return -1;
  if (/[A-Za-z]/.test(c)) return c.charCodeAt(0);
  return c.charCodeAt(0) + 256;
}

/** dpkg's verrevcmp: alternating non-digit runs (letters first, `~` before everything) and numbers. */
function compareFragment(a: string, b: string): number {
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    let first = 0;
    while ((i < a.length && !/\d/.test(a[i] as string)) || (j < b.length && !/\d/.test(b[j] as string))) {
      const ac = i < a.length && !/\d/.test(a[i] as string) ? a[i] : undefined;
      const bc = j < b.length && !/\d/.test(b[j] as string) ? b[j] : undefined;
      const d = order(ac) - order(bc);
      if (d !== 0) return d < 0 ? -1 : 1;
      i++;
      j++;
    }
    while (a[i] === '0') i++;
    while (b[j] === '0') j++;
    while (i < a.length && /\d/.test(a[i] as string) && j < b.length && /\d/.test(b[j] as string)) {
      if (first === 0) first = (a.charCodeAt(i) as number) - (b.charCodeAt(j) as number);
      i++;
      j++;
    }
    if (i < a.length && /\d/.test(a[i] as string)) return 1;
    if (j < b.length && /\d/.test(b[j] as string)) return -1;
    if (first !== 0) return first < 0 ? -1 : 1;
  }
  return 0;
}

function split(v: string): [number, string, string] {
  const colon = v.indexOf(':');
  const epoch = colon > 0 ? Number(v.slice(0, colon)) : 0;
  const rest = colon > 0 ? v.slice(colon + 1) : v;
  const dash = rest.lastIndexOf('-');
  return dash > 0 ? [epoch, rest.slice(0, dash), rest.slice(dash + 1)] : [epoch, rest, ''];
}

/** Ascending, as `dpkg --compare-versions`. */
export function compareDebian(a: string, b: string): number {
  const [ea, ua, ra] = split(a);
  const [eb, ub, rb] = split(b);
  if (ea !== eb) return ea < eb ? -1 : 1;
  return compareFragment(ua, ub) || compareFragment(ra, rb);
}
