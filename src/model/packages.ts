// Package registries and the lock (DESIGN §13): where versions come from, and what envsync.lock records.

import type { PackageManager, SourceLocation } from './config.js';

export type { PackageSource } from './config.js';

/** One manager's registry: a base URL speaking its public registry's protocol. */
export interface RegistrySetting {
  /** Checked (https, or http on loopback), without a trailing slash. */
  url: string;
  /** The environment variable holding a token, sent as `Authorization: Bearer` to this origin; null: none. */
  token_env: string | null;
  /** go only: the checksum database for `h1:` digests, `off`, or null for the default one. */
  checksum_db: string | null;
  /** Where envsync.yaml set it; null for a public default. */
  setAt: SourceLocation | null;
}

export type RegistrySettings = Partial<Record<PackageManager, RegistrySetting>>;

/** A spec resolved to one version by its registry. */
export interface LockedVersion {
  version: string;
  /** The registry's digest for it where it publishes one (`sha256:…`, npm's `sha512-…`, Go's `h1:…`); else null. */
  digest: string | null;
  /** When the registry says it was published (RFC 3339); null when it does not say. */
  published: string | null;
  /** The registry's base URL. */
  registry: string;
  /** npm: the version is deprecated (pinned so in the file); the registry's message. */
  deprecated?: string;
}

/** A spec envsync does not resolve (apt without a suite index): sent as written. */
export interface UnresolvedSpec {
  unresolved: string;
}

export type LockEntry = LockedVersion | UnresolvedSpec;

export function isLocked(entry: LockEntry): entry is LockedVersion {
  return 'version' in entry;
}

/** Per manager, per spec as written. */
export type LockedPackages = Partial<Record<PackageManager, Record<string, LockEntry>>>;

/**
 * `envsync.lock`: one set of entries for the project, and apart for a workspace only the managers whose
 * registry that workspace sets itself (another registry may hold other versions under the same spec).
 */
export interface LockFile {
  version: 1;
  packages: LockedPackages;
  workspaces: Record<string, { packages: LockedPackages }>;
}

/** How the lock changed one spec on its way to the API, for the plan: the spec as written and its version. */
export interface LockNote {
  written: string;
  /** The locked version; null when the spec is sent as written. */
  version: string | null;
  /** Why it is sent as written (apt without an index, no entry in the lock); null when locked. */
  reason: string | null;
}

/** Per manager, per spec as sent to the API. */
export type LockNotes = Partial<Record<PackageManager, Record<string, LockNote>>>;
