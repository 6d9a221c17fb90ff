// Who and what an apply records: actor, git commit, target, plan id — stamped on every changelog entry.

import { execFileSync } from 'node:child_process';
import { userInfo } from 'node:os';
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

/** The HEAD commit of the git checkout holding dir, or null outside git. */
export function gitCommit(dir: string): string | null {
  try {
    return execFileSync('git', ['rev-parse', 'HEAD'], {
      cwd: dir,
      stdio: ['ignore', 'pipe', 'ignore'],
      timeout: 5000,
    })
      .toString()
      .trim();
  } catch {
    return null;
  }
}

/** Whether the files under `paths` differ from HEAD (`git status --porcelain`); null outside git. */
export function gitDirty(root: string, paths: readonly string[]): boolean | null {
  try {
    const out = execFileSync('git', ['status', '--porcelain', '--', ...paths], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'ignore'],
      timeout: 5000,
    });
    return out.toString().trim() !== '';
  } catch {
    return null;
  }
}

/** The actor to record: the CI's identity when there is one, else the local user. */
export function actorFrom(env: Record<string, string | undefined>): string {
  if (env.GITHUB_ACTIONS === 'true' && env.GITHUB_ACTOR) return `github:${env.GITHUB_ACTOR}`;
  if (env.GITLAB_CI && env.GITLAB_USER_LOGIN) return `gitlab:${env.GITLAB_USER_LOGIN}`;
  if (env.BUILDKITE && env.BUILDKITE_BUILD_CREATOR_EMAIL)
    return `buildkite:${env.BUILDKITE_BUILD_CREATOR_EMAIL}`;
  return env.USER ?? env.USERNAME ?? osUser() ?? 'unknown';
}

function osUser(): string | undefined {
  try {
    return userInfo().username || undefined;
  } catch {
    return undefined; // No passwd entry for this uid (some containers).
  }
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
