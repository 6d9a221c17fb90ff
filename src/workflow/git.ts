// What an apply records of where it ran: the git commit and whether the files differ from it, the origin's
// web address for links, and who ran it. The one place envsync runs git.

import { execFileSync } from 'node:child_process';
import { userInfo } from 'node:os';
import type { RunIdentity } from '../apply/context.js';
import { repositoryLinkOf } from '../changelog/html/repository.js';

function git(dir: string, args: string[]): string | null {
  try {
    return execFileSync('git', args, { cwd: dir, stdio: ['ignore', 'pipe', 'ignore'], timeout: 5000 })
      .toString()
      .trim();
  } catch {
    return null;
  }
}

/** The HEAD commit of the git checkout holding dir, or null outside git. */
export function gitCommit(dir: string): string | null {
  return git(dir, ['rev-parse', 'HEAD']);
}

/** Whether the files under `paths` differ from HEAD (`git status --porcelain`); null outside git. */
export function gitDirty(root: string, paths: readonly string[]): boolean | null {
  const out = git(root, ['status', '--porcelain', '--', ...paths]);
  return out === null ? null : out !== '';
}

/** The web address of the checkout's origin when it is on GitHub or GitLab, for commit links; else null. */
export function gitRepository(dir: string) {
  const remote = git(dir, ['remote', 'get-url', 'origin']);
  return remote === null ? null : repositoryLinkOf(remote);
}

/** Who and where an apply (or a forget) records: the actor, the commit, whether the files differ from it. */
export function runIdentity(
  env: Record<string, string | undefined>,
  project: { root: string; dirs: readonly string[]; workspace: { name: string } | null },
  target: string,
): Omit<RunIdentity, 'plan_id'> {
  return {
    actor: actorFrom(env),
    git_commit: gitCommit(project.root),
    git_dirty: gitDirty(project.root, project.dirs),
    target,
    workspace: project.workspace?.name ?? null,
  };
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
