// The npm registry's packument (`GET {base}/{name}`): versions, dist-tags, integrity, publish times, deprecations.

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

function digestOf(dist: unknown): string | null {
  if (!isObject(dist)) return null;
  if (typeof dist.integrity === 'string' && /^sha(256|384|512)-[A-Za-z0-9+/=]+$/.test(dist.integrity))
    return dist.integrity;
  return typeof dist.shasum === 'string' && /^[0-9a-f]{40}$/.test(dist.shasum) ? `sha1:${dist.shasum}` : null;
}

export function parsePackument(
  body: Buffer,
  what: string,
): { versions: VersionRecord[]; tags: Record<string, string> } {
  const doc = parseJson(body, what);
  if (!isObject(doc) || !isObject(doc.versions)) throw badAnswer(what, 'no "versions" mapping');
  const times = isObject(doc.time) ? doc.time : {};
  const tags: Record<string, string> = {};
  for (const [tag, version] of Object.entries(isObject(doc['dist-tags']) ? doc['dist-tags'] : {}))
    if (typeof version === 'string') tags[tag] = version;
  const versions = Object.entries(doc.versions).map(([version, manifest]): VersionRecord => {
    if (!isObject(manifest)) throw badAnswer(what, `version ${version} is not a mapping`);
    // An empty deprecation message is how npm un-deprecates a version.
    const deprecated =
      typeof manifest.deprecated === 'string' && manifest.deprecated !== '' ? manifest.deprecated : null;
    return {
      version,
      published: timeOrNull(times[version]),
      digest: digestOf(manifest.dist),
      yanked: false,
      deprecated,
    };
  });
  return { versions, tags };
}

/** A scoped name keeps its `@` and escapes its `/`, as the registry's routes expect. */
export function packumentPath(name: string): string {
  return name.startsWith('@') ? `@${encodeURIComponent(name.slice(1))}` : encodeURIComponent(name);
}

export const npm: RegistryProtocol = {
  async lookup(fetcher: RegistryFetcher, registry: RegistrySetting, name: string): Promise<Lookup> {
    const what = askedOf('npm', registry, name);
    const got = await fetcher.fetch(registry, `${registry.url}/${packumentPath(name)}`, what);
    if (got.kind !== 'ok') return got;
    return { kind: 'found', record: parsePackument(got.body, what) };
  },
};
