// The lock applied to the desired state: each locked spec becomes its exact version in its manager's spelling,
// so the config sent, its hash, the changelog and `resolve --session` name exact versions.

import { exactSpec } from '../domain/package-spec.js';
import { ValidationError } from '../errors.js';
import { configHash, normalizeConfig } from '../hash/config-hash.js';
import {
  type DesiredEnvironment,
  type Diagnostic,
  isLocked,
  type LoadResult,
  type LockFile,
  type LockNote,
  type LockNotes,
  type PackageManager,
  type PackageSource,
} from '../model.js';
import { specDiagnostic } from './judge.js';
import { entryFor, type LockScope, type Need, sectionOf, staleReason } from './needs.js';
import { registryFor } from './registries.js';

export type LockSettings = Omit<LockScope, 'environments'>;

/** A source as the need a lock entry answers (for the same staleness rule `lock --check` uses). */
function needOf(source: PackageSource, scope: LockSettings): Need {
  return {
    section: sectionOf(scope, source.manager),
    manager: source.manager,
    spec: source.spec,
    at: source.at,
    also: 0,
    registry: registryFor(source.manager, scope.registries),
    lookup: source.spec,
    quarantine: null,
    environments: [],
  };
}

function note(notes: LockNotes, manager: PackageManager, sent: string, n: LockNote): void {
  const specs = notes[manager] ?? {};
  specs[sent] = n;
  notes[manager] = specs;
}

function relocked(env: DesiredEnvironment, replace: Map<string, string>): DesiredEnvironment {
  if (env.config.type !== 'cloud' || replace.size === 0) return env;
  const packages = Object.fromEntries(
    Object.entries(env.config.packages).map(([manager, specs]) => [
      manager,
      specs.map((spec) => replace.get(`${manager}\0${spec}`) ?? spec),
    ]),
  );
  const config = normalizeConfig({ ...env.config, packages });
  return { ...env, config, config_hash: configHash(config) };
}

/**
 * The desired state with the lock applied, and what changed for the plan to show. Without a lock nothing
 * changes. A spec with no entry, or one that no longer stands (another registry, a spec edited since), is
 * sent as written with one warning; with `frozen` (CI) each is an error at its spec, and nothing is planned.
 */
export function applyLock<T extends LoadResult>(
  desired: T,
  lock: LockFile | null,
  scope: LockSettings,
  frozen: boolean,
): T & { locks: LockNotes } {
  const notes: LockNotes = {};
  const stale: Diagnostic[] = [];
  const lockedAt = new Set<string>();
  const environments = desired.environments.map((env) => {
    if (lock === null && !frozen) return env;
    const replace = new Map<string, string>();
    for (const source of env.package_sources) {
      const need = needOf(source, scope);
      const entry = entryFor(lock, need);
      const reason = staleReason(need, entry);
      if (reason !== null || entry === undefined) {
        stale.push(
          specDiagnostic(
            need,
            frozen ? 'error' : 'warning',
            `${reason ?? 'has no entry'} in envsync.lock${frozen ? ' (--frozen)' : ''}`,
          ),
        );
        note(notes, source.manager, source.spec, {
          written: source.spec,
          version: null,
          reason: 'not in envsync.lock',
        });
      } else if (!isLocked(entry)) {
        note(notes, source.manager, source.spec, {
          written: source.spec,
          version: null,
          reason: entry.unresolved,
        });
      } else {
        const sent = exactSpec(source.manager, source.spec, entry.version);
        lockedAt.add(`${source.at.file}:${source.at.line}:${source.at.column}`);
        replace.set(`${source.manager}\0${source.spec}`, sent);
        note(notes, source.manager, sent, { written: source.spec, version: entry.version, reason: null });
      }
    }
    return relocked(env, replace);
  });
  if (frozen && stale.length > 0) throw new ValidationError(stale, 'the lock (--frozen)');
  // A locked spec is pinned by the lock: the file's "not pinned" warning does not hold for what is sent.
  const kept = desired.diagnostics.filter(
    (d) => d.code !== 'unpinned_package' || !lockedAt.has(`${d.file}:${d.line}:${d.column}`),
  );
  // Unlocked specs are sent as written: one warning, at the first, says how many.
  const first = stale[0];
  const warnings =
    first === undefined
      ? []
      : [
          {
            ...first,
            message:
              stale.length === 1
                ? first.message
                : `${first.message}; ${stale.length - 1} more spec${stale.length === 2 ? ' is' : 's are'} not locked either`,
            hint: 'they are sent as written: run `envsync lock` (and commit envsync.lock)',
          },
        ];
  return { ...desired, environments, diagnostics: [...kept, ...warnings], locks: notes };
}
