// Coming from `ant apply` (DESIGN §14): what its lock file tracks, and what `import --from-ant` did with each entry.

import type { SourceLocation } from './config.js';
import type { ApiOrigin } from './live.js';
import type { Plan } from './plan.js';

/** Where a claude-lock.json says its resources live; `ant apply` refuses credentials that resolve elsewhere. */
export interface AntOrigin {
  base_url: string;
  organization_id: string;
  workspace_id: string;
}

export type { AntTrackedEnvironment } from './plan.js';

/**
 * Why an entry of the lock is not taken: it is gone, archived or renamed in the console, ant's other kind of
 * resource, or its file is not one envsync reads as this environment.
 */
export type AntRefusal =
  | 'gone'
  | 'archived'
  | 'renamed'
  | 'another_kind'
  | 'not_yaml'
  | 'no_file'
  | 'outside_dirs'
  | 'no_environment'
  | 'several_environments'
  | 'unreadable'
  | 'other_project'
  | 'changelog_behind'
  | 'type_change'
  | 'not_planned';

/**
 * What import does with one entry: `adopt` (the plan takes it; `adopted` once applied — after --apply, an
 * `adopt` left is one whose adoption failed, listed in `failures`), `already` (this project took it before:
 * only handed over), `refused` (cannot be taken, with why and what to do), `stays` (another kind of
 * resource: ant keeps managing it).
 */
export type AntVerdict = 'adopt' | 'adopted' | 'already' | 'refused' | 'stays';

export interface AntResourceOutcome {
  key: string;
  /** The lock's `kind` for it (environment, agent, deployment, …). */
  kind: string;
  id: string;
  /** Where the lock names it. */
  location: SourceLocation;
  /** Its file relative to the project root; null for another kind. */
  file: string | null;
  /** The environment's name in its file, when envsync read one. */
  name: string | null;
  verdict: AntVerdict;
  reason: AntRefusal | null;
  message: string;
  hint: string | null;
}

/** A field of one of ant's deployment files that points at a handed-over environment by path. */
export interface AntPathReference {
  /** The deployment file, relative to the project root, and where the path is written. */
  location: SourceLocation;
  /** The path as written (`../environments/cloud.yaml`). */
  path: string;
  /** The environment's ID, to write there instead: ant resolves paths through its lock, which no longer has it. */
  env_id: string;
}

/** What `envsync import --from-ant` found and did. */
export interface AntImportReport {
  format_version: 1;
  /** The lock file, relative to the project root. */
  lock: string;
  origin: { lock: AntOrigin; api: ApiOrigin; target: string };
  /** Whether the adoptions were applied (`--apply`), or only planned. */
  applied: boolean;
  resources: AntResourceOutcome[];
  /** The plan of adoptions (adopt actions only); null when there was nothing to take. */
  plan: Plan | null;
  /** Adoptions that --apply tried and that failed (nothing handed over for them). */
  failures: Array<{ name: string; code: string; message: string }>;
  /** Lock keys removed by `--hand-over` (or, without --apply, that it would remove); null without it. */
  handed_over: string[] | null;
  /** Deployment files of ant's that must name handed-over environments by ID. */
  path_references: AntPathReference[];
  /** What is left to do, each as the exact command or edit. */
  follow_up: string[];
}
