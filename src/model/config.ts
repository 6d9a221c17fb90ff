// Configs and desired state: the file format's types, the API's config shapes, envsync's normal form.

export const PACKAGE_MANAGERS = ['apt', 'cargo', 'gem', 'go', 'npm', 'pip'] as const;
export type PackageManager = (typeof PACKAGE_MANAGERS)[number];
export type Packages = Record<PackageManager, string[]>;

/** The reserved metadata keys envsync writes on every environment it manages (DESIGN §5). */
export const MANAGED_KEY = 'envsync_managed';
export const HASH_KEY = 'envsync_config_hash';
export const RESERVED_PREFIX = 'envsync';
/** The tags a preview copy carries (DESIGN §14): the preview's ID, and when `preview gc` may archive it. */
export const PREVIEW_KEY = 'envsync_preview';
export const EXPIRES_KEY = 'envsync_expires';

/** Whether a metadata key belongs to envsync: any key starting with `envsync`, in any case. */
export function isReservedKey(key: string): boolean {
  return key.toLowerCase().startsWith(RESERVED_PREFIX);
}

export type Scope = 'organization' | 'account';

export type UnrestrictedNetworking = { type: 'unrestricted' };
export type LimitedNetworking = {
  type: 'limited';
  allowed_hosts: string[];
  allow_mcp_servers: boolean;
  allow_package_managers: boolean;
};
export type Networking = UnrestrictedNetworking | LimitedNetworking;

/** A config in normal form: every field present, sets sorted and de-duplicated. */
export type NormalConfig = CloudConfig | SelfHostedConfig;
export type CloudConfig = { type: 'cloud'; packages: Packages; networking: Networking };
export type SelfHostedConfig = { type: 'self_hosted' };

/** `sha256:` + 64 hex digits. */
export type ConfigHash = string;

/** A config as the API or a file may spell it: fields optional, lists in any order. */
export interface LooseConfig {
  type?: 'cloud' | 'self_hosted' | undefined;
  packages?: (Partial<Record<PackageManager, string[] | null>> & { type?: 'packages' }) | null | undefined;
  networking?:
    | {
        type: 'unrestricted' | 'limited';
        allowed_hosts?: string[] | null | undefined;
        allow_mcp_servers?: boolean | null | undefined;
        allow_package_managers?: boolean | null | undefined;
      }
    | null
    | undefined;
}

export type OnConfigChange = 'update' | 'recreate';

export interface Lifecycle {
  on_config_change: OnConfigChange;
  keep_superseded: boolean;
  prevent_archive: boolean;
  /** recreate: move the deployments that use the old ID to the new one. */
  repoint_deployments: boolean;
  /** Names it had before: a live environment under one of them is renamed in place. */
  previous_names: string[];
}

/** A rule of a `policies:` block (envsync.yaml), as envsync understands it natively. */
export type PolicyRule =
  | { rule: 'networking'; value: 'limited_only' }
  | { rule: 'packages'; value: 'pinned' }
  | { rule: 'allow_mcp_servers'; value: false }
  | { rule: 'allow_package_managers'; value: false }
  | { rule: 'allowed_hosts'; value: string[] }
  | { rule: 'forbidden_packages'; value: Partial<Record<PackageManager, string[]>> }
  | { rule: 'required_metadata'; value: string[] }
  | { rule: 'max_environments'; value: number }
  | { rule: 'vulnerabilities'; value: VulnerabilityPolicy }
  | { rule: 'ignore'; value: VulnerabilityIgnore[] }
  | { rule: 'min_release_age'; value: ReleaseAgePolicy };

/** How bad a known vulnerability is, from its CVSS score or its database's own rating; `unknown` when neither says. */
export type VulnSeverity = 'unknown' | 'low' | 'medium' | 'high' | 'critical';

/** Least to worst: a policy's `min_severity` covers its own rank and those after it. */
export const VULN_SEVERITIES: readonly VulnSeverity[] = ['unknown', 'low', 'medium', 'high', 'critical'];

/** `vulnerabilities:` — what a known vulnerability in a locked version does to a plan. */
export interface VulnerabilityPolicy {
  action: 'block' | 'warn' | 'off';
  /** Findings below this severity are left out (`unknown` counts as the lowest); `unknown` covers them all. */
  min_severity: VulnSeverity;
}

/** One `ignore:` entry: a known vulnerability accepted, with why and until when. */
export interface VulnerabilityIgnore {
  id: string;
  reason: string;
  /** `YYYY-MM-DD`: the ignore holds through that day (UTC); after it, it is an error. */
  expires: string;
  at: SourceLocation;
}

/** `min_release_age:` — versions younger than this are never locked, and a pinned one is a violation. */
export interface ReleaseAgePolicy {
  /** As written: `7d`. */
  text: string;
  /** The age in milliseconds. */
  ms: number;
  /** Packages let through younger (an urgent fix), each with why and until when. */
  except: ReleaseAgeException[];
}

export interface ReleaseAgeException {
  /** A package name as its manager writes it (pip names compared by PEP 503). */
  package: string;
  reason: string;
  expires: string;
  at: SourceLocation;
}

/** A rule and where it was set, so a violation can say which rule, from which file and line. */
export type Policy = PolicyRule & {
  setAt: SourceLocation;
  /** `project` for the top-level block, else the workspace's name. */
  scope: string;
};

export interface SourceLocation {
  file: string;
  line: number;
  column: number;
}

/**
 * Where the values of an environment that extends bases were written (DESIGN §14), so errors, violations
 * and plan changes can name the file a value came from. Paths are those plans use (`description`,
 * `metadata.team`, `config.networking.type`, `config.packages.pip`).
 */
export interface Provenance {
  /** The base files it extends, directly or through other bases, in merge order. */
  bases: string[];
  /** Scalars, metadata keys and other whole values: path → where the value is written. */
  fields: Record<string, SourceLocation>;
  /** Members of package lists and allowed_hosts: path → member (as in the normal config) → where written. */
  members: Record<string, Record<string, SourceLocation>>;
  /** Inherited entries a `remove:` dropped: path → package name, host or metadata key → where the removal is. */
  removed: Record<string, Record<string, SourceLocation>>;
}

export interface DesiredEnvironment {
  name: string;
  /** null when the file has none: the file is the whole desired state, so a live description is cleared. */
  description: string | null;
  /** The user's metadata only; the reserved keys are added by envsync when it writes. */
  metadata: Record<string, string>;
  config: NormalConfig;
  config_hash: ConfigHash;
  /** Only compared when the file sets it. */
  scope: Scope | null;
  lifecycle: Lifecycle;
  source: SourceLocation;
  /** Set when the file extends bases: where each value was written. */
  provenance?: Provenance;
  /** Every package spec as written, with its place in the file (registry checks point at it). */
  package_sources: PackageSource[];
}

export type Severity = 'error' | 'warning';

export interface Diagnostic {
  severity: Severity;
  file: string;
  line: number;
  column: number;
  /** A dotted path into the document (`config.networking.type`), or '' for the whole file. */
  path: string;
  message: string;
  hint?: string;
  /** For a problem in a value a base brought in: the environments that inherit it (the place is in the base). */
  inherited_by?: string[];
  /** What kind of finding it is, where something downstream must tell one apart (a locked spec is not unpinned). */
  code?: DiagnosticCode;
}

export type DiagnosticCode = 'unpinned_package';

export interface LoadResult {
  environments: DesiredEnvironment[];
  /** Where each document that declares an environment starts, valid or not (environments holds the valid ones). */
  declared: SourceLocation[];
  diagnostics: Diagnostic[];
  /** Every file read, with the sha256 of its bytes, for plan fingerprints. */
  files: FileFingerprint[];
}

export interface FileFingerprint {
  file: string;
  sha256: string;
}

/** A document that passed the schema: the file format of DESIGN §3. */
export interface EnvironmentFile {
  name: string;
  description?: string | null;
  metadata?: Record<string, string>;
  scope?: 'organization' | 'account';
  config?: {
    type: 'cloud' | 'self_hosted';
    packages?: Partial<Record<PackageManager, string[]>> & { type?: 'packages' };
    networking?: {
      type: 'unrestricted' | 'limited';
      allowed_hosts?: string[];
      allow_mcp_servers?: boolean;
      allow_package_managers?: boolean;
    };
  };
  lifecycle?: {
    on_config_change?: 'update' | 'recreate';
    keep_superseded?: boolean;
    prevent_archive?: boolean;
    repoint_deployments?: boolean;
    previous_names?: string[];
  };
}

/** Where one package spec is written: its manager, its text, and its place in the file. */
export interface PackageSource {
  manager: PackageManager;
  spec: string;
  at: SourceLocation;
}
