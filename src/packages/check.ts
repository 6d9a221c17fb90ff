// The registry checks of validate --registries and plan: every pinned version exists and is not withdrawn,
// every package exists, every range matches something, every locked version is still there.

import { isPinned } from '../config/packages.js';
import { type Diagnostic, isLocked, type LockFile, PACKAGE_MANAGERS } from '../model.js';
import { compareCodeUnits } from '../util/order.js';
import { deprecatedWarning, judge, specDiagnostic, whereOf } from './judge.js';
import type { Lookups } from './lookups.js';
import { entryFor, type LockScope, needsOf } from './needs.js';
import { registryFor } from './registries.js';

export interface PackageCheck {
  /** Errors at each spec (a package or pinned version that does not exist, a yanked pin) and warnings. */
  diagnostics: Diagnostic[];
  /** Specs that could not be checked: offline and not in the cache. */
  unchecked: number;
}

export async function checkPackages(
  scopes: readonly LockScope[],
  lock: LockFile | null,
  lookups: Lookups,
): Promise<PackageCheck> {
  const out: PackageCheck = { diagnostics: [], unchecked: 0 };
  // No registry this run may ask (a local run naming none, apt without an index): every spec would go
  // unasked and no locked version could be looked at, so the specs are not even gathered.
  const asked = (s: LockScope) => PACKAGE_MANAGERS.some((m) => lookups.asks(registryFor(m, s.registries)));
  if (!scopes.some(asked)) return out;
  const needs = needsOf(scopes);
  await lookups.load(needs);
  for (const need of needs) {
    const learnt = lookups.of(need);
    const judgement = await judge(need, learnt);
    if (judgement.kind === 'uncached') out.unchecked++;
    else if (judgement.kind === 'problem')
      out.diagnostics.push(specDiagnostic(need, 'error', judgement.message, judgement.hint));
    else if (
      judgement.kind === 'resolved' &&
      judgement.deprecated !== null &&
      isPinned(need.manager, need.spec)
    ) {
      out.diagnostics.push(deprecatedWarning(need, judgement.version.version, judgement.deprecated));
    }
    // What the lock will send must still be there, too.
    const entry = entryFor(lock, need);
    if (
      learnt.kind !== 'found' ||
      entry === undefined ||
      !isLocked(entry) ||
      entry.registry !== need.registry?.url
    )
      continue;
    const locked = learnt.record.versions.find((v) => v.version === entry.version);
    // Go pseudo-versions are never listed: only the proxy's .info knows them, and it was not asked.
    if (!locked && need.manager === 'go') continue;
    if (!locked || locked.yanked) {
      out.diagnostics.push(
        specDiagnostic(
          need,
          'warning',
          `its locked version ${entry.version} is ${locked ? 'withdrawn' : 'no longer listed'} on ${whereOf(need)}`,
          'run `envsync lock` to lock another version',
        ),
      );
    }
  }
  out.diagnostics.sort((a, b) => compareCodeUnits(a.file, b.file) || a.line - b.line || a.column - b.column);
  return out;
}
