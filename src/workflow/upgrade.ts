// `envsync lock --upgrade [NAME…]`: locked versions moved to the newest the specs and policies allow, and a
// summary fit for a pull request body (package, old → new, environments, the vulnerabilities it fixes).

import { EnvsyncError } from '../errors.js';
import type { PackageManager, Vulnerability } from '../model.js';
import { ecosystemOf, osvName } from '../packages/gate.js';
import { type OsvQuery, queryKey } from '../packages/osv.js';
import { registryFor } from '../packages/registries.js';
import type { ProjectContext } from '../project/context.js';
import { osvFor } from './gate.js';
import { type LockOptions, lockProject } from './lock.js';

export interface UpgradeItem {
  manager: PackageManager;
  package: string;
  spec: string;
  section: string | null;
  before: string;
  after: string;
  environments: string[];
  /** Known vulnerabilities of the old version that the new one no longer has. */
  fixed: Array<Pick<Vulnerability, 'id' | 'severity' | 'summary'>>;
}

export interface UpgradeReport {
  file: string;
  written: boolean;
  /** Versions that moved. */
  upgrades: UpgradeItem[];
  /** Entries added or dropped on the way (a spec new in the files, one no longer written). */
  other: Array<{ manager: PackageManager; spec: string; before: string | null; after: string | null }>;
  /** Whether OSV was asked (a local run without registries.osv is not). */
  osvAsked: boolean;
  requests: number;
}

export type UpgradeOptions = Omit<LockOptions, 'check' | 'upgrade' | 'names' | 'whole'> & {
  /** Packages to move (by name); empty: every one. */
  packages: readonly string[];
};

/** Moves the lock, then asks OSV what each move fixes. */
export async function upgradeLock(o: UpgradeOptions): Promise<UpgradeReport> {
  const report = await lockProject({ ...o, names: [], whole: true, check: false, upgrade: o.packages });
  if (report.kind !== 'locked')
    throw new EnvsyncError('internal', 'lock --upgrade checked instead of locking');
  const project = o.projects[0] as ProjectContext;
  const upgrades: UpgradeItem[] = [];
  const other: UpgradeReport['other'] = [];
  for (const c of report.changes) {
    if (c.before === null || c.after === null || c.before === 'unresolved' || c.after === 'unresolved') {
      other.push({ manager: c.manager, spec: c.spec, before: c.before, after: c.after });
      continue;
    }
    upgrades.push({
      manager: c.manager,
      package: osvName(c.manager, c.spec),
      spec: c.spec,
      section: c.section,
      before: c.before,
      after: c.after,
      environments: c.environments,
      fixed: [],
    });
  }
  const osv = upgrades.length === 0 ? null : osvFor(project, o);
  if (osv !== null) {
    const pairs = upgrades.flatMap((u) => {
      const ecosystem = ecosystemOf(u.manager, registryFor(u.manager, project.registries));
      if (ecosystem === null) return [];
      const old: OsvQuery = { ecosystem, name: u.package, version: u.before };
      const now: OsvQuery = { ecosystem, name: u.package, version: u.after };
      return [{ u, old, now }];
    });
    const answer = await osv.vulnerabilities(pairs.flatMap((p) => [p.old, p.now]));
    for (const { u, old, now } of pairs) {
      const still = new Set((answer.found.get(queryKey(now)) ?? []).map((v) => v.id));
      u.fixed = (answer.found.get(queryKey(old)) ?? [])
        .filter((v) => !still.has(v.id))
        .map((v) => ({ id: v.id, severity: v.severity, summary: v.summary }));
    }
  }
  return {
    file: report.file,
    written: report.written,
    upgrades,
    other,
    osvAsked: osv !== null,
    requests: report.requests + (osv?.stats.requests ?? 0),
  };
}
