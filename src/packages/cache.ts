// The registry cache under .envsync/cache/: each answer with its ETag and how long the registry says it keeps.

import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { wrapFsError } from '../errors.js';
import { tempPrefix } from '../fs/atomic.js';

export const CACHE_DIR = '.envsync/cache';

export interface CachedAnswer {
  url: string;
  /** 200, or 404 for "nothing there" (registries let that be cached too). */
  status: 200 | 404;
  etag: string | null;
  /** When it was fetched or last confirmed (ms since the epoch). */
  fetchedAt: number;
  /** Seconds the registry said it stays fresh (Cache-Control max-age); 0: always ask again. */
  maxAge: number;
  body: Buffer;
}

interface Meta {
  url: string;
  status: 200 | 404;
  etag: string | null;
  fetched_at: number;
  max_age: number;
}

function isMeta(v: unknown): v is Meta {
  const m = v as Partial<Meta> | null;
  return (
    typeof m === 'object' &&
    m !== null &&
    typeof m.url === 'string' &&
    (m.status === 200 || m.status === 404) &&
    (m.etag === null || typeof m.etag === 'string') &&
    typeof m.fetched_at === 'number' &&
    typeof m.max_age === 'number'
  );
}

/** What Cache-Control allows: how long an answer stays fresh, or null when it must not be stored. */
export function freshnessOf(cacheControl: string | null): number | null {
  const directives = (cacheControl ?? '').toLowerCase();
  if (/(^|,)\s*no-store\b/.test(directives)) return null;
  if (/(^|,)\s*no-cache\b/.test(directives)) return 0;
  const maxAge = /(?:^|,)\s*max-age\s*=\s*(\d+)/.exec(directives);
  return maxAge ? Number(maxAge[1]) : 0;
}

/**
 * One file pair per URL (`<sha256>.json` for what the answer was, `<sha256>.body` for the bytes), under a
 * folder git ignores. A cache entry that cannot be read is a miss, never an error: it is only a cache.
 */
export class RegistryCache {
  private prepared = false;

  constructor(readonly dir: string) {}

  private files(url: string): { meta: string; body: string } {
    const key = createHash('sha256').update(url).digest('hex');
    const base = path.join(this.dir, key.slice(0, 2), key);
    return { meta: `${base}.json`, body: `${base}.body` };
  }

  get(url: string): CachedAnswer | null {
    const files = this.files(url);
    try {
      const meta: unknown = JSON.parse(readFileSync(files.meta, 'utf8'));
      if (!isMeta(meta) || meta.url !== url) return null;
      const body = readFileSync(files.body);
      return {
        url,
        status: meta.status,
        etag: meta.etag,
        fetchedAt: meta.fetched_at,
        maxAge: meta.max_age,
        body,
      };
    } catch {
      return null;
    }
  }

  /**
   * Stores an answer, each file replaced whole by a rename (the body before its meta, so a meta always has its
   * body). Not fsynced: a cache lost in a crash is fetched again.
   */
  put(answer: CachedAnswer): void {
    const files = this.files(answer.url);
    const meta: Meta = {
      url: answer.url,
      status: answer.status,
      etag: answer.etag,
      fetched_at: answer.fetchedAt,
      max_age: answer.maxAge,
    };
    try {
      this.prepare();
      mkdirSync(path.dirname(files.meta), { recursive: true });
      replace(files.body, answer.body);
      replace(files.meta, `${JSON.stringify(meta)}\n`);
    } catch (e) {
      throw wrapFsError(e, this.dir, 'write the registry cache in');
    }
  }

  /** The cache is scratch: keep it out of git without asking the user to edit their .gitignore. */
  private prepare(): void {
    if (this.prepared) return;
    mkdirSync(this.dir, { recursive: true });
    writeFileSync(path.join(this.dir, '.gitignore'), '*\n');
    this.prepared = true;
  }
}

function replace(file: string, data: string | Uint8Array): void {
  const temp = path.join(path.dirname(file), `${tempPrefix(file)}${randomBytes(6).toString('hex')}`);
  writeFileSync(temp, data);
  renameSync(temp, file);
}
