// The plan: actions, field changes, widening, drift, blocks and fingerprints (DESIGN §6).

import type { ConfigHash, FileFingerprint, Lifecycle, NormalConfig, Scope } from './config.js';

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

export type BlockedRule = 'unmanaged_conflict' | 'foreign_owner' | 'prevent_archive' | 'max_archive';

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
  /** The project whose environments this plan may touch (DESIGN §5). */
  project: string;
  /** The workspace's name in the project file, or null for the key's own workspace. */
  workspace: string | null;
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
  project: string;
  workspace: string | null;
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
