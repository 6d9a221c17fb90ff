// `preview up --only-changed`: which environments a branch changes, from git — its own file or any base it
// extends differs from the base ref (what the branch committed since it forked, plus what is not committed yet).

import { execFileSync } from 'node:child_process';
import { EnvsyncError } from '../errors.js';
import type { DesiredEnvironment } from '../model.js';

const GIT_TIMEOUT_MS = 30_000;

function git(root: string, args: readonly string[]): string {
  return execFileSync('git', args, {
    cwd: root,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: GIT_TIMEOUT_MS,
    maxBuffer: 64 * 1024 * 1024,
  });
}

/** NUL-separated paths (`-z`: no quoting, whatever the file names hold). */
const paths = (out: string) => out.split('\0').filter((p) => p !== '');

/**
 * The files under `root` (paths relative to it, as environment sources are) that differ from `baseRef`: what
 * the branch changed since its merge base with the ref, what is staged or edited and not committed, and new
 * files git does not ignore. A ref git cannot find is refused with what to do, before any API call.
 */
export function changedFiles(root: string, baseRef: string): Set<string> {
  try {
    git(root, ['rev-parse', '--is-inside-work-tree']);
  } catch {
    throw new EnvsyncError('no_base_ref', `--only-changed needs a git checkout; ${root} is not in one`, {
      hint: 'run it in the repository that holds the environment files, or leave out --only-changed',
    });
  }
  try {
    git(root, ['rev-parse', '--verify', '--quiet', `${baseRef}^{commit}`]);
  } catch {
    throw new EnvsyncError('no_base_ref', `--only-changed: git cannot find the base ref ${baseRef}`, {
      hint: 'fetch it (in GitHub Actions: actions/checkout with fetch-depth: 0), or name another with --base-ref REF',
    });
  }
  const changed = new Set<string>();
  const add = (args: readonly string[]) => {
    for (const p of paths(git(root, args))) changed.add(p);
  };
  add(['diff', '--name-only', '--no-renames', '--relative', '-z', `${baseRef}...HEAD`]);
  add(['diff', '--name-only', '--no-renames', '--relative', '-z', 'HEAD']);
  add(['ls-files', '--others', '--exclude-standard', '-z']);
  return changed;
}

/** The environments whose own file, or any base they extend (directly or through other bases), changed. */
export function changedEnvironments(
  environments: readonly DesiredEnvironment[],
  changed: ReadonlySet<string>,
): DesiredEnvironment[] {
  return environments.filter(
    (d) => changed.has(d.source.file) || (d.provenance?.bases ?? []).some((b) => changed.has(b)),
  );
}
