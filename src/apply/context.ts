// Who and what an apply records: actor, git commit, target, plan id — stamped on every changelog entry.

import { execFileSync } from 'node:child_process';
import { userInfo } from 'node:os';
import type { ChangelogWriter, NewEntry } from '../changelog/store.js';
import type { Owner } from '../domain/ownership.js';
import type { ChangelogEntry, EnvironmentsApi, Reporter } from '../model.js';

export interface RunIdentity {
  actor: string;
  git_commit: string | null;
  target: string;
  plan_id: string;
}

/** The dependencies every apply step needs. */
export interface ApplyDeps {
  api: EnvironmentsApi;
  /** The project this run writes for: its tag goes on every environment, and only its environments are trusted. */
  owner: Owner;
  writer: ChangelogWriter;
  reporter: Reporter;
  identity: RunIdentity;
  now: () => Date;
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

type EntryFields = Pick<NewEntry, 'op'> &
  Partial<Omit<NewEntry, 'op' | 'actor' | 'target' | 'plan_id' | 'git_commit' | 'at'>>;

/** Appends an entry stamped with the run's identity and the current time. */
export function record(deps: ApplyDeps, fields: EntryFields): ChangelogEntry {
  return deps.writer.append({
    at: deps.now().toISOString(),
    op: fields.op,
    name: fields.name ?? null,
    env_id: fields.env_id ?? null,
    config_hash: fields.config_hash ?? null,
    config: fields.config ?? null,
    description: fields.description ?? null,
    metadata: fields.metadata ?? null,
    lifecycle: fields.lifecycle ?? null,
    replaces: fields.replaces ?? null,
    source: fields.source ?? null,
    git_commit: deps.identity.git_commit,
    actor: deps.identity.actor,
    target: deps.identity.target,
    plan_id: deps.identity.plan_id,
    detail: fields.detail ?? null,
  });
}
