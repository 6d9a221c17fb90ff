// A Cargo sparse index (`GET {base}/se/rd/serde`): one JSON line per version, with its checksum and yank.

import type { RegistrySetting } from '../../model.js';
import type { RegistryFetcher } from '../fetcher.js';
import {
  askedOf,
  badAnswer,
  isObject,
  type Lookup,
  type RegistryProtocol,
  timeOrNull,
  type VersionRecord,
} from './record.js';

/** The index path of a crate: `1/a`, `2/ab`, `3/a/abc`, `se/rd/serde` (lower case). */
export function indexPath(name: string): string {
  const n = name.toLowerCase();
  if (n.length <= 2) return `${n.length}/${n}`;
  if (n.length === 3) return `3/${n[0]}/${n}`;
  return `${n.slice(0, 2)}/${n.slice(2, 4)}/${n}`;
}

export function parseIndexFile(body: Buffer, what: string): VersionRecord[] {
  return body
    .toString('utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line, i): VersionRecord => {
      let entry: unknown;
      try {
        entry = JSON.parse(line);
      } catch {
        throw badAnswer(what, `line ${i + 1} is not JSON`);
      }
      if (!isObject(entry) || typeof entry.vers !== 'string')
        throw badAnswer(what, `line ${i + 1} has no "vers"`);
      const cksum =
        typeof entry.cksum === 'string' && /^[0-9a-f]{64}$/.test(entry.cksum) ? entry.cksum : null;
      return {
        version: entry.vers,
        // Newer index entries carry `pubtime`; older ones say nothing of when.
        published: timeOrNull(entry.pubtime),
        digest: cksum ? `sha256:${cksum}` : null,
        yanked: entry.yanked === true,
        deprecated: null,
      };
    });
}

export const crates: RegistryProtocol = {
  async lookup(fetcher: RegistryFetcher, registry: RegistrySetting, name: string): Promise<Lookup> {
    const what = askedOf('cargo', registry, name);
    const got = await fetcher.fetch(registry, `${registry.url}/${indexPath(name)}`, what);
    if (got.kind !== 'ok') return got;
    return { kind: 'found', record: { versions: parseIndexFile(got.body, what), tags: {} } };
  },
};
