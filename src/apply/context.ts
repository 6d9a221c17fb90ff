// Who and what an apply records: actor, git commit, target, plan id — stamped on every changelog entry.

import type { NewEntry, RunWriter } from '../changelog/writer.js';
import type { Owner } from '../domain/ownership.js';
import { EnvsyncError } from '../errors.js';
import type { ChangelogEntryV2, EnvironmentsApi, FrameOp, Reporter, StepOp } from '../model.js';
import type { Halt } from './answers.js';

export interface RunIdentity {
  actor: string;
  git_commit: string | null;
  /** The environment files differ from the commit (uncommitted edits): what was applied is in no commit. */
  git_dirty?: boolean | null | undefined;
  target: string;
  plan_id: string;
  workspace?: string | null | undefined;
}

/** The dependencies every apply step needs. */
export interface ApplyDeps {
  api: EnvironmentsApi;
  /** The project this run writes for: its tag goes on every environment, and only its environments are trusted. */
  owner: Owner;
  writer: RunWriter;
  /** Set once an answer could not be believed: no further API write is sent. */
  halt: Halt;
  /** Every env ID this run knew before it wrote (listed or recorded): a create's answer cannot be one of them. */
  knownIds: ReadonlySet<string>;
  /** Only on the run's begin: the heads it continues. */
  parents: string[];
  /** Why an environment is adopted, by env ID, for its `adopt` entry's detail (`import --from-ant` names the lock). */
  adoptDetails: Readonly<Record<string, string>>;
  reporter: Reporter;
  identity: RunIdentity;
  now: () => Date;
  /**
   * Tags written with the ownership tags on every create and update, and checked in every answer: a preview
   * run's `envsync_preview` and `envsync_expires` (DESIGN §14). Absent for the main apply.
   */
  tags?: Record<string, string>;
}

/**
 * The API as apply may use it: once the changelog stops taking entries, the lock is no longer this apply's,
 * or an answer could not be believed, no further write is sent (one already in flight finishes). Reads stay
 * open: they change nothing.
 */
export function gatedApi(
  api: EnvironmentsApi,
  writer: Pick<RunWriter, 'ready'>,
  halt: Halt,
): EnvironmentsApi {
  const open = () => {
    writer.ready();
    halt.check();
  };
  return {
    target: api.target,
    origin: () => api.origin(),
    list: (options) => api.list(options),
    retrieve: (id) => api.retrieve(id),
    create: async (body) => {
      open();
      return api.create(body);
    },
    update: async (id, body) => {
      open();
      return api.update(id, body);
    },
    archive: async (id) => {
      open();
      return api.archive(id);
    },
    delete: async (id) => {
      open();
      return api.delete(id);
    },
    references: {
      sessionsSince: (since) => api.references.sessionsSince(since),
      retrieveSession: (id) => api.references.retrieveSession(id),
      listDeployments: () => api.references.listDeployments(),
      repointDeployment: async (id, environmentId) => {
        open();
        return api.references.repointDeployment(id, environmentId);
      },
    },
  };
}

type Common = Partial<
  Omit<
    NewEntry,
    'op' | 'env_id' | 'actor' | 'target' | 'plan_id' | 'git_commit' | 'git_dirty' | 'workspace' | 'parents'
  >
>;
export type EntryFields = (Common & { op: FrameOp }) | (Common & { op: StepOp; env_id: string });

/**
 * An entry the API write behind it happened but the changelog could not take: the apply counts the change
 * and says it is unrecorded (the next apply finds it through its open run).
 */
export class UnrecordedError extends EnvsyncError {
  constructor(
    readonly env_id: string,
    cause: EnvsyncError,
  ) {
    super(cause.code, `${cause.message} (the change to ${env_id} happened; the next apply records it)`, {
      hint: cause.hint,
      cause,
    });
  }
}

/** Appends an entry stamped with the run's identity and the current time (`at` may be given: drift's is live's). */
export function record(deps: ApplyDeps, fields: EntryFields): ChangelogEntryV2 {
  const entry = {
    at: fields.at ?? deps.now().toISOString(),
    name: fields.name ?? null,
    config_hash: fields.config_hash ?? null,
    config: fields.config ?? null,
    description: fields.description ?? null,
    metadata: fields.metadata ?? null,
    lifecycle: fields.lifecycle ?? null,
    replaces: fields.replaces ?? null,
    source: fields.source ?? null,
    git_commit: deps.identity.git_commit,
    git_dirty: deps.identity.git_dirty ?? null,
    actor: deps.identity.actor,
    target: deps.identity.target,
    workspace: deps.identity.workspace ?? null,
    plan_id: deps.identity.plan_id,
    detail: fields.detail ?? null,
    parents: fields.op === 'begin' ? deps.parents : null,
  };
  if (!('env_id' in fields)) return deps.writer.append({ ...entry, op: fields.op, env_id: null });
  try {
    return deps.writer.append({ ...entry, op: fields.op, env_id: fields.env_id });
  } catch (e) {
    if (e instanceof EnvsyncError) throw new UnrecordedError(fields.env_id, e);
    throw e;
  }
}
