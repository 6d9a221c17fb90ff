// A Debian or Ubuntu suite's `Packages` index (plain or gzip): every package's versions and their SHA256.

import { gunzipSync } from 'node:zlib';
import { EnvsyncError } from '../../errors.js';
import type { RegistrySetting } from '../../model.js';
import type { RegistryFetcher } from '../fetcher.js';
import { askedOf, badAnswer, type Lookup, type RegistryProtocol, type VersionRecord } from './record.js';

export interface AptPackage {
  version: string;
  architecture: string;
  sha256: string | null;
}

/** The index's stanzas by package name (RFC 822 style paragraphs; continuation lines skipped). */
export function parsePackagesIndex(text: string): Map<string, AptPackage[]> {
  const out = new Map<string, AptPackage[]>();
  for (const stanza of text.split(/\n\s*\n/)) {
    const fields = new Map<string, string>();
    for (const line of stanza.split('\n')) {
      const m = /^([A-Za-z0-9-]+):\s*(.*)$/.exec(line);
      if (m) fields.set((m[1] as string).toLowerCase(), (m[2] as string).trim());
    }
    const name = fields.get('package');
    const version = fields.get('version');
    if (!name || !version) continue;
    const sha = fields.get('sha256');
    const list = out.get(name) ?? [];
    list.push({
      version,
      architecture: fields.get('architecture') ?? 'all',
      sha256: sha && /^[0-9a-f]{64}$/.test(sha) ? sha : null,
    });
    out.set(name, list);
  }
  return out;
}

/** The index, read once per run however many specs ask it (the fetcher fetched it once too). */
const parsed = new WeakMap<Buffer, Map<string, AptPackage[]>>();

function indexOf(body: Buffer, what: string): Map<string, AptPackage[]> {
  const known = parsed.get(body);
  if (known) return known;
  let bytes = body;
  if (body[0] === 0x1f && body[1] === 0x8b) {
    try {
      bytes = gunzipSync(body, { maxOutputLength: 512 * 1024 * 1024 });
    } catch {
      throw badAnswer(what, 'a gzip file that does not decompress');
    }
  }
  const index = parsePackagesIndex(bytes.toString('utf8'));
  parsed.set(body, index);
  return index;
}

/** `name` or `name:arch`: the versions the index holds for it (an architecture-bound name only its own). */
export const aptIndex: RegistryProtocol = {
  async lookup(fetcher: RegistryFetcher, registry: RegistrySetting, name: string): Promise<Lookup> {
    const [pkg, arch] = name.split(':');
    const what = askedOf('apt', registry, 'its Packages index');
    const got = await fetcher.fetch(registry, registry.url, what);
    if (got.kind === 'uncached') return got;
    // The index itself missing says nothing of the package: registries.apt is wrong.
    if (got.kind === 'missing') {
      throw new EnvsyncError('registry_error', `${what}: the index is not there (404)`, {
        hint: "registries.apt names a suite's Packages file, e.g. …/dists/bookworm/main/binary-amd64/Packages.gz",
        location: registry.setAt ?? undefined,
      });
    }
    const entries = (indexOf(got.body, what).get(pkg ?? name) ?? []).filter(
      (p) => arch === undefined || p.architecture === arch || p.architecture === 'all',
    );
    if (entries.length === 0) return { kind: 'missing' };
    const versions = entries.map(
      (p): VersionRecord => ({
        version: p.version,
        published: null,
        digest: p.sha256 ? `sha256:${p.sha256}` : null,
        yanked: false,
        deprecated: null,
      }),
    );
    return { kind: 'found', record: { versions, tags: {} } };
  },
};
