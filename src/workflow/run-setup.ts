// What every command that writes a run needs, built once by the caller: the API, the changelog, who runs it.

import type { RunIdentity } from '../apply/context.js';
import type { EnvironmentsApi, Reporter } from '../model.js';

/** The part of apply's, forget's and import's options that says where a run goes and who makes it. */
export interface RunSetup {
  api: EnvironmentsApi;
  changelogPath: string;
  reporter: Reporter;
  identity: Omit<RunIdentity, 'plan_id'>;
  now: () => Date;
  project: string;
  /** `--lock-timeout`: how long to wait for another run's changelog lock (0: refuse at once). */
  lockTimeoutMs: number;
}
