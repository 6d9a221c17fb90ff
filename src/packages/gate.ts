// The supply-chain gate's vulnerability half: which locked versions the environments install, what OSV knows of
// them, and what the policies (vulnerabilities, ignore) make of each finding.

import { expiryEnd } from '../config/gate-policies.js';
import { packageName } from '../domain/package-spec.js';
import {
  type FindingVerdict,
  isLocked,
  type LockFile,
  type PackageFinding,
  type PackageManager,
  type Policy,
  type RegistrySetting,
  VULN_SEVERITIES,
  type Vulnerability,
  type VulnerabilityPolicy,
} from '../model.js';
import { compareCodeUnits } from '../util/order.js';
import { entryFor, type LockScope, sectionOf } from './needs.js';
import type { OsvClient, OsvQuery } from './osv.js';
import { queryKey } from './osv.js';
import { moduleCandidates } from './registries/goproxy.js';
import { registryFor } from './registries.js';

/** OSV's name for each manager's ecosystem (apt's depends on the suite). */
const ECOSYSTEMS: Record<Exclude<PackageManager, 'apt'>, string> = {
  cargo: 'crates.io',
  gem: 'RubyGems',
  go: 'Go',
  npm: 'npm',
  pip: 'PyPI',
};

/** Debian and Ubuntu suites by code name, as OSV names their ecosystems. */
const SUITES: Record<string, string> = {
  buster: 'Debian:10',
  bullseye: 'Debian:11',
  bookworm: 'Debian:12',
  trixie: 'Debian:13',
  focal: 'Ubuntu:20.04',
  jammy: 'Ubuntu:22.04',
  noble: 'Ubuntu:24.04',
};

/** OSV's ecosystem for a manager; apt only when its index names a suite OSV knows (`…/dists/bookworm/…`). */
export function ecosystemOf(manager: PackageManager, registry: RegistrySetting | null): string | null {
  if (manager !== 'apt') return ECOSYSTEMS[manager];
  const suite = registry === null ? undefined : /\/dists\/([a-z]+)(?:[-/])/.exec(registry.url)?.[1];
  return suite === undefined ? null : (SUITES[suite] ?? null);
}

/** A package as OSV knows it: pip's PEP 503 name, Go's module path, apt's binary package without its arch. */
export function osvName(manager: PackageManager, spec: string): string {
  const base = packageName(manager, spec).replace(/:[a-z0-9]+$/, '');
  return manager === 'go' ? (moduleCandidates(base)[0] ?? base) : base;
}

/** One locked version, and the environments that install it. */
export interface LockedUse {
  manager: PackageManager;
  /** As OSV knows the package (pip's PEP 503 name, Go's module path, apt's binary package). */
  package: string;
  version: string;
  section: string | null;
  environments: string[];
  query: OsvQuery;
}

/** Every locked version the scopes' environments install, once per section, with the environments. */
export function lockedUses(lock: LockFile | null, scopes: readonly LockScope[]): LockedUse[] {
  const byKey = new Map<string, LockedUse>();
  // The environments already named per use: a version every environment installs must not cost N² checks.
  const named = new Map<LockedUse, Set<string>>();
  for (const scope of scopes) {
    for (const env of scope.environments) {
      for (const source of env.package_sources) {
        const section = sectionOf(scope, source.manager);
        const entry = entryFor(lock, { section, manager: source.manager, spec: source.spec });
        if (entry === undefined || !isLocked(entry)) continue;
        const ecosystem = ecosystemOf(source.manager, registryFor(source.manager, scope.registries));
        if (ecosystem === null) continue;
        const name = osvName(source.manager, source.spec);
        const key = `${section ?? ''}\0${source.manager}\0${name}\0${entry.version}`;
        const known = byKey.get(key);
        if (known) {
          named.get(known)?.add(env.name);
          continue;
        }
        const use: LockedUse = {
          manager: source.manager,
          package: name,
          version: entry.version,
          section,
          environments: [],
          query: { ecosystem, name, version: entry.version },
        };
        byKey.set(key, use);
        named.set(use, new Set([env.name]));
      }
    }
  }
  const out = [...byKey.values()];
  for (const [use, names] of named) use.environments = [...names].sort(compareCodeUnits);
  return out.sort(
    (a, b) =>
      compareCodeUnits(a.section ?? '', b.section ?? '') ||
      compareCodeUnits(a.manager, b.manager) ||
      compareCodeUnits(a.package, b.package) ||
      compareCodeUnits(a.version, b.version),
  );
}

const rank = (s: Vulnerability['severity']) => VULN_SEVERITIES.indexOf(s);

/** Whether any vulnerabilities policy asks OSV at all (block or warn). */
export function gateAsks(policies: readonly Policy[]): boolean {
  return policies.some((p) => p.rule === 'vulnerabilities' && p.value.action !== 'off');
}

function at(p: Policy): string {
  return `${p.setAt.file}:${p.setAt.line}:${p.setAt.column}`;
}

function ruleText(v: VulnerabilityPolicy): string {
  return v.min_severity === 'unknown' ? v.action : `${v.action} from ${v.min_severity}`;
}

/**
 * What the policies make of one vulnerability: ignored (an unexpired `ignore:` naming its ID or an alias),
 * else the strictest verdict of the vulnerabilities policies it reaches (their min_severity), else `fallback`
 * (null: left out of the plan).
 */
export function verdictOf(
  v: Vulnerability,
  policies: readonly Policy[],
  now: number,
  fallback: { verdict: FindingVerdict; because: string } | null,
): { verdict: FindingVerdict; because: string } | null {
  for (const p of policies) {
    if (p.rule !== 'ignore') continue;
    const entry = p.value.find(
      (e) => (e.id === v.id || v.aliases.includes(e.id)) && now < expiryEnd(e.expires),
    );
    if (entry) return { verdict: 'ignored', because: `ignored until ${entry.expires}: ${entry.reason}` };
  }
  let best: { verdict: FindingVerdict; because: string } | null = null;
  for (const p of policies) {
    if (p.rule !== 'vulnerabilities' || p.value.action === 'off') continue;
    if (rank(v.severity) < rank(p.value.min_severity)) continue;
    const because = `vulnerabilities: ${ruleText(p.value)} (set at ${at(p)})`;
    if (p.value.action === 'block') return { verdict: 'block', because };
    best ??= { verdict: 'warn', because };
  }
  return best ?? fallback;
}

/** The findings of the uses, as OSV answered, judged by the policies; in a stable order. */
export function judgeFindings(
  uses: readonly LockedUse[],
  found: ReadonlyMap<string, Vulnerability[]>,
  policies: readonly Policy[],
  now: number,
  fallback: { verdict: FindingVerdict; because: string } | null,
): PackageFinding[] {
  const out: PackageFinding[] = [];
  for (const use of uses) {
    const vulns = [...(found.get(queryKey(use.query)) ?? [])].sort((a, b) => compareCodeUnits(a.id, b.id));
    for (const vulnerability of vulns) {
      const judged = verdictOf(vulnerability, policies, now, fallback);
      if (judged === null) continue;
      out.push({
        manager: use.manager,
        package: use.package,
        version: use.version,
        section: use.section,
        environments: use.environments,
        vulnerability,
        ...judged,
      });
    }
  }
  return out;
}

/** Asks OSV about every use (each distinct version once). */
export function queriesOf(uses: readonly LockedUse[]): OsvQuery[] {
  return uses.map((u) => u.query);
}

export type { OsvClient };
