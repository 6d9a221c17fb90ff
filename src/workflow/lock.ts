// The package lock as commands use it: `envsync lock` (resolve and write, or --check), the lock applied to the
// desired state of plan and apply, and the registry checks of plan and validate --registries.

import path from 'node:path';
import { expiredEntries } from '../config/gate-policies.js';
import { ValidationError } from '../errors.js';
import type { Diagnostic, LoadResult, LockNotes } from '../model.js';
import { applyLock } from '../packages/apply-lock.js';
import { CACHE_DIR } from '../packages/cache.js';
import { checkPackages } from '../packages/check.js';
import { type Limits, RegistryFetcher } from '../packages/fetcher.js';
import { type LockChange, lockProblems, resolveLock } from '../packages/lock.js';

export type { LockChange };

import { lockPath, readLockFile, writeLockFile } from '../packages/lockfile.js';
import { Lookups } from '../packages/lookups.js';
import type { LockScope } from '../packages/needs.js';
import type { ProjectContext } from '../project/context.js';
import { loadDesiredOrThrow } from './plan.js';

/** How a command reaches the registries. */
export interface RegistryRun {
  /** Only the lock and the cache (`--offline`). */
  offline: boolean;
  /** A local run (`--local`, or an API on this machine): only the registries envsync.yaml names are asked. */
  local: boolean;
  /** Where token variables are read. */
  env: Record<string, string | undefined>;
  /** Where paths in messages are relative to. */
  cwd: string;
  now: () => number;
  limits?: Partial<Limits>;
}

export function registryFetcher(root: string, run: RegistryRun): RegistryFetcher {
  return new RegistryFetcher({
    offline: run.offline,
    cacheDir: path.join(root, CACHE_DIR, 'registries'),
    env: run.env,
    now: run.now,
    ...(run.limits ? { limits: run.limits } : {}),
  });
}

export function scopeOf(project: ProjectContext, desired: Pick<LoadResult, 'environments'>): LockScope {
  return {
    workspace: project.workspace?.name ?? null,
    environments: desired.environments,
    registries: project.registries,
    own: project.ownRegistries,
    policies: project.policies,
  };
}

export interface LockOptions extends RegistryRun {
  /** Every workspace's context (or the one selected); all share one project root and so one envsync.lock. */
  projects: readonly ProjectContext[];
  /** Only these environments; empty: all. */
  names: readonly string[];
  /** The projects are the whole project: entries no spec uses are dropped (and reported by --check). */
  whole: boolean;
  /** Write nothing; report what is out of date. */
  check: boolean;
  /** `--upgrade`: these packages (empty: every one) move to the newest version the specs and policies allow. */
  upgrade: readonly string[] | null;
}

export type LockReport =
  | { kind: 'checked'; file: string; problems: Diagnostic[] }
  | {
      kind: 'locked';
      file: string;
      written: boolean;
      changes: LockChange[];
      kept: number;
      warnings: Diagnostic[];
      requests: number;
      fromCache: number;
    };

/**
 * `envsync lock`: resolves every spec of the projects' environments against its registry and writes
 * envsync.lock at the project root (only when something changed); `--check` reads the lock alone, offline.
 */
export async function lockProject(o: LockOptions): Promise<LockReport> {
  const root = (o.projects[0] as ProjectContext).root;
  const file = lockPath(root);
  const shown = path.relative(o.cwd, file) || file;
  const existing = readLockFile(file, o.cwd);
  const scopes = o.projects.map((p) => scopeOf(p, loadDesiredOrThrow(p.dirs, p.root, p.policies)));
  if (o.check)
    return {
      kind: 'checked',
      file: shown,
      problems: lockProblems(existing, scopes, o.whole, shown, o.now()),
    };
  // An exception to min_release_age whose day has passed is bad input: refused before any registry is asked.
  const expired = o.projects.flatMap((p) => expiredEntries(p.policies, o.now()));
  if (expired.length > 0) throw new ValidationError(expired, 'the project file');
  const lookups = new Lookups(registryFetcher(root, o), o.local);
  const outcome = await resolveLock({
    scopes,
    existing,
    names: o.names,
    whole: o.whole,
    lookups,
    now: o.now(),
    upgrade: o.upgrade,
  });
  const written = existing === null || outcome.changes.length > 0;
  if (written) await writeLockFile(file, outcome.lock, o.cwd);
  return {
    kind: 'locked',
    file: shown,
    written,
    changes: outcome.changes,
    kept: outcome.kept,
    warnings: outcome.warnings,
    requests: lookups.fetcher.stats.requests,
    fromCache: lookups.fetcher.stats.fromCache,
  };
}

/**
 * The desired state plan and apply send: the lock at the project root applied (exact versions), or as the
 * files say when there is no lock. `frozen` refuses a spec the lock does not cover as the files say now.
 */
export function applyProjectLock<T extends LoadResult>(
  desired: T,
  project: ProjectContext,
  cwd: string,
  frozen: boolean,
): T & { locks: LockNotes } {
  const lock = readLockFile(lockPath(project.root), cwd);
  return applyLock(desired, lock, scopeOf(project, desired), frozen);
}

export interface RegistryCheck {
  /**
   * Errors at each spec (a package or pinned version that does not exist, a yanked pin, a range nothing
   * matches) and warnings (deprecated pins, withdrawn locked versions, what could not be checked offline).
   */
  diagnostics: Diagnostic[];
  requests: number;
}

/**
 * The registry checks of plan, apply and validate --registries over the projects' environments. Offline,
 * what the cache cannot answer is skipped with one warning saying how much.
 */
export async function checkProjectPackages(
  projects: ReadonlyArray<{ project: ProjectContext; desired: Pick<LoadResult, 'environments'> }>,
  o: RegistryRun,
): Promise<RegistryCheck> {
  const first = projects[0];
  if (!first) return { diagnostics: [], requests: 0 };
  const root = first.project.root;
  const lock = readLockFile(lockPath(root), o.cwd);
  const lookups = new Lookups(registryFetcher(root, o), o.local);
  const scopes = projects.map((p) => scopeOf(p.project, p.desired));
  const result = await checkPackages(scopes, lock, lookups);
  const diagnostics = [...result.diagnostics];
  if (result.unchecked > 0) {
    diagnostics.push({
      severity: 'warning',
      file: path.relative(o.cwd, path.join(root, 'envsync.yaml')) || 'envsync.yaml',
      line: 1,
      column: 1,
      path: 'registries',
      message: `--offline: ${result.unchecked} package spec${result.unchecked === 1 ? ' was' : 's were'} not checked against ${result.unchecked === 1 ? 'its registry' : 'their registries'} (not in the cache)`,
      hint: 'run once without --offline to check them and fill the cache',
    });
  }
  return { diagnostics, requests: lookups.fetcher.stats.requests };
}
