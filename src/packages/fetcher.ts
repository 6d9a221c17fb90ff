// Registry requests: paced per registry (p-limit), one per URL per run, cached with ETags, bounded, offline on request.

import pLimit, { type LimitFunction } from 'p-limit';
import type { UrlPurpose } from '../api/base-url.js';
import { EnvsyncError } from '../errors.js';
import type { RegistrySetting } from '../model.js';
import { type CachedAnswer, freshnessOf, RegistryCache } from './cache.js';
import { boundedGet } from './http.js';

export interface Limits {
  /** The largest answer read, in bytes. */
  maxBytes: number;
  /** Per request: connecting, redirects and the whole body. */
  deadlineMs: number;
  maxRedirects: number;
  /** Requests in flight at once, per registry. */
  concurrency: number;
  /** Tries after a 429 or 503, each after the wait the registry asks for (at most maxRetryWaitMs). */
  retries: number;
  maxRetryWaitMs: number;
}

export const DEFAULT_LIMITS: Limits = {
  // npm packuments of very popular packages run to tens of MiB; a suite's Packages index to ~60 MiB.
  maxBytes: 128 * 1024 * 1024,
  deadlineMs: 60_000,
  maxRedirects: 5,
  concurrency: 8,
  retries: 3,
  maxRetryWaitMs: 30_000,
};

export interface RegistryAccess {
  /** Use only the cache (`--offline`): never the network. */
  offline: boolean;
  /** The cache folder; null: no cache. */
  cacheDir: string | null;
  /** Where token variables are read. */
  env: Record<string, string | undefined>;
  now: () => number;
  limits?: Partial<Limits>;
}

/** What a registry said of a URL: its body, that nothing is there, or (offline) that the cache has nothing. */
export type Fetched = { kind: 'ok'; body: Buffer } | { kind: 'missing' } | { kind: 'uncached' };

const PURPOSE: UrlPurpose = {
  what: 'a registry URL',
  secret: 'registry requests',
  example: 'https://pypi.org',
  served: 'registries are reached over https://',
  credentials: 'name the token variable with token_env',
};

const USER_AGENT = 'envsync (package lock)';

function answerOf(answer: Pick<CachedAnswer, 'status' | 'body'>): Fetched {
  return answer.status === 200 ? { kind: 'ok', body: answer.body } : { kind: 'missing' };
}

function retryWait(headers: Headers, cap: number): number {
  const raw = headers.get('retry-after');
  const seconds = raw === null ? 1 : Number(raw);
  return Number.isFinite(seconds) ? Math.min(Math.max(0, seconds * 1000), cap) : cap;
}

/**
 * Fetches registry documents for one command run. Each URL is fetched once however many specs need it;
 * a fresh cached answer is used without asking; a stale one is revalidated with If-None-Match.
 */
export class RegistryFetcher {
  /** Requests sent over the network, and answers served from the cache without one. */
  readonly stats = { requests: 0, fromCache: 0 };
  private readonly limits: Limits;
  private readonly cache: RegistryCache | null;
  private readonly memo = new Map<string, Promise<Fetched>>();
  private readonly pacers = new Map<string, LimitFunction>();

  constructor(private readonly access: RegistryAccess) {
    this.limits = { ...DEFAULT_LIMITS, ...access.limits };
    this.cache = access.cacheDir === null ? null : new RegistryCache(access.cacheDir);
  }

  get offline(): boolean {
    return this.access.offline;
  }

  /** `url` under `registry`; `what` names it in messages (`PyPI (https://pypi.org) for pandas`). */
  fetch(registry: RegistrySetting, url: string, what: string): Promise<Fetched> {
    const known = this.memo.get(url);
    if (known) return known;
    const pacer = this.pacerFor(registry.url);
    const made = pacer(() => this.fetchOnce(registry, url, what));
    this.memo.set(url, made);
    return made;
  }

  private pacerFor(registry: string): LimitFunction {
    let pacer = this.pacers.get(registry);
    if (!pacer) {
      pacer = pLimit(this.limits.concurrency);
      this.pacers.set(registry, pacer);
    }
    return pacer;
  }

  private token(registry: RegistrySetting): Record<string, string> {
    if (registry.token_env === null) return {};
    const token = this.access.env[registry.token_env];
    if (!token) {
      throw new EnvsyncError('registry_token_missing', `${registry.token_env} is not set`, {
        hint: `envsync.yaml names ${registry.token_env} as the token for ${registry.url}: export it, or remove token_env`,
        location: registry.setAt ?? undefined,
      });
    }
    return { authorization: `Bearer ${token}` };
  }

  private async fetchOnce(registry: RegistrySetting, url: string, what: string): Promise<Fetched> {
    const cached = this.cache?.get(url) ?? null;
    if (this.access.offline) {
      if (!cached) return { kind: 'uncached' };
      this.stats.fromCache++;
      return answerOf(cached);
    }
    if (cached && this.access.now() - cached.fetchedAt < cached.maxAge * 1000) {
      this.stats.fromCache++;
      return answerOf(cached);
    }
    // The token belongs to the registry's origin: a URL elsewhere (a checksum database) never gets it.
    const originHeaders = new URL(url).origin === new URL(registry.url).origin ? this.token(registry) : {};
    for (let attempt = 0; ; attempt++) {
      this.stats.requests++;
      const answer = await boundedGet({
        url,
        what,
        headers: {
          accept: 'application/json, text/plain;q=0.9, */*;q=0.8',
          'user-agent': USER_AGENT,
          ...(cached?.status === 200 && cached.etag ? { 'if-none-match': cached.etag } : {}),
        },
        originHeaders,
        maxBytes: this.limits.maxBytes,
        deadlineMs: this.limits.deadlineMs,
        maxRedirects: this.limits.maxRedirects,
        purpose: PURPOSE,
      });
      if (answer.status === 304 && cached?.status === 200) {
        this.remember({ ...cached, fetchedAt: this.access.now() }, answer.headers);
        return answerOf(cached);
      }
      if (answer.status === 200 || answer.status === 404 || answer.status === 410) {
        const fresh: CachedAnswer = {
          url,
          status: answer.status === 200 ? 200 : 404,
          etag: answer.headers.get('etag'),
          fetchedAt: this.access.now(),
          maxAge: 0,
          body: answer.body,
        };
        this.remember(fresh, answer.headers);
        return answerOf(fresh);
      }
      if ((answer.status === 429 || answer.status === 503) && attempt < this.limits.retries) {
        await new Promise((r) => setTimeout(r, retryWait(answer.headers, this.limits.maxRetryWaitMs)));
        continue;
      }
      throw new EnvsyncError('registry_error', `${what}: the registry answered ${answer.status}`, {
        hint:
          answer.status === 401 || answer.status === 403
            ? 'the registry refused the request: check its token (token_env in envsync.yaml)'
            : 'try again later, or use --offline to work from the cache',
      });
    }
  }

  private remember(answer: CachedAnswer, headers: Headers): void {
    const maxAge = freshnessOf(headers.get('cache-control'));
    if (maxAge === null || !this.cache) return;
    this.cache.put({ ...answer, maxAge });
  }
}
