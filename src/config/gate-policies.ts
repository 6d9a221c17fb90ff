// The supply-chain rules of a `policies:` block (vulnerabilities, ignore, min_release_age) in one shape, and
// the ignores and exceptions whose day has passed.

import type {
  Diagnostic,
  Policy,
  PolicyRule,
  ReleaseAgeException,
  SourceLocation,
  VulnerabilityIgnore,
  VulnSeverity,
} from '../model.js';
import type { PathSegment } from './parse.js';

const AGE_UNITS: Record<string, number> = { h: 3_600_000, d: 86_400_000, w: 7 * 86_400_000 };

/** `7d` in milliseconds (the schema has checked its form). */
export function ageMs(text: string): number {
  const unit = AGE_UNITS[text.slice(-1)] ?? AGE_UNITS.d ?? 0;
  return Number(text.slice(0, -1)) * unit;
}

type Locate = (p: PathSegment[]) => SourceLocation;

interface RawDated {
  reason: string;
  expires: string;
}

/**
 * A supply-chain rule as its typed value (a string or a mapping in the file, one shape here), with the place
 * of each ignore and exception; null for every other rule.
 */
export function supplyChainRule(
  rule: string,
  value: unknown,
  at: PathSegment[],
  locate: Locate,
): PolicyRule | null {
  if (rule === 'vulnerabilities') {
    const v = value as string | { action: 'block' | 'warn' | 'off'; min_severity?: VulnSeverity };
    return typeof v === 'string'
      ? { rule, value: { action: v as 'block' | 'warn' | 'off', min_severity: 'unknown' } }
      : { rule, value: { action: v.action, min_severity: v.min_severity ?? 'unknown' } };
  }
  if (rule === 'ignore') {
    const entries = value as Array<RawDated & { id: string }>;
    return {
      rule,
      value: entries.map(
        (e, i): VulnerabilityIgnore => ({
          id: e.id,
          reason: e.reason,
          expires: e.expires,
          at: locate([...at, i, 'expires']),
        }),
      ),
    };
  }
  if (rule === 'min_release_age') {
    const v = value as string | { age: string; except?: Array<RawDated & { package: string }> };
    const text = typeof v === 'string' ? v : v.age;
    const except = typeof v === 'string' ? [] : (v.except ?? []);
    return {
      rule,
      value: {
        text,
        ms: ageMs(text),
        except: except.map(
          (e, i): ReleaseAgeException => ({
            package: e.package,
            reason: e.reason,
            expires: e.expires,
            at: locate([...at, 'except', i, 'expires']),
          }),
        ),
      },
    };
  }
  return null;
}

/** The first moment after an expiry day (UTC): an entry holds through the day it names. */
export function expiryEnd(expires: string): number {
  return Date.parse(`${expires}T00:00:00Z`) + 86_400_000;
}

/**
 * Every ignore and release-age exception whose day has passed, as an error at its `expires:` (or an expiry
 * that is no calendar day): an accepted risk must be looked at again, not forgotten.
 */
export function expiredEntries(policies: readonly Policy[], now: number): Diagnostic[] {
  const out: Diagnostic[] = [];
  const check = (entry: { expires: string; at: SourceLocation }, what: string, path: string) => {
    const end = expiryEnd(entry.expires);
    const real = !Number.isNaN(end) && new Date(end - 1).toISOString().slice(0, 10) === entry.expires;
    if (real && now < end) return;
    out.push({
      severity: 'error',
      file: entry.at.file,
      line: entry.at.line,
      column: entry.at.column,
      path,
      message: real
        ? `${what} expired on ${entry.expires}`
        : `${what}: ${entry.expires} is not a calendar day`,
      hint: real
        ? 'look at it again: remove the entry (and upgrade), or renew it with a new reason and expires date'
        : 'write the last day it holds as YYYY-MM-DD',
    });
  };
  for (const p of policies) {
    if (p.rule === 'ignore')
      for (const e of p.value) check(e, `the ignore of ${e.id} (${e.reason})`, 'policies.ignore');
    if (p.rule === 'min_release_age')
      for (const e of p.value.except)
        check(e, `the min_release_age exception for ${e.package} (${e.reason})`, 'policies.min_release_age');
  }
  return out;
}
