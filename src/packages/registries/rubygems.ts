// RubyGems' versions API (`GET {base}/api/v1/versions/{name}.json`): every version, its sha and creation time.

import type { RegistrySetting } from '../../model.js';
import type { RegistryFetcher } from '../fetcher.js';
import {
  askedOf,
  badAnswer,
  isObject,
  type Lookup,
  parseJson,
  type RegistryProtocol,
  timeOrNull,
  type VersionRecord,
} from './record.js';

/**
 * One record per version number; a number built for several platforms keeps the `ruby` build's sha (the
 * one `gem install` fetches on any platform). Yanked versions are not listed by this API at all.
 */
export function parseGemVersions(body: Buffer, what: string): VersionRecord[] {
  const doc = parseJson(body, what);
  if (!Array.isArray(doc)) throw badAnswer(what, 'not a list of versions');
  const byNumber = new Map<string, VersionRecord & { ruby: boolean }>();
  for (const item of doc) {
    if (!isObject(item) || typeof item.number !== 'string')
      throw badAnswer(what, 'a version without "number"');
    const ruby = item.platform === undefined || item.platform === 'ruby';
    const known = byNumber.get(item.number);
    if (known?.ruby) continue;
    if (known && !ruby) continue;
    byNumber.set(item.number, {
      version: item.number,
      published: timeOrNull(item.created_at),
      digest: typeof item.sha === 'string' && /^[0-9a-f]{64}$/.test(item.sha) ? `sha256:${item.sha}` : null,
      yanked: false,
      deprecated: null,
      ruby,
    });
  }
  return [...byNumber.values()].map(({ ruby: _, ...v }) => v);
}

export const rubygems: RegistryProtocol = {
  async lookup(fetcher: RegistryFetcher, registry: RegistrySetting, name: string): Promise<Lookup> {
    const what = askedOf('gem', registry, name);
    const got = await fetcher.fetch(
      registry,
      `${registry.url}/api/v1/versions/${encodeURIComponent(name)}.json`,
      what,
    );
    if (got.kind !== 'ok') return got;
    return { kind: 'found', record: { versions: parseGemVersions(got.body, what), tags: {} } };
  },
};
