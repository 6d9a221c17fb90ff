// The changelog's entries and what folding them says (DESIGN §8).

import type { ConfigHash, Lifecycle, NormalConfig } from './config.js';

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
