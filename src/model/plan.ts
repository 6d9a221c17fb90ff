// The plan: actions, field changes, widening, drift, blocks and fingerprints (DESIGN §6).

import type { RecordedEnvironment } from './changelog.js';
import type { ConfigHash, DesiredEnvironment, FileFingerprint } from './config.js';
import type { LiveView } from './live.js';
import type { PackageFinding } from './packages.js';

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

/**
 * Everything apply sends for an environment, as the plan fixed it: the desired environment itself, with its
 * source as the `file:line` a plan file and the changelog carry, and without the package specs' places
 * (registry checks ran before the plan). The lifecycle is recorded in the changelog, so prevent_archive
 * still guards an environment after its file is gone; the provenance is not.
 */
export type DesiredPayload = Omit<DesiredEnvironment, 'source' | 'package_sources'> & { source: string };

export interface DriftInfo {
  /**
   * What was found: the live config no longer matches its tag, a recorded env is gone, or its config,
   * description or metadata differ from the last record though no envsync run made them so.
   */
  kind: 'config_changed' | 'missing' | 'changed_outside';
  detail: string;
  /** The hash the live config really has now (config_changed), or the recorded one (missing). */
  observed_hash: ConfigHash | null;
  env_id: string | null;
}

/** A deployment (scheduled runs) that holds an environment ID. */
export interface DeploymentRef {
  id: string;
  name: string;
  status: 'active' | 'paused';
}

/** What references one environment ID: its deployments, and how many sessions started on it lately. */
export interface EnvReferences {
  deployments: DeploymentRef[];
  recent_sessions: number;
}

/** What the plan was told of references (listed only when it archives or recreates something). */
export interface ReferenceIndex {
  /** Sessions are counted from this time (RFC 3339). */
  sessions_since: string;
  byEnv: Record<string, EnvReferences>;
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
  /** The live name it is renamed from (lifecycle.previous_names): same ID, history continues; null when not. */
  renamed_from: string | null;
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
  /** What references the old ID, when the plan listed references; null when it did not. */
  references: EnvReferences | null;
  /** Deployments apply moves to the new ID after the create (lifecycle.repoint_deployments). */
  repoint: DeploymentRef[];
  desired: DesiredPayload;
}

export interface ArchiveAction extends ActionCommon {
  kind: 'archive';
  env_id: string;
  from_hash: ConfigHash;
  /** The name it is renamed to before archiving, so the name can be reused. */
  archived_name: string;
  /** What references it, when the plan listed references; null when it did not. */
  references: EnvReferences | null;
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

export type BlockedRule =
  | 'unmanaged_conflict'
  | 'foreign_owner'
  | 'prevent_archive'
  | 'max_archive'
  | 'referenced'
  | 'rename_ambiguous'
  | 'unreadable_live'
  /** A claude-lock.json still tracks it: `ant apply` manages it, and envsync does not update it behind ant's back. */
  | 'managed_by_ant'
  /** A locked version has a known vulnerability and policies.vulnerabilities says block. */
  | 'vulnerable_package';

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

export interface PlanNote {
  name: string | null;
  env_id: string | null;
  message: string;
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
  /** The project whose environments this plan may touch (DESIGN §5). */
  project: string;
  /** The workspace's name in the project file, or null for the key's own workspace. */
  workspace: string | null;
  adopt: boolean;
  maxArchive: number;
  /** --allow-referenced: archive or recreate even what an active or paused deployment uses. */
  allowReferenced: boolean;
  /** What references environments; null when not listed (a plan without archive or recreate needs none). */
  references: ReferenceIndex | null;
  /** The environments a claude-lock.json in the repository still tracks: a file or ID among them is blocked. */
  antTracked: readonly AntTrackedEnvironment[];
  /** Empty: every name. */
  targets: string[];
  /** Known vulnerabilities of the locked versions, judged by the policies (empty when no policy asks). */
  findings: readonly PackageFinding[];
  planId: string;
  createdAt: string;
  target: string;
}

/** A change outside envsync to a recorded environment (its name, description or metadata), found by comparing the changelog with live. */
export interface OutsideChange {
  env_id: string;
  detail: string;
  observed_hash: ConfigHash;
}

/** Everything the planner needs, and nothing it has to fetch: it is a pure function of this. */
export interface PlanInput {
  desired: readonly DesiredEnvironment[];
  live: LiveView;
  /** The changelog's current view, one record per env ID. */
  recorded: readonly RecordedEnvironment[];
  outside: readonly OutsideChange[];
  options: PlanOptions;
}

export interface Plan {
  format_version: 1;
  plan_id: string;
  created_at: string;
  target: string;
  project: string;
  workspace: string | null;
  options: { adopt: boolean; max_archive: number; allow_referenced: boolean; targets: string[] };
  /** When the plan's session counts start; null when references were not listed. */
  references_since: string | null;
  summary: PlanSummary;
  actions: PlanAction[];
  blocked: BlockedItem[];
  /** Drift that is not tied to an action (a recorded environment gone, nothing desired under its name). */
  drift: Array<DriftInfo & { name: string }>;
  live: LiveFingerprint[];
  /** What a reviewer should know that blocks nothing (an adoption of an untagged environment, an unreadable item no file touches). */
  notes: PlanNote[];
  /** Names that had no live environment when planned: apply refuses if one has appeared. */
  absent: string[];
  files: FileFingerprint[];
  /** Known vulnerabilities in the locked versions the environments install (policies.vulnerabilities). */
  findings: PackageFinding[];
}

/** An environment a claude-lock.json still tracks: `ant apply` manages it, so envsync's plans leave it alone. */
export interface AntTrackedEnvironment {
  /** The lock file, relative to the project root. */
  lock: string;
  /** The lock's key for it, as ant wrote it (`./environments/x.yaml`). */
  key: string;
  /** That file, relative to the project root, as desired environments' sources are written. */
  file: string;
  env_id: string;
}
