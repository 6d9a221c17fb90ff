// The OSV API (`POST /v1/querybatch`, `GET /v1/vulns/{id}`): known vulnerabilities of exact package versions,
// each answer parsed at the edge, bounded like the registries' and cached under .envsync/cache/osv/.

import pLimit from 'p-limit';
import type { UrlPurpose } from '../api/base-url.js';
import { EnvsyncError } from '../errors.js';
import type { Vulnerability } from '../model.js';
import { DEFAULT_LIMITS, type Limits } from './fetcher.js';
import { boundedGet } from './http.js';
import { OsvCache } from './osv-cache.js';
import { type OsvRecord, parseBatch, parseRecord } from './osv-parse.js';

export const PUBLIC_OSV = 'https://api.osv.dev';

/** How long OSV's answer for one package version is used without asking again. */
export const OSV_TTL_MS = 60 * 60 * 1000;

/** OSV takes at most this many queries in one batch. */
const BATCH = 1000;
/** Pages of one query's results followed (OSV pages a package with very many findings). */
const MAX_PAGES = 20;
/** Vulnerability records fetched at once. */
const RECORDS_IN_FLIGHT = 8;

const PURPOSE: UrlPurpose = {
  what: 'the OSV URL',
  secret: 'OSV requests',
  example: 'https://api.osv.dev',
  served: 'OSV is reached over https://',
  credentials: 'OSV needs no credentials',
};

/** One exact version to ask about, in OSV's words. */
export interface OsvQuery {
  /** `PyPI`, `npm`, `crates.io`, `RubyGems`, `Go`, `Debian:12`. */
  ecosystem: string;
  name: string;
  version: string;
}

export interface OsvAccess {
  /** The OSV base URL, checked, without a trailing slash. */
  url: string;
  /** Only the cache (`--offline`). */
  offline: boolean;
  /** The cache folder; null: no cache. */
  cacheDir: string | null;
  now: () => number;
  ttlMs?: number;
  limits?: Partial<Limits>;
}

export interface OsvAnswer {
  /** Per query key (`queryKey`): its vulnerabilities, as they apply to that package. */
  found: Map<string, Vulnerability[]>;
  /** Queries the cache could not answer offline. */
  uncached: number;
}

export function queryKey(q: OsvQuery): string {
  return `${q.ecosystem}\0${q.name}\0${q.version}`;
}

/** OSV's PyPI names compare as PEP 503 says; the others exactly. */
function sameName(ecosystem: string, a: string, b: string): boolean {
  if (ecosystem !== 'PyPI') return a === b;
  const fold = (s: string) => s.toLowerCase().replace(/[-_.]+/g, '-');
  return fold(a) === fold(b);
}

/** A record as it concerns one package: the versions that fix it there. */
export function vulnerabilityFor(record: OsvRecord, q: OsvQuery): Vulnerability {
  const fixed: string[] = [];
  for (const a of record.affected) {
    if (a.ecosystem !== q.ecosystem || !sameName(q.ecosystem, a.name, q.name)) continue;
    for (const f of a.fixed) if (!fixed.includes(f)) fixed.push(f);
  }
  return {
    id: record.id,
    aliases: record.aliases,
    summary: record.summary,
    severity: record.severity,
    fixed,
  };
}

/**
 * Asks OSV for one command run: every query once, in batches, its answer cached for OSV_TTL_MS; each
 * vulnerability record fetched once and kept while OSV says it has not been modified.
 */
export class OsvClient {
  readonly stats = { requests: 0, fromCache: 0 };
  private readonly limits: Limits;
  private readonly cache: OsvCache | null;

  constructor(private readonly access: OsvAccess) {
    this.limits = { ...DEFAULT_LIMITS, ...access.limits };
    this.cache = access.cacheDir === null ? null : new OsvCache(access.cacheDir);
  }

  get url(): string {
    return this.access.url;
  }

  async vulnerabilities(queries: readonly OsvQuery[]): Promise<OsvAnswer> {
    const now = this.access.now();
    const ttl = this.access.ttlMs ?? OSV_TTL_MS;
    const unique = [...new Map(queries.map((q) => [queryKey(q), q])).values()];
    const ids = new Map<string, Array<{ id: string; modified: string }>>();
    const ask: OsvQuery[] = [];
    let uncached = 0;
    for (const q of unique) {
      const cached = this.cache?.query(queryKey(q)) ?? null;
      if (cached && (this.access.offline || now - cached.fetchedAt < ttl)) {
        this.stats.fromCache++;
        ids.set(queryKey(q), cached.vulns);
      } else if (this.access.offline) uncached++;
      else ask.push(q);
    }
    for (let i = 0; i < ask.length; i += BATCH) {
      const batch = ask.slice(i, i + BATCH);
      const answers = await this.batch(batch);
      batch.forEach((q, j) => {
        const vulns = answers[j] ?? [];
        ids.set(queryKey(q), vulns);
        this.cache?.putQuery(queryKey(q), { fetchedAt: now, vulns });
      });
    }
    const records = await this.records([...ids.values()].flat());
    const found = new Map<string, Vulnerability[]>();
    for (const q of unique) {
      const list = ids.get(queryKey(q));
      if (list === undefined) continue;
      const vulns = list.flatMap((v) => {
        const record = records.get(v.id);
        return record ? [vulnerabilityFor(record, q)] : [];
      });
      found.set(queryKey(q), vulns);
    }
    return { found, uncached };
  }

  /** One batch of queries, each followed through its pages: per query, the IDs and when each was modified. */
  private async batch(queries: readonly OsvQuery[]): Promise<Array<Array<{ id: string; modified: string }>>> {
    const out: Array<Array<{ id: string; modified: string }>> = queries.map(() => []);
    let pending = queries.map((q, index) => ({ index, q, token: null as string | null }));
    for (let page = 0; pending.length > 0; page++) {
      if (page >= MAX_PAGES) {
        throw new EnvsyncError(
          'osv_bad_answer',
          `OSV (${this.url}): more than ${MAX_PAGES} pages of results`,
          {
            hint: 'check that registries.osv in envsync.yaml names an OSV API',
          },
        );
      }
      const body = JSON.stringify({
        queries: pending.map(({ q, token }) => ({
          package: { ecosystem: q.ecosystem, name: q.name },
          version: q.version,
          ...(token === null ? {} : { page_token: token }),
        })),
      });
      const what = `OSV (${this.url}) for ${pending.length} package version${pending.length === 1 ? '' : 's'}`;
      const results = parseBatch(
        await this.send(`${this.url}/v1/querybatch`, what, body),
        what,
        pending.length,
      );
      const next: typeof pending = [];
      results.forEach((r, j) => {
        const item = pending[j];
        if (!item) return;
        out[item.index]?.push(...r.vulns);
        if (r.nextPageToken !== null) next.push({ ...item, token: r.nextPageToken });
      });
      pending = next;
    }
    return out;
  }

  /** Each record once: from the cache when it holds the same modification, else from OSV. */
  private async records(
    wanted: ReadonlyArray<{ id: string; modified: string }>,
  ): Promise<Map<string, OsvRecord>> {
    const byId = new Map(wanted.map((v) => [v.id, v.modified]));
    const out = new Map<string, OsvRecord>();
    const limit = pLimit(RECORDS_IN_FLIGHT);
    await Promise.all(
      [...byId].map(([id, modified]) =>
        limit(async () => {
          const cached = this.cache?.record(id) ?? null;
          if (cached && (this.access.offline || cached.modified === modified)) {
            out.set(id, cached);
            return;
          }
          if (this.access.offline) return;
          const what = `OSV (${this.url}) for ${id}`;
          const record = parseRecord(
            await this.send(`${this.url}/v1/vulns/${encodeURIComponent(id)}`, what),
            what,
          );
          this.cache?.putRecord(record);
          out.set(id, record);
        }),
      ),
    );
    return out;
  }

  private async send(url: string, what: string, json?: string): Promise<Buffer> {
    for (let attempt = 0; ; attempt++) {
      this.stats.requests++;
      const answer = await boundedGet({
        url,
        what,
        headers: { accept: 'application/json', 'user-agent': 'envsync (supply-chain gate)' },
        originHeaders: {},
        maxBytes: this.limits.maxBytes,
        deadlineMs: this.limits.deadlineMs,
        maxRedirects: this.limits.maxRedirects,
        purpose: PURPOSE,
        ...(json === undefined ? {} : { json }),
      });
      if (answer.status === 200) return answer.body;
      if ((answer.status === 429 || answer.status === 503) && attempt < this.limits.retries) {
        const seconds = Number(answer.headers.get('retry-after') ?? 1);
        const wait = Number.isFinite(seconds) ? Math.min(seconds * 1000, this.limits.maxRetryWaitMs) : 1000;
        await new Promise((r) => setTimeout(r, wait));
        continue;
      }
      throw new EnvsyncError('osv_error', `${what}: OSV answered ${answer.status}`, {
        hint: 'try again later, use --offline to work from the cache, or set vulnerabilities: off',
      });
    }
  }
}
