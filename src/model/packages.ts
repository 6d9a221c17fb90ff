// Package registries and the lock (DESIGN §13): where versions come from, and what envsync.lock records.

import type { PackageManager, SourceLocation, VulnSeverity } from './config.js';

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

/** One known vulnerability (an OSV record) of one package version. */
export interface Vulnerability {
  /** The OSV ID (`GHSA-…`, `PYSEC-…`, `RUSTSEC-…`, `GO-…`). */
  id: string;
  /** Other IDs for the same flaw (`CVE-…`). */
  aliases: string[];
  summary: string;
  severity: VulnSeverity;
  /** The versions of this package that fix it (from its affected ranges), in the record's order. */
  fixed: string[];
}

/** What the gate decided for one finding. */
export type FindingVerdict = 'block' | 'warn' | 'ignored';

/** A locked version with a known vulnerability, where it is locked and which environments install it. */
export interface PackageFinding {
  manager: PackageManager;
  /** The package's name as its ecosystem knows it. */
  package: string;
  version: string;
  /** The lock's section: null for the project's, else the workspace's own entries. */
  section: string | null;
  /** The environments that install this version, in name order. */
  environments: string[];
  vulnerability: Vulnerability;
  verdict: FindingVerdict;
  /** Why it is ignored (an `ignore:` entry's reason and expiry), or which policy decided; for people. */
  because: string;
}

/** The OSV API (`registries: {osv: URL}`): checked like a registry URL. */
export interface OsvSetting {
  url: string;
  /** Where envsync.yaml set it; null for the public default. */
  setAt: SourceLocation | null;
}
