// What a registry says of one package, the same for every manager: its versions, their state, and tags.

import { EnvsyncError } from '../../errors.js';
import type { PackageManager, RegistrySetting } from '../../model.js';
import type { RegistryFetcher } from '../fetcher.js';

export interface VersionRecord {
  /** As the registry spells it. */
  version: string;
  /** RFC 3339, or null when the registry does not say (or says it only on request: see PackageRecord.details). */
  published: string | null;
  /** `sha256:…`, npm's `sha512-…`, Go's `h1:…`; null when the registry publishes none. */
  digest: string | null;
  /** Withdrawn by its publisher: pip and crates `yanked`, Go `retract`. Never chosen; an error when pinned. */
  yanked: boolean;
  /** npm: the deprecation message; null when not deprecated. Never chosen for a range; flagged when pinned. */
  deprecated: string | null;
}

export interface PackageRecord {
  versions: VersionRecord[];
  /** npm's dist-tags (`latest`, `next`); empty elsewhere. */
  tags: Record<string, string>;
  /**
   * For registries that list versions without their details (the Go proxy): the publish time and digest of
   * one version, asked only for the version chosen. Absent when the versions already hold them.
   */
  details?: (version: string) => Promise<Pick<VersionRecord, 'published' | 'digest'>>;
  /**
   * For registries that answer a query themselves (the Go proxy: a branch, a commit, `latest` of an untagged
   * module): the version it names, or null.
   */
  query?: (query: string) => Promise<VersionRecord | null>;
}

export type Lookup = { kind: 'found'; record: PackageRecord } | { kind: 'missing' } | { kind: 'uncached' };

/** One manager's registry protocol: how to look a package up. */
export interface RegistryProtocol {
  lookup(fetcher: RegistryFetcher, registry: RegistrySetting, name: string): Promise<Lookup>;
}

/** Each manager's registry, in words. */
export const REGISTRY_NAMES: Record<PackageManager, string> = {
  apt: 'the apt index',
  cargo: 'crates.io',
  gem: 'RubyGems',
  go: 'the Go module proxy',
  npm: 'npm',
  pip: 'PyPI',
};

/** `PyPI (https://pypi.org) for pandas`: who is asked, for messages. */
export function askedOf(manager: PackageManager, registry: RegistrySetting, name: string): string {
  return `${REGISTRY_NAMES[manager]} (${registry.url}) for ${name}`;
}

/** An answer that is not what the protocol promises: refused, never guessed at. */
export function badAnswer(what: string, why: string): EnvsyncError {
  return new EnvsyncError(
    'registry_bad_answer',
    `${what}: the answer is not what the registry protocol promises (${why})`,
    {
      hint: "check that the registry URL in envsync.yaml speaks this manager's protocol",
    },
  );
}

export function parseJson(body: Buffer, what: string): unknown {
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    throw badAnswer(what, 'not JSON');
  }
}

export const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** An RFC 3339 time as given, or null for anything that does not parse as a time. */
export function timeOrNull(v: unknown): string | null {
  return typeof v === 'string' && !Number.isNaN(Date.parse(v)) ? v : null;
}
