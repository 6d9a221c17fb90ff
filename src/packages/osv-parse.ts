// OSV's answers parsed into typed shapes at the edge: querybatch results, and a vulnerability record's
// severity (its database's rating, else its CVSS v3 base score) and fixed versions per affected package.

import { EnvsyncError } from '../errors.js';
import type { VulnSeverity } from '../model.js';
import { isObject } from './registries/record.js';

/** What envsync keeps of an OSV record. */
export interface OsvRecord {
  id: string;
  modified: string;
  aliases: string[];
  summary: string;
  severity: VulnSeverity;
  /** Per affected package: the versions its ranges name as fixing it. */
  affected: Array<{ ecosystem: string; name: string; fixed: string[] }>;
}

export interface BatchResult {
  vulns: Array<{ id: string; modified: string }>;
  nextPageToken: string | null;
}

function bad(what: string, why: string): EnvsyncError {
  return new EnvsyncError('osv_bad_answer', `${what}: the answer is not what the OSV API promises (${why})`, {
    hint: 'check that registries.osv in envsync.yaml names an OSV API',
  });
}

function json(body: Buffer, what: string): unknown {
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    throw bad(what, 'not JSON');
  }
}

const text = (v: unknown): string | null => (typeof v === 'string' ? v : null);

/** `{results: [{vulns: [{id, modified}], next_page_token}]}`, one result per query, in order. */
export function parseBatch(body: Buffer, what: string, count: number): BatchResult[] {
  const doc = json(body, what);
  if (!isObject(doc) || !Array.isArray(doc.results)) throw bad(what, 'no "results" list');
  if (doc.results.length !== count) throw bad(what, `${doc.results.length} results for ${count} queries`);
  return doc.results.map((r, i): BatchResult => {
    if (!isObject(r)) throw bad(what, `result ${i} is not an object`);
    const raw = r.vulns ?? [];
    if (!Array.isArray(raw)) throw bad(what, `result ${i}: "vulns" is not a list`);
    const vulns = raw.map((v) => {
      const id = isObject(v) ? text(v.id) : null;
      if (id === null || id === '') throw bad(what, `result ${i}: a vulnerability without an id`);
      return { id, modified: (isObject(v) ? text(v.modified) : null) ?? '' };
    });
    return { vulns, nextPageToken: text(r.next_page_token) || null };
  });
}

const RATINGS: Record<string, VulnSeverity> = {
  low: 'low',
  moderate: 'medium',
  medium: 'medium',
  high: 'high',
  important: 'high',
  critical: 'critical',
};

const WEIGHTS: Record<string, Record<string, number>> = {
  AV: { N: 0.85, A: 0.62, L: 0.55, P: 0.2 },
  AC: { L: 0.77, H: 0.44 },
  UI: { N: 0.85, R: 0.62 },
  C: { H: 0.56, L: 0.22, N: 0 },
  I: { H: 0.56, L: 0.22, N: 0 },
  A: { H: 0.56, L: 0.22, N: 0 },
};

/** CVSS v3's round-up to one decimal. */
function roundUp(x: number): number {
  const n = Math.round(x * 100000);
  return n % 10000 === 0 ? n / 100000 : (Math.floor(n / 10000) + 1) / 10;
}

/** The CVSS v3.x base score of a vector (`CVSS:3.1/AV:N/…`), or null when it is not one. */
export function cvss3Score(vector: string): number | null {
  if (!/^CVSS:3\.[01]\//.test(vector)) return null;
  const m: Record<string, string> = {};
  for (const part of vector.split('/').slice(1)) {
    const [k, v] = part.split(':');
    if (k && v) m[k] = v;
  }
  const changed = m.S === 'C';
  const pr = { N: 0.85, L: changed ? 0.68 : 0.62, H: changed ? 0.5 : 0.27 }[m.PR ?? ''];
  const w = (k: string) => WEIGHTS[k]?.[m[k] ?? ''];
  const [av, ac, ui, c, i, a] = ['AV', 'AC', 'UI', 'C', 'I', 'A'].map(w);
  if ([pr, av, ac, ui, c, i, a].some((x) => x === undefined) || (m.S !== 'U' && m.S !== 'C')) return null;
  const iss = 1 - (1 - (c as number)) * (1 - (i as number)) * (1 - (a as number));
  const impact = changed ? 7.52 * (iss - 0.029) - 3.25 * (iss - 0.02) ** 15 : 6.42 * iss;
  const exploitability = 8.22 * (av as number) * (ac as number) * (pr as number) * (ui as number);
  if (impact <= 0) return 0;
  return roundUp(Math.min((changed ? 1.08 : 1) * (impact + exploitability), 10));
}

/** CVSS's qualitative rating of a score. */
function ratingOf(score: number): VulnSeverity {
  if (score >= 9) return 'critical';
  if (score >= 7) return 'high';
  if (score >= 4) return 'medium';
  return score > 0 ? 'low' : 'unknown';
}

/** The database's own rating (GitHub's `database_specific.severity`) first, then a CVSS v3 score. */
function severityOf(doc: Record<string, unknown>, affected: unknown[]): VulnSeverity {
  const dbs = isObject(doc.database_specific) ? text(doc.database_specific.severity) : null;
  const rated = dbs === null ? undefined : RATINGS[dbs.toLowerCase()];
  if (rated) return rated;
  const scores = [
    ...(Array.isArray(doc.severity) ? doc.severity : []),
    ...affected.flatMap((a) => (isObject(a) && Array.isArray(a.severity) ? a.severity : [])),
  ].flatMap((s) => {
    const score = isObject(s) && text(s.type)?.startsWith('CVSS_V3') ? text(s.score) : null;
    const value = score === null ? null : cvss3Score(score);
    return value === null ? [] : [value];
  });
  if (scores.length > 0) return ratingOf(Math.max(...scores));
  for (const a of affected) {
    const eco = isObject(a) && isObject(a.ecosystem_specific) ? text(a.ecosystem_specific.severity) : null;
    const r = eco === null ? undefined : RATINGS[eco.toLowerCase()];
    if (r) return r;
  }
  return 'unknown';
}

/** `GET /v1/vulns/{id}`: one OSV record. */
export function parseRecord(body: Buffer, what: string): OsvRecord {
  const doc = json(body, what);
  if (!isObject(doc)) throw bad(what, 'not an object');
  const id = text(doc.id);
  if (id === null || id === '') throw bad(what, 'no "id"');
  const affected = Array.isArray(doc.affected) ? doc.affected : [];
  return {
    id,
    modified: text(doc.modified) ?? '',
    aliases: Array.isArray(doc.aliases) ? doc.aliases.flatMap((a) => (typeof a === 'string' ? [a] : [])) : [],
    summary: text(doc.summary) ?? (text(doc.details) ?? '').split('\n')[0]?.slice(0, 200) ?? '',
    severity: severityOf(doc, affected),
    affected: affected.flatMap((a) => {
      if (!isObject(a) || !isObject(a.package)) return [];
      const ecosystem = text(a.package.ecosystem);
      const name = text(a.package.name);
      if (ecosystem === null || name === null) return [];
      const ranges = Array.isArray(a.ranges) ? a.ranges : [];
      const fixed = ranges.flatMap((r) => {
        // A GIT range's events are commits, not versions anyone installs.
        if (!isObject(r) || r.type === 'GIT' || !Array.isArray(r.events)) return [];
        return r.events.flatMap((e) => (isObject(e) && typeof e.fixed === 'string' ? [e.fixed] : []));
      });
      return [{ ecosystem, name, fixed }];
    }),
  };
}
