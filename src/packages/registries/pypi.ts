// PyPI's JSON API (`GET {base}/pypi/{name}/json`): every release, its files' sha256, upload times and yanks.

import { normalizePipName } from '../../domain/package-spec.js';
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

interface ReleaseFile {
  filename: string;
  sha256: string | null;
  uploaded: string | null;
  yanked: boolean;
  sdist: boolean;
}

function fileOf(v: unknown): ReleaseFile | null {
  if (!isObject(v) || typeof v.filename !== 'string') return null;
  const digests = isObject(v.digests) ? v.digests : {};
  return {
    filename: v.filename,
    sha256:
      typeof digests.sha256 === 'string' && /^[0-9a-f]{64}$/.test(digests.sha256) ? digests.sha256 : null,
    uploaded: timeOrNull(v.upload_time_iso_8601),
    yanked: v.yanked === true,
    sdist: v.packagetype === 'sdist',
  };
}

/**
 * A release as one version: yanked when every file is (PEP 592), published at its first upload, and its
 * digest the sdist's sha256 (else the first file's by name), the file every platform can install.
 */
function releaseOf(version: string, files: ReleaseFile[]): VersionRecord {
  const sorted = [...files].sort((a, b) => (a.filename < b.filename ? -1 : a.filename > b.filename ? 1 : 0));
  const chosen = sorted.find((f) => f.sdist) ?? sorted[0];
  const times = files.flatMap((f) => (f.uploaded === null ? [] : [f.uploaded])).sort();
  return {
    version,
    published: times[0] ?? null,
    digest: chosen?.sha256 ? `sha256:${chosen.sha256}` : null,
    yanked: files.every((f) => f.yanked),
    deprecated: null,
  };
}

export function parsePypi(body: Buffer, what: string): VersionRecord[] {
  const doc = parseJson(body, what);
  if (!isObject(doc) || !isObject(doc.releases)) throw badAnswer(what, 'no "releases" mapping');
  const out: VersionRecord[] = [];
  for (const [version, raw] of Object.entries(doc.releases)) {
    if (!Array.isArray(raw)) throw badAnswer(what, `release ${version} is not a list of files`);
    const files = raw.map(fileOf);
    if (files.some((f) => f === null)) throw badAnswer(what, `release ${version} has a file without a name`);
    // A release with no file cannot be installed: pip never picks it.
    if (files.length > 0) out.push(releaseOf(version, files as ReleaseFile[]));
  }
  return out;
}

export const pypi: RegistryProtocol = {
  async lookup(fetcher: RegistryFetcher, registry: RegistrySetting, name: string): Promise<Lookup> {
    const what = askedOf('pip', registry, name);
    const got = await fetcher.fetch(
      registry,
      `${registry.url}/pypi/${encodeURIComponent(normalizePipName(name))}/json`,
      what,
    );
    if (got.kind !== 'ok') return got;
    return { kind: 'found', record: { versions: parsePypi(got.body, what), tags: {} } };
  },
};
