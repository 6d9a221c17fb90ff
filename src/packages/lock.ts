// `envsync lock`: every spec resolved to one version by its registry, merged into the lock; and the lock's own check.

import { packageName } from '../domain/package-spec.js';
import { ValidationError } from '../errors.js';
import {
  type Diagnostic,
  isLocked,
  type LockEntry,
  type LockedPackages,
  type LockFile,
  PACKAGE_MANAGERS,
  type PackageManager,
} from '../model.js';
import { judgeAged, tooYoung } from './aged.js';
import { deprecatedWarning, specDiagnostic, whereOf } from './judge.js';
import { emptyLock } from './lockfile.js';
import type { Lookups } from './lookups.js';
import { entryFor, type LockScope, type Need, needsOf, sectionPackages, staleReason } from './needs.js';
import { allowedFrom } from './quarantine.js';

export const APT_UNRESOLVED =
  'no apt suite index: envsync.yaml names none (registries.apt), so the image decides';

export interface LockRun {
  scopes: readonly LockScope[];
  existing: LockFile | null;
  /** Only these environments' specs; empty: every environment of the scopes. */
  names: readonly string[];
  /** The scopes are the whole project and no names were given: entries no spec uses are dropped. */
  whole: boolean;
  lookups: Lookups;
  /** For min_release_age (ms since the epoch). */
  now: number;
  /** `--upgrade`: these packages (by name; empty: every one) move to the newest version allowed; null: none. */
  upgrade: readonly string[] | null;
}

/** One spec whose entry the run added, changed or dropped: versions (or `unresolved`), null for none. */
export interface LockChange {
  section: string | null;
  manager: PackageManager;
  spec: string;
  before: string | null;
  after: string | null;
  /** The environments that write the spec now (none for a dropped entry), in name order. */
  environments: string[];
}

export interface LockOutcome {
  lock: LockFile;
  changes: LockChange[];
  /** Specs whose entry stayed as it was. */
  kept: number;
  /** Deprecated versions pinned, apt specs left unresolved, entries kept offline without a check. */
  warnings: Diagnostic[];
}

/** Whether `--upgrade` moves this need's entry. */
function upgrading(need: Need, upgrade: readonly string[] | null): boolean {
  if (upgrade === null) return false;
  if (upgrade.length === 0) return true;
  const name = packageName(need.manager, need.spec);
  return upgrade.some((u) => packageName(need.manager, u) === name);
}

/** The entry a need gets in this run, or the problem that stops the run. */
async function entryOf(
  need: Need,
  existing: LockEntry | undefined,
  run: LockRun,
): Promise<{ entry: LockEntry; warning?: Diagnostic } | { problem: Diagnostic }> {
  if (need.registry === null) return { entry: { unresolved: APT_UNRESOLVED } };
  const lookups = run.lookups;
  // An entry younger than the quarantine (locked before the policy) does not stand: it is chosen again.
  const young =
    existing !== undefined &&
    isLocked(existing) &&
    need.quarantine !== null &&
    allowedFrom(need.quarantine, existing.published, run.now) !== null;
  const stillGood =
    existing !== undefined && staleReason(need, existing) === null && !young && !upgrading(need, run.upgrade);
  const learnt = lookups.of(need);
  // A lock moves only when it must: an entry that still stands (listed, not withdrawn) is kept as it is.
  if (stillGood && isLocked(existing) && learnt.kind === 'found') {
    const now = learnt.record.versions.find((v) => v.version === existing.version);
    if (now && !now.yanked && (now.deprecated === null || existing.deprecated !== undefined))
      return existing.deprecated === undefined
        ? { entry: existing }
        : { entry: existing, warning: deprecatedWarning(need, existing.version, existing.deprecated) };
  }
  const judgement = await judgeAged(need, learnt, need.quarantine, run.now);
  if (judgement.kind === 'too_young') return { problem: judgement.problem };
  if (judgement.kind === 'not_asked' || judgement.kind === 'uncached') {
    const kept = existing !== undefined && staleReason(need, existing) === null && !young;
    if (kept) {
      return {
        entry: existing,
        warning: specDiagnostic(
          need,
          'warning',
          `kept as locked: ${whereOf(need)} was not asked (${judgement.kind === 'uncached' ? 'not in the cache, --offline' : 'a local run asks only the registries envsync.yaml names'})`,
        ),
      };
    }
    return {
      problem: specDiagnostic(
        need,
        'error',
        judgement.kind === 'uncached'
          ? `cannot be locked offline: ${whereOf(need)} has no answer for it in the cache`
          : `cannot be locked in a local run: it asks only the registries envsync.yaml names`,
        judgement.kind === 'uncached'
          ? 'run `envsync lock` once without --offline'
          : 'name a registry for it (registries: in envsync.yaml, e.g. an `envsync emulator --registries` one), or lock without --local',
      ),
    };
  }
  if (judgement.kind === 'problem')
    return { problem: specDiagnostic(need, 'error', judgement.message, judgement.hint) };
  if (judgement.kind === 'unresolved') return { entry: { unresolved: judgement.reason } };
  const v = judgement.version;
  const details =
    learnt.kind === 'found' && learnt.record.details ? await learnt.record.details(v.version) : v;
  const entry: LockEntry = {
    version: v.version,
    digest: details.digest,
    published: details.published,
    registry: need.registry.url,
    ...(judgement.deprecated === null ? {} : { deprecated: judgement.deprecated }),
  };
  if (judgement.deprecated === null) return { entry };
  return { entry, warning: deprecatedWarning(need, v.version, judgement.deprecated) };
}

function show(entry: LockEntry | undefined): string | null {
  if (entry === undefined) return null;
  return isLocked(entry) ? entry.version : 'unresolved';
}

function setEntry(lock: LockFile, need: Need, entry: LockEntry): void {
  let packages: LockedPackages = lock.packages;
  if (need.section !== null) {
    const ws = lock.workspaces[need.section] ?? { packages: {} };
    lock.workspaces[need.section] = ws;
    packages = ws.packages;
  }
  const specs = packages[need.manager] ?? {};
  specs[need.spec] = entry;
  packages[need.manager] = specs;
}

/** Every (section, manager, spec) a lock holds. */
function keysOf(lock: LockFile): Array<Pick<Need, 'section' | 'manager' | 'spec'>> {
  const sections: Array<string | null> = [null, ...Object.keys(lock.workspaces)];
  return sections.flatMap((section) =>
    PACKAGE_MANAGERS.flatMap((manager) =>
      Object.keys(sectionPackages(lock, section)[manager] ?? {}).map((spec) => ({ section, manager, spec })),
    ),
  );
}

/**
 * Resolves every spec the run covers and merges the answers into the lock. An entry that still stands is
 * kept (a lock moves only when a spec or its registry changed, or its version was withdrawn); any problem
 * (a package or version that does not exist, a yanked pin, a range nothing matches) stops the run with every
 * problem located, and nothing is written.
 */
export async function resolveLock(run: LockRun): Promise<LockOutcome> {
  const needs = needsOf(run.scopes, run.names);
  await run.lookups.load(needs);
  const next: LockFile = run.whole ? emptyLock() : structuredClone(run.existing ?? emptyLock());
  const problems: Diagnostic[] = [];
  const warnings: Diagnostic[] = [];
  for (const need of needs) {
    const result = await entryOf(need, entryFor(run.existing, need), run);
    if ('problem' in result) problems.push(result.problem);
    else {
      setEntry(next, need, result.entry);
      if (result.warning) warnings.push(result.warning);
    }
  }
  if (problems.length > 0) throw new ValidationError([...problems, ...warnings], 'the package specs');
  const changes: LockChange[] = [];
  let kept = 0;
  const seen = new Set<string>();
  const byId = new Map(needs.map((n) => [`${n.section ?? ''}\0${n.manager}\0${n.spec}`, n]));
  for (const key of [...keysOf(next), ...(run.existing ? keysOf(run.existing) : [])]) {
    const id = `${key.section ?? ''}\0${key.manager}\0${key.spec}`;
    if (seen.has(id)) continue;
    seen.add(id);
    const before = entryFor(run.existing, key);
    const after = entryFor(next, key);
    if (JSON.stringify(before) === JSON.stringify(after)) kept++;
    else
      changes.push({
        ...key,
        before: show(before),
        after: show(after),
        environments: byId.get(id)?.environments ?? [],
      });
  }
  return { lock: next, changes, kept, warnings };
}

/** What `lock --check` finds: each spec whose entry is missing or stale, and (for the whole project) unused entries. */
export function lockProblems(
  lock: LockFile | null,
  scopes: readonly LockScope[],
  whole: boolean,
  lockShown: string,
  now: number,
): Diagnostic[] {
  const needs = needsOf(scopes);
  const out = needs.flatMap((need) => {
    const entry = entryFor(lock, need);
    const reason = staleReason(need, entry);
    if (reason !== null) return [specDiagnostic(need, 'error', `${reason} in envsync.lock`)];
    // Locked before min_release_age said otherwise: too young still, so `envsync lock` would choose again.
    if (entry === undefined || !isLocked(entry) || need.quarantine === null) return [];
    const allowed = allowedFrom(need.quarantine, entry.published, now);
    if (allowed === null || entry.published === null) return [];
    return [tooYoung(need, need.quarantine, entry.version, entry.published, allowed)];
  });
  if (whole && lock) {
    const used = new Set(needs.map((n) => `${n.section ?? ''}\0${n.manager}\0${n.spec}`));
    for (const key of keysOf(lock)) {
      if (used.has(`${key.section ?? ''}\0${key.manager}\0${key.spec}`)) continue;
      out.push({
        severity: 'error',
        file: lockShown,
        line: 1,
        column: 1,
        path: `${key.section === null ? 'packages' : `workspaces.${key.section}.packages`}.${key.manager}`,
        message: `${JSON.stringify(key.spec)} is locked but no environment installs it`,
        hint: 'run `envsync lock` to drop it',
      });
    }
  }
  return out;
}
