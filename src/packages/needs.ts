// What a lock must hold for a set of environments: one entry per manager and spec, in the section its registry puts it.

import { packageName, specParts } from '../domain/package-spec.js';
import {
  type DesiredEnvironment,
  isLocked,
  type LockEntry,
  type LockedPackages,
  type LockFile,
  type PackageManager,
  type Policy,
  type RegistrySetting,
  type RegistrySettings,
  type SourceLocation,
} from '../model.js';
import { compareCodeUnits } from '../util/order.js';
import { type Quarantine, quarantineOf, stricter } from './quarantine.js';
import { registryFor } from './registries.js';
import { GRAMMARS } from './resolve.js';

/** One workspace's part of the project (or the whole project when it has no workspaces). */
export interface LockScope {
  /** null for a project without workspaces. */
  workspace: string | null;
  environments: readonly DesiredEnvironment[];
  /** envsync.yaml's registries for this workspace (the project's, the workspace's own replacing them). */
  registries: RegistrySettings;
  /** The managers whose registry the workspace sets itself: their entries are the workspace's own. */
  own: readonly PackageManager[];
  /** The project's policies and the workspace's own (min_release_age matters to the lock). */
  policies: readonly Policy[];
}

/** One spec a lock must cover. */
export interface Need {
  /** The workspace whose own entries hold it, or null for the project's. */
  section: string | null;
  manager: PackageManager;
  spec: string;
  /** Where it is first written. */
  at: SourceLocation;
  /** How many other places write the same spec (in the same section). */
  also: number;
  /** Where its versions come from (null: apt without an index). */
  registry: RegistrySetting | null;
  /** The name its registry knows it by (pip's PEP 503 name, apt's name:arch, the Go package path). */
  lookup: string;
  /** The strictest min_release_age of the workspaces that write it; null: none. */
  quarantine: Quarantine | null;
  /** The environments that write it, in name order. */
  environments: string[];
}

export function sectionOf(
  scope: Pick<LockScope, 'workspace' | 'own'>,
  manager: PackageManager,
): string | null {
  return scope.workspace !== null && scope.own.includes(manager) ? scope.workspace : null;
}

function lookupName(manager: PackageManager, spec: string): string {
  const parts = specParts(manager, spec);
  if (manager === 'apt') return `${parts.name}${parts.qualifier}`;
  return manager === 'pip' ? packageName(manager, spec) : parts.name;
}

/** Every spec of the scopes' environments (or of the environments named), once per section, in a stable order. */
export function needsOf(scopes: readonly LockScope[], names: readonly string[] = []): Need[] {
  const wanted = new Set(names);
  const byKey = new Map<string, Need>();
  // The environments already named per need: a spec that every environment shares must not cost N² checks.
  const named = new Map<Need, Set<string>>();
  for (const scope of scopes) {
    for (const env of scope.environments) {
      if (wanted.size > 0 && !wanted.has(env.name)) continue;
      for (const source of env.package_sources) {
        const section = sectionOf(scope, source.manager);
        const key = `${section ?? ''}\0${source.manager}\0${source.spec}`;
        const quarantine = quarantineOf(scope.policies, source.manager, source.spec);
        const known = byKey.get(key);
        if (known) {
          known.also++;
          known.quarantine = stricter(known.quarantine, quarantine);
          named.get(known)?.add(env.name);
          continue;
        }
        const need: Need = {
          section,
          manager: source.manager,
          spec: source.spec,
          at: source.at,
          also: 0,
          registry: registryFor(source.manager, scope.registries),
          lookup: lookupName(source.manager, source.spec),
          quarantine,
          environments: [],
        };
        byKey.set(key, need);
        named.set(need, new Set([env.name]));
      }
    }
  }
  for (const [need, names] of named) need.environments = [...names].sort(compareCodeUnits);
  return [...byKey.values()].sort(
    (a, b) =>
      compareCodeUnits(a.section ?? '', b.section ?? '') ||
      compareCodeUnits(a.manager, b.manager) ||
      compareCodeUnits(a.spec, b.spec),
  );
}

export function sectionPackages(lock: LockFile, section: string | null): LockedPackages {
  return section === null ? lock.packages : (lock.workspaces[section]?.packages ?? {});
}

export function entryFor(
  lock: LockFile | null,
  need: Pick<Need, 'section' | 'manager' | 'spec'>,
): LockEntry | undefined {
  if (!lock) return undefined;
  return sectionPackages(lock, need.section)[need.manager]?.[need.spec];
}

/** Whether `version` is one `spec` asks for, as far as can be told without its registry (a dist-tag cannot). */
export function satisfiesOffline(manager: PackageManager, spec: string, version: string): boolean {
  const g = GRAMMARS[manager];
  const parts = specParts(manager, spec);
  const q = g.query(parts.query, {
    versions: [{ version, published: null, digest: null, yanked: false, deprecated: null }],
    tags: {},
  });
  switch (q.kind) {
    case 'exact':
      return q.matches(version);
    case 'range':
      return q.pick([version]) === version;
    case 'tag':
    case 'proxy':
      return true;
    case 'problem':
    case 'unresolved':
      return false;
  }
}

/** Why a lock entry no longer stands for its spec as the files and envsync.yaml say now; null when it does. */
export function staleReason(need: Need, entry: LockEntry | undefined): string | null {
  if (entry === undefined) return 'has no entry';
  if (!isLocked(entry)) {
    return need.registry !== null && !(need.manager === 'apt' && specParts('apt', need.spec).release)
      ? `is unresolved, but ${need.registry.url} can resolve it now`
      : null;
  }
  if (need.registry === null) return `is locked from ${entry.registry}, which envsync.yaml no longer names`;
  if (entry.registry !== need.registry.url)
    return `is locked from ${entry.registry}, not from ${need.registry.url}`;
  if (!satisfiesOffline(need.manager, need.spec, entry.version))
    return `is locked to ${entry.version}, which the spec does not allow`;
  return null;
}
