// The changelog's entries (v1 legacy and v2 run-file lines, a union on `op`) and what folding them says (DESIGN §8).

import type { ConfigHash, Lifecycle, NormalConfig } from './config.js';

export const STEP_OPS = [
  'create',
  'update',
  'recreate',
  'rename',
  'archive',
  'adopt',
  'drift',
  'repoint',
  /** No longer managed (`envsync forget`): the ownership tags removed, the environment left live. */
  'forget',
] as const;
/** What happened to one environment. */
export type StepOp = (typeof STEP_OPS)[number];
/** What frames a run. */
export type FrameOp = 'begin' | 'end';
export type ChangelogOp = FrameOp | StepOp;
export const CHANGELOG_OPS: readonly ChangelogOp[] = ['begin', ...STEP_OPS, 'end'];

/** The fields every entry has, whatever its version and op. */
interface EntryFields {
  seq: number;
  at: string;
  name: string | null;
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

/** A legacy line of `.envsync/changelog.jsonl` (read, never written). */
interface V1 {
  v: 1;
}

/** A line of a run file: also whether the files differed from the commit, the workspace, and the DAG parents. */
interface V2 {
  v: 2;
  git_dirty: boolean | null;
  workspace: string | null;
  /** Only on `begin`: the sorted hashes of the last line of every head run the apply saw. */
  parents: string[] | null;
}

interface Frame {
  op: FrameOp;
  env_id: null;
}
interface Step {
  op: StepOp;
  env_id: string;
}

export type FrameEntry = EntryFields & Frame & (V1 | V2);
export type StepEntry = EntryFields & Step & (V1 | V2);
export type ChangelogEntry = FrameEntry | StepEntry;
/** What the writer puts on disk now. */
export type ChangelogEntryV2 = ChangelogEntry & V2;

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
  /** The file (`environments/x.yaml:3`) that last applied it, or null. */
  source: string | null;
  /** The previous names the file that last applied it declared: a rename to its name is done. */
  previous_names: string[];
  /** Every name the changelog recorded for this ID, oldest first: what links a file's names to it. */
  names: string[];
  /** The ID that replaced it (a recreate): it no longer stands for its file, whatever its name says. */
  superseded_by: string | null;
}

/** A problem with the changelog's integrity: where (a run file and line, or the history as a whole) and what. */
export interface HistoryProblem {
  /** The file the problem is in (its path), or null for the history as a whole. */
  file: string | null;
  line: number | null;
  message: string;
}
