// A Go module proxy (`{base}/{module}/@v/list`, `/@v/{v}.info`, `/@v/{v}.mod`, `/@latest`) and the checksum
// database (`{db}/lookup/{module}@{v}`) for `h1:` digests.

import type { RegistrySetting } from '../../model.js';
import type { RegistryFetcher } from '../fetcher.js';
import { compareGo, isGoVersion } from '../grammar/go.js';
import {
  askedOf,
  badAnswer,
  isObject,
  type Lookup,
  type PackageRecord,
  parseJson,
  type RegistryProtocol,
  timeOrNull,
  type VersionRecord,
} from './record.js';

/** Go's case encoding for proxy paths: each upper-case letter as `!` and its lower case. */
export function escapeGoPath(p: string): string {
  return p.replace(/[A-Z]/g, (c) => `!${c.toLowerCase()}`);
}

/**
 * The modules a package path may belong to, most likely first: on the common code hosts the module is the
 * first three elements (and a `/vN` after them); elsewhere every prefix, longest first, as `go` itself tries.
 */
export function moduleCandidates(path: string): string[] {
  const parts = path.split('/');
  if (/^(github\.com|gitlab\.com|bitbucket\.org)$/.test(parts[0] ?? '') && parts.length >= 3) {
    const major = /^v\d+$/.test(parts[3] ?? '') ? 4 : 3;
    return [parts.slice(0, major).join('/')];
  }
  const out: string[] = [];
  for (let n = parts.length; n >= 1; n--) out.push(parts.slice(0, n).join('/'));
  return out;
}

/** The versions a go.mod retracts: `retract v1.0.0`, `retract [v1.0.0, v1.0.5]`, and the block form. */
export function retractions(goMod: string): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  const text = goMod.replace(/\/\/[^\n]*/g, '');
  const items: string[] = [];
  for (const m of text.matchAll(/^\s*retract\s*\(([\s\S]*?)\)/gm)) items.push(...(m[1] ?? '').split('\n'));
  for (const m of text.matchAll(/^\s*retract\s+([^(\s][^\n]*)$/gm)) items.push(m[1] ?? '');
  for (const raw of items) {
    const item = raw.trim();
    const range = /^\[\s*(\S+)\s*,\s*(\S+)\s*\]$/.exec(item);
    if (range) out.push([range[1] as string, range[2] as string]);
    else if (isGoVersion(item)) out.push([item, item]);
  }
  return out;
}

function isRetracted(version: string, ranges: Array<[string, string]>): boolean {
  return ranges.some(([low, high]) => compareGo(low, version) <= 0 && compareGo(version, high) <= 0);
}

/** The checksum database asked for `h1:` digests: `off`, the one envsync.yaml names, or the default. */
export function checksumDbOf(registry: RegistrySetting, publicProxy: string): string | null {
  if (registry.checksum_db === 'off') return null;
  if (registry.checksum_db !== null) return registry.checksum_db;
  // A mirror proxies the checksum database under its own URL (the GOPROXY protocol's /sumdb/ path).
  return registry.url === publicProxy ? 'https://sum.golang.org' : `${registry.url}/sumdb/sum.golang.org`;
}

/** The `h1:` hash of a module version's zip, from a checksum database `lookup` answer. */
export function h1From(lookup: string, module: string, version: string): string | null {
  for (const line of lookup.split('\n')) {
    const [m, v, hash] = line.trim().split(/\s+/);
    if (m === module && v === version && hash?.startsWith('h1:')) return hash;
  }
  return null;
}

/** A proxy's `.info` (or `@latest`) answer: the canonical version and its time; null when it has none. */
async function info(
  fetcher: RegistryFetcher,
  registry: RegistrySetting,
  url: string,
  what: string,
): Promise<{ version: string; published: string | null } | null> {
  const got = await fetcher.fetch(registry, url, what);
  if (got.kind !== 'ok') return null;
  const doc = parseJson(got.body, what);
  if (!isObject(doc) || typeof doc.Version !== 'string') throw badAnswer(what, 'an .info without "Version"');
  return { version: doc.Version, published: timeOrNull(doc.Time) };
}

function recordFor(
  fetcher: RegistryFetcher,
  registry: RegistrySetting,
  module: string,
  versions: string[],
  retracted: Array<[string, string]>,
  what: string,
  publicProxy: string,
): PackageRecord {
  const base = `${registry.url}/${escapeGoPath(module)}`;
  const db = checksumDbOf(registry, publicProxy);
  const digest = async (version: string): Promise<string | null> => {
    if (db === null) return null;
    const dbSetting: RegistrySetting = { ...registry, url: db };
    const got = await fetcher.fetch(
      dbSetting,
      `${db}/lookup/${escapeGoPath(module)}@${escapeGoPath(version)}`,
      `${what} (checksum database ${db})`,
    );
    return got.kind === 'ok' ? h1From(got.body.toString('utf8'), module, version) : null;
  };
  const infoUrl = (version: string) => `${base}/@v/${escapeGoPath(version)}.info`;
  const record = (version: string): VersionRecord => ({
    version,
    published: null,
    digest: null,
    yanked: isRetracted(version, retracted),
    deprecated: null,
  });
  return {
    versions: versions.map(record),
    tags: {},
    details: async (version) => ({
      published: (await info(fetcher, registry, infoUrl(version), what))?.published ?? null,
      digest: await digest(version),
    }),
    // `latest` of a module with no tagged version is its newest commit, which only the proxy can name.
    query: async (query) => {
      const found = await info(
        fetcher,
        registry,
        query === 'latest' ? `${base}/@latest` : infoUrl(query),
        what,
      );
      return found && isGoVersion(found.version) ? record(found.version) : null;
    },
  };
}

export function goProxy(publicProxy: string): RegistryProtocol {
  return {
    async lookup(fetcher: RegistryFetcher, registry: RegistrySetting, path: string): Promise<Lookup> {
      for (const module of moduleCandidates(path)) {
        const what = askedOf('go', registry, module);
        const base = `${registry.url}/${escapeGoPath(module)}`;
        const list = await fetcher.fetch(registry, `${base}/@v/list`, what);
        if (list.kind === 'uncached') return list;
        if (list.kind === 'missing') continue;
        const versions = list.body
          .toString('utf8')
          .split('\n')
          .map((v) => v.trim())
          .filter(isGoVersion)
          .sort(compareGo);
        // The newest version's go.mod says which versions its authors retracted.
        const newest = versions.at(-1);
        let retracted: Array<[string, string]> = [];
        if (newest !== undefined) {
          const mod = await fetcher.fetch(registry, `${base}/@v/${escapeGoPath(newest)}.mod`, what);
          if (mod.kind === 'ok') retracted = retractions(mod.body.toString('utf8'));
        }
        return {
          kind: 'found',
          record: recordFor(fetcher, registry, module, versions, retracted, what, publicProxy),
        };
      }
      return { kind: 'missing' };
    },
  };
}
