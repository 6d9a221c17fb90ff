// OSV's answers under .envsync/cache/osv/: per package version the IDs found (with when they were asked), and
// per ID the record as parsed (kept while OSV reports the same modification time).

import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { wrapFsError } from '../errors.js';
import { tempPrefix } from '../fs/atomic.js';
import { VULN_SEVERITIES, type VulnSeverity } from '../model.js';
import type { OsvRecord } from './osv-parse.js';
import { isObject } from './registries/record.js';

export interface CachedQuery {
  fetchedAt: number;
  vulns: Array<{ id: string; modified: string }>;
}

function hashed(s: string): string {
  return createHash('sha256').update(s).digest('hex');
}

const isStrings = (v: unknown): v is string[] => Array.isArray(v) && v.every((x) => typeof x === 'string');

/**
 * A record as putRecord wrote it, checked field by field: what the gate judges by (the severity above all) is
 * never taken from a file that does not read as a record, so a damaged entry is a miss and is asked again.
 */
function isRecord(v: unknown): v is OsvRecord {
  return (
    isObject(v) &&
    typeof v.id === 'string' &&
    typeof v.modified === 'string' &&
    typeof v.summary === 'string' &&
    VULN_SEVERITIES.includes(v.severity as VulnSeverity) &&
    isStrings(v.aliases) &&
    Array.isArray(v.affected) &&
    v.affected.every(
      (a) =>
        isObject(a) && typeof a.ecosystem === 'string' && typeof a.name === 'string' && isStrings(a.fixed),
    )
  );
}

/** A cache entry that cannot be read is a miss, never an error: it is only a cache. */
export class OsvCache {
  private prepared = false;

  constructor(readonly dir: string) {}

  query(key: string): CachedQuery | null {
    const v = this.read(`q-${hashed(key)}`);
    if (!isObject(v) || v.key !== key || typeof v.fetched_at !== 'number' || !Array.isArray(v.vulns))
      return null;
    const vulns = v.vulns.flatMap((x) =>
      isObject(x) && typeof x.id === 'string' && typeof x.modified === 'string'
        ? [{ id: x.id, modified: x.modified }]
        : [],
    );
    return { fetchedAt: v.fetched_at, vulns };
  }

  putQuery(key: string, q: CachedQuery): void {
    this.write(`q-${hashed(key)}`, { key, fetched_at: q.fetchedAt, vulns: q.vulns });
  }

  record(id: string): OsvRecord | null {
    const v = this.read(`v-${hashed(id)}`);
    return isRecord(v) && v.id === id ? v : null;
  }

  putRecord(record: OsvRecord): void {
    this.write(`v-${hashed(record.id)}`, record);
  }

  private file(name: string): string {
    return path.join(this.dir, name.slice(2, 4), `${name}.json`);
  }

  private read(name: string): unknown {
    try {
      return JSON.parse(readFileSync(this.file(name), 'utf8'));
    } catch {
      return null;
    }
  }

  private write(name: string, value: unknown): void {
    const file = this.file(name);
    try {
      if (!this.prepared) {
        mkdirSync(this.dir, { recursive: true });
        writeFileSync(path.join(this.dir, '.gitignore'), '*\n');
        this.prepared = true;
      }
      mkdirSync(path.dirname(file), { recursive: true });
      const temp = path.join(path.dirname(file), `${tempPrefix(file)}${randomBytes(6).toString('hex')}`);
      writeFileSync(temp, `${JSON.stringify(value)}\n`);
      renameSync(temp, file);
    } catch (e) {
      throw wrapFsError(e, this.dir, 'write the OSV cache in');
    }
  }
}
