// The shared types of envsync: every type that crosses a module boundary lives here, once.

export const PACKAGE_MANAGERS = ['apt', 'cargo', 'gem', 'go', 'npm', 'pip'] as const;
export type PackageManager = (typeof PACKAGE_MANAGERS)[number];
export type Packages = Record<PackageManager, string[]>;

/** The reserved metadata keys envsync writes on every environment it manages (DESIGN §5). */
export const MANAGED_KEY = 'envsync_managed';
export const HASH_KEY = 'envsync_config_hash';
export const RESERVED_PREFIX = 'envsync';

export type Scope = 'organization' | 'account';

// ---------------------------------------------------------------------------------------------
// Configs: the API's wire shape and envsync's normal form (DESIGN §4)

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

// ---------------------------------------------------------------------------------------------
// Desired state (from files)

export type OnConfigChange = 'update' | 'recreate';

export interface Lifecycle {
  on_config_change: OnConfigChange;
  keep_superseded: boolean;
  prevent_archive: boolean;
}

export interface SourceLocation {
  file: string;
  line: number;
  column: number;
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
}

// ---------------------------------------------------------------------------------------------
// Validation

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
}

export interface LoadResult {
  environments: DesiredEnvironment[];
  diagnostics: Diagnostic[];
  /** Every file read, with the sha256 of its bytes, for plan fingerprints. */
  files: FileFingerprint[];
}

export interface FileFingerprint {
  file: string;
  sha256: string;
}

// ---------------------------------------------------------------------------------------------
// Live state (from the API)

/** An environment as the API returns it. */
export interface LiveEnvironment {
  id: string;
  type: 'environment';
  name: string;
  description: string | null;
  metadata: Record<string, string>;
  config: ApiConfig;
  scope?: Scope | undefined;
  created_at: string;
  updated_at: string;
  archived_at: string | null;
}

export type ApiConfig =
  | {
      type: 'cloud';
      packages: Packages & { type?: 'packages' };
      networking: Networking;
    }
  | SelfHostedConfig;

/** The bodies envsync sends. Metadata in an update may hold null to delete a key. */
export interface CreateBody {
  name: string;
  description?: string | null;
  metadata?: Record<string, string>;
  config?: NormalConfig;
  scope?: Scope;
}

export interface UpdateBody {
  name?: string;
  description?: string | null;
  metadata?: Record<string, string | null>;
  config?: NormalConfig;
  scope?: Scope;
}

export interface ListOptions {
  includeArchived?: boolean;
  /** Page size, 1–1000; the adapter defaults to 1000. */
  limit?: number;
}

/** The one interface through which envsync talks to an Environments API, real or local. */
export interface EnvironmentsApi {
  /** The base URL requests go to, for the changelog's `target` and plan fingerprints. */
  readonly target: string;
  listAll(options?: ListOptions): AsyncIterable<LiveEnvironment>;
  create(body: CreateBody): Promise<LiveEnvironment>;
  retrieve(id: string): Promise<LiveEnvironment>;
  update(id: string, body: UpdateBody): Promise<LiveEnvironment>;
  archive(id: string): Promise<LiveEnvironment>;
  delete(id: string): Promise<{ id: string; type: 'environment_deleted' }>;
}

// ---------------------------------------------------------------------------------------------
// The changelog (DESIGN §8)

export const CHANGELOG_OPS = [
  'begin',
  'create',
  'update',
  'recreate',
  'archive',
  'adopt',
  'drift',
  'end',
] as const;
export type ChangelogOp = (typeof CHANGELOG_OPS)[number];

export interface ChangelogEntry {
  v: 1;
  seq: number;
  at: string;
  op: ChangelogOp;
  name: string | null;
  env_id: string | null;
  config_hash: ConfigHash | null;
  config: NormalConfig | null;
  description: string | null;
  metadata: Record<string, string> | null;
  /** The file's lifecycle settings when the entry came from a file. */
  lifecycle: Lifecycle | null;
  /** recreate: the env ID this one replaced. */
  replaces: string | null;
  /** The desired file (`environments/x.yaml:3`), or null for entries envsync found rather than made. */
  source: string | null;
  git_commit: string | null;
  actor: string;
  target: string;
  plan_id: string;
  /** Free text: why an entry exists when the op alone does not say (recovery, drift, failures). */
  detail: string | null;
  prev: string | null;
  hash: string;
}

/** What the changelog says is current for one environment ID, folded from its entries. */
export interface RecordedEnvironment {
  name: string;
  env_id: string;
  config_hash: ConfigHash;
  /** The `at` of the entry that last touched it. */
  at: string;
  archived: boolean;
  description: string | null;
  /** null when no entry recorded it (reconciliation then does not compare it). */
  metadata: Record<string, string> | null;
  /** The last recorded file said prevent_archive: it keeps guarding after the file is gone. */
  prevent_archive: boolean;
}

// ---------------------------------------------------------------------------------------------
// The plan (DESIGN §6)

export type ActionKind = 'create' | 'update' | 'recreate' | 'archive' | 'adopt' | 'noop';

/** One field-level change; package lists and hosts are sets, so they change by member. */
export type FieldChange =
  | { op: 'add'; path: string; value: string }
  | { op: 'remove'; path: string; value: string }
  | { op: 'set'; path: string; before: unknown; after: unknown };

export type WideningReason =
  | 'network_unrestricted'
  | 'host_added'
  | 'package_managers_allowed'
  | 'mcp_servers_allowed';

export interface Widening {
  reason: WideningReason;
  path: string;
  detail: string;
}

/** Everything apply sends for an environment, as the plan fixed it. */
export interface DesiredPayload {
  name: string;
  description: string | null;
  metadata: Record<string, string>;
  config: NormalConfig;
  config_hash: ConfigHash;
  scope: Scope | null;
  source: string;
  /** Recorded in the changelog, so prevent_archive still guards an environment after its file is gone. */
  lifecycle: Lifecycle;
}

export interface DriftInfo {
  /** What was found: the live config no longer matches its tag, or a recorded env is gone. */
  kind: 'config_changed' | 'missing';
  detail: string;
  /** The hash the live config really has now (config_changed), or the recorded one (missing). */
  observed_hash: ConfigHash | null;
  env_id: string | null;
}

interface ActionCommon {
  name: string;
  changes: FieldChange[];
  widening: Widening[];
  drift: DriftInfo | null;
}

export interface CreateAction extends ActionCommon {
  kind: 'create';
  desired: DesiredPayload;
}

export interface UpdateAction extends ActionCommon {
  kind: 'update';
  env_id: string;
  from_hash: ConfigHash;
  desired: DesiredPayload;
}

export interface RecreateAction extends ActionCommon {
  kind: 'recreate';
  env_id: string;
  from_hash: ConfigHash;
  reason: 'type_change' | 'lifecycle';
  keep_superseded: boolean;
  /** The name the old environment moves to, freeing the name for the new one. */
  superseded_name: string;
  /** true when the old environment was not envsync's and `--adopt` allowed replacing it. */
  adopted: boolean;
  desired: DesiredPayload;
}

export interface ArchiveAction extends ActionCommon {
  kind: 'archive';
  env_id: string;
  from_hash: ConfigHash;
  /** The name it is renamed to before archiving, so the name can be reused. */
  archived_name: string;
}

export interface AdoptAction extends ActionCommon {
  kind: 'adopt';
  env_id: string;
  from_hash: ConfigHash;
  desired: DesiredPayload;
}

export interface NoopAction extends ActionCommon {
  kind: 'noop';
  env_id: string;
  from_hash: ConfigHash;
}

export type PlanAction =
  | CreateAction
  | UpdateAction
  | RecreateAction
  | ArchiveAction
  | AdoptAction
  | NoopAction;

export type BlockedRule = 'unmanaged_conflict' | 'prevent_archive' | 'max_archive';

export interface BlockedItem {
  rule: BlockedRule;
  /** null for a rule about the whole plan (max_archive). */
  name: string | null;
  env_id: string | null;
  message: string;
  hint: string;
}

/** What the plan saw of a live environment it touches; apply refuses if it changed. */
export interface LiveFingerprint {
  id: string;
  name: string;
  updated_at: string;
  config_hash: ConfigHash;
}

export interface PlanSummary {
  create: number;
  update: number;
  recreate: number;
  archive: number;
  adopt: number;
  noop: number;
  drift: number;
  blocked: number;
  widening: number;
}

export interface PlanOptions {
  adopt: boolean;
  maxArchive: number;
  /** Empty: every name. */
  targets: string[];
  planId: string;
  createdAt: string;
  target: string;
}

export interface Plan {
  format_version: 1;
  plan_id: string;
  created_at: string;
  target: string;
  options: { adopt: boolean; max_archive: number; targets: string[] };
  summary: PlanSummary;
  actions: PlanAction[];
  blocked: BlockedItem[];
  /** Drift that is not tied to an action (a recorded environment gone, nothing desired under its name). */
  drift: Array<DriftInfo & { name: string }>;
  live: LiveFingerprint[];
  /** Names that had no live environment when planned: apply refuses if one has appeared. */
  absent: string[];
  files: FileFingerprint[];
}

// ---------------------------------------------------------------------------------------------
// Progress, reported through an injected Reporter; the CLI decides how to draw it.

export type ReporterEvent =
  | { type: 'action_start'; kind: ActionKind; name: string }
  | { type: 'action_done'; kind: ActionKind; name: string; env_id: string; ms: number }
  | { type: 'action_failed'; kind: ActionKind; name: string; message: string }
  | { type: 'notice'; message: string }
  | { type: 'warning'; message: string }
  | { type: 'request'; method: string; path: string; status: number; request_id: string | null; ms: number };

export interface Reporter {
  event(e: ReporterEvent): void;
}

export const silentReporter: Reporter = { event() {} };
