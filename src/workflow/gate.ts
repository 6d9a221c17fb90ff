// The supply-chain gate as commands use it: the findings plan judges (policies.vulnerabilities), and
// `envsync audit-packages` over every workspace; expired ignores refused before anything is asked.

import path from 'node:path';
import { expiredEntries } from '../config/gate-policies.js';
import { ValidationError } from '../errors.js';
import type { Diagnostic, LoadResult, OsvSetting, PackageFinding, Policy } from '../model.js';
import { CACHE_DIR } from '../packages/cache.js';
import { gateAsks, judgeFindings, type LockedUse, lockedUses, queriesOf } from '../packages/gate.js';
import { lockPath, readLockFile } from '../packages/lockfile.js';
import { OsvClient, PUBLIC_OSV } from '../packages/osv.js';
import type { ProjectContext } from '../project/context.js';
import { type RegistryRun, scopeOf } from './lock.js';
import { loadDesiredOrThrow } from './plan.js';

/** Refuses ignores and release-age exceptions whose day has passed: each an error at its line. */
export function refuseExpired(policies: readonly Policy[], now: number): void {
  const expired = expiredEntries(policies, now);
  if (expired.length > 0) throw new ValidationError(expired, 'the project file');
}

/** The OSV API this project asks, or null when this run may not ask one (a local run names none). */
export function osvFor(project: ProjectContext, run: RegistryRun): OsvClient | null {
  const setting: OsvSetting = project.osv ?? { url: PUBLIC_OSV, setAt: null };
  if (run.local && setting.setAt === null) return null;
  return new OsvClient({
    url: setting.url,
    offline: run.offline,
    cacheDir: path.join(project.root, CACHE_DIR, 'osv'),
    now: run.now,
    ...(run.limits ? { limits: run.limits } : {}),
  });
}

export interface GateOutcome {
  findings: PackageFinding[];
  /** What could not be asked (a local run without registries.osv, versions offline and not cached). */
  warnings: Diagnostic[];
  requests: number;
  fromCache: number;
}

function projectWarning(
  project: ProjectContext,
  run: RegistryRun,
  message: string,
  hint: string,
): Diagnostic {
  const file = project.file ?? path.join(project.root, 'envsync.yaml');
  return {
    severity: 'warning',
    file: path.relative(run.cwd, file) || file,
    line: 1,
    column: 1,
    path: 'policies.vulnerabilities',
    message,
    hint,
  };
}

/** OSV's findings for the uses, judged; what could not be asked said as warnings. */
async function judged(
  project: ProjectContext,
  uses: readonly LockedUse[],
  run: RegistryRun,
  fallback: Parameters<typeof judgeFindings>[4],
): Promise<GateOutcome> {
  if (uses.length === 0) return { findings: [], warnings: [], requests: 0, fromCache: 0 };
  const osv = osvFor(project, run);
  if (osv === null) {
    return {
      findings: [],
      warnings: [
        projectWarning(
          project,
          run,
          'known vulnerabilities were not checked: a local run asks only the OSV API envsync.yaml names',
          'name one in registries.osv (an `envsync emulator --registries` one), or run without --local',
        ),
      ],
      requests: 0,
      fromCache: 0,
    };
  }
  const answer = await osv.vulnerabilities(queriesOf(uses));
  const warnings =
    answer.uncached === 0
      ? []
      : [
          projectWarning(
            project,
            run,
            `--offline: ${answer.uncached} locked version${answer.uncached === 1 ? ' was' : 's were'} not checked for known vulnerabilities (not in the OSV cache)`,
            'run once without --offline to check them and fill the cache',
          ),
        ];
  return {
    findings: judgeFindings(uses, answer.found, project.policies, run.now(), fallback),
    warnings,
    requests: osv.stats.requests,
    fromCache: osv.stats.fromCache,
  };
}

/**
 * plan's gate: when a vulnerabilities policy asks, every locked version the environments install is looked
 * up in OSV and each finding judged (blocked, warned of, or ignored with its reason); else nothing is asked.
 */
export async function packageGate(
  project: ProjectContext,
  desired: Pick<LoadResult, 'environments'>,
  run: RegistryRun,
): Promise<GateOutcome> {
  if (!gateAsks(project.policies)) return { findings: [], warnings: [], requests: 0, fromCache: 0 };
  const lock = readLockFile(lockPath(project.root), run.cwd);
  return judged(project, lockedUses(lock, [scopeOf(project, desired)]), run, null);
}

export interface AuditOptions extends RegistryRun {
  /** Every workspace's context (or the one selected). */
  projects: readonly ProjectContext[];
}

export interface AuditReport {
  /** Every finding of every locked version, judged by its workspace's policies (`warn` where none decides). */
  findings: PackageFinding[];
  /** Locked versions asked about. */
  versions: number;
  warnings: Diagnostic[];
  requests: number;
  fromCache: number;
}

/** `envsync audit-packages`: every locked version of every workspace against OSV, whatever the policy says. */
export async function auditPackages(o: AuditOptions): Promise<AuditReport> {
  const report: AuditReport = { findings: [], versions: 0, warnings: [], requests: 0, fromCache: 0 };
  const seen = new Set<string>();
  for (const project of o.projects) {
    refuseExpired(project.policies, o.now());
    const desired = loadDesiredOrThrow(project.dirs, project.root, project.policies);
    const lock = readLockFile(lockPath(project.root), o.cwd);
    const uses = lockedUses(lock, [scopeOf(project, desired)]);
    report.versions += uses.length;
    const outcome = await judged(project, uses, o, {
      verdict: 'warn',
      because: 'no policy blocks it',
    });
    for (const f of outcome.findings) {
      const key = JSON.stringify([
        f.section,
        f.manager,
        f.package,
        f.version,
        f.vulnerability.id,
        f.environments,
      ]);
      if (seen.has(key)) continue;
      seen.add(key);
      report.findings.push(f);
    }
    for (const w of outcome.warnings)
      if (!report.warnings.some((x) => x.message === w.message)) report.warnings.push(w);
    report.requests += outcome.requests;
    report.fromCache += outcome.fromCache;
  }
  return report;
}
