// The library behind `plan` and `apply`: gather desired, live and recorded state, plan, check, apply.

import { randomUUID } from 'node:crypto';
import { liveHash } from '../api/ownership.js';
import { type ApplyDeps, type RunIdentity, record } from '../apply/context.js';
import { type ApplyResult, applyPlan } from '../apply/execute.js';
import { type Finding, findingFields, findUnrecorded } from '../apply/reconcile.js';
import { acquireLock, type Lock } from '../changelog/lock.js';
import { type FoldableEntry, foldRecorded, openRuns } from '../changelog/state.js';
import { ChangelogWriter, readChangelog } from '../changelog/store.js';
import { hasErrors, loadDesired } from '../config/load.js';
import { StalePlanError, ValidationError } from '../errors.js';
import type {
  ChangelogEntry,
  DesiredEnvironment,
  Diagnostic,
  EnvironmentsApi,
  FileFingerprint,
  LiveEnvironment,
  Plan,
  RecordedEnvironment,
  Reporter,
} from '../model.js';
import { planChanges } from '../plan/planner.js';

export interface DesiredState {
  environments: DesiredEnvironment[];
  diagnostics: Diagnostic[];
  files: FileFingerprint[];
}

export interface PlanSettings {
  adopt: boolean;
  maxArchive: number;
  targets: string[];
  planId: string;
  now: Date;
}

/** Loads the files; any error stops here, before any API call. */
export function loadDesiredOrThrow(dir: string, cwd: string): DesiredState {
  const result = loadDesired(dir, { cwd, strict: false });
  if (hasErrors(result.diagnostics)) throw new ValidationError(result.diagnostics);
  return result;
}

export async function listLive(api: EnvironmentsApi, includeArchived: boolean): Promise<LiveEnvironment[]> {
  const out: LiveEnvironment[] = [];
  for await (const env of api.listAll({ includeArchived })) out.push(env);
  return out;
}

/** The findings as the entries apply will write for them, so `plan` folds in what `apply` will record. */
function asEntries(findings: readonly Finding[], at: string): FoldableEntry[] {
  return findings.map((f) => ({
    description: null,
    metadata: null,
    ...findingFields(f),
    at,
    lifecycle: null,
  }));
}

export function makePlan(
  desired: DesiredState,
  live: readonly LiveEnvironment[],
  recorded: readonly RecordedEnvironment[],
  target: string,
  settings: PlanSettings,
): Plan {
  const active = live.filter((e) => !e.archived_at);
  const plan = planChanges(desired.environments, active, [...recorded], {
    adopt: settings.adopt,
    maxArchive: settings.maxArchive,
    targets: settings.targets,
    planId: settings.planId,
    createdAt: settings.now.toISOString(),
    target,
  });
  return { ...plan, files: desired.files };
}

export interface PlanOnlyOptions {
  api: EnvironmentsApi;
  changelogPath: string;
  reporter: Reporter;
  settings: PlanSettings;
}

/** `envsync plan`: one paginated list, no writes anywhere. */
export async function planOnly(
  desired: DesiredState,
  o: PlanOnlyOptions,
): Promise<{ plan: Plan; live: LiveEnvironment[] }> {
  const log = readChangelog(o.changelogPath);
  for (const bad of log.badLines) {
    o.reporter.event({
      type: 'warning',
      message: `${o.changelogPath}:${bad.line}: ${bad.torn ? 'torn last line (apply will set it aside)' : 'unreadable line'}`,
    });
  }
  const open = openRuns(log.entries);
  const live = await listLive(o.api, open.length > 0);
  let recorded = foldRecorded(log.entries);
  if (open.length > 0) {
    o.reporter.event({
      type: 'warning',
      message: `an earlier apply was interrupted (plan ${open.join(', ')}); the next apply records what it left behind`,
    });
    const findings = findUnrecorded(recorded, live, true);
    recorded = foldRecorded([...log.entries, ...asEntries(findings, o.settings.now.toISOString())]);
  }
  const known = new Set([...desired.environments.map((d) => d.name), ...live.map((e) => e.name)]);
  for (const name of o.settings.targets.filter((t) => !known.has(t))) {
    o.reporter.event({
      type: 'warning',
      message: `--target ${name} matches no environment file and no live environment`,
    });
  }
  const plan = makePlan(desired, live, recorded, o.api.target, o.settings);
  return { plan, live: live.filter((e) => !e.archived_at) };
}

export interface ApplySessionOptions {
  api: EnvironmentsApi;
  changelogPath: string;
  reporter: Reporter;
  identity: Omit<RunIdentity, 'plan_id'>;
  now: () => Date;
}

/** Why a plan no longer matches the live environments, or [] when it still does. */
export function staleReasons(plan: Plan, live: readonly LiveEnvironment[], target: string): string[] {
  const reasons: string[] = [];
  if (plan.target !== target) reasons.push(`the plan was made for ${plan.target}, not ${target}`);
  const active = live.filter((e) => !e.archived_at);
  const byId = new Map(active.map((e) => [e.id, e]));
  for (const fp of plan.live) {
    const env = byId.get(fp.id);
    if (!env) reasons.push(`${fp.name} (${fp.id}) is gone or archived`);
    else if (env.updated_at !== fp.updated_at || liveHash(env) !== fp.config_hash) {
      reasons.push(`${fp.name} (${fp.id}) changed at ${env.updated_at}`);
    } else if (env.name !== fp.name) reasons.push(`${fp.id} was renamed from ${fp.name} to ${env.name}`);
  }
  const names = new Set(active.map((e) => e.name));
  for (const name of plan.absent) if (names.has(name)) reasons.push(`an environment named ${name} appeared`);
  return reasons;
}

/**
 * An apply in progress: holds the changelog lock and writer, the live list it saw, and the records
 * (after reconciling any interrupted run). Always `close()` it.
 */
export class ApplySession {
  private recorded: RecordedEnvironment[];
  private reconciled = false;

  private constructor(
    private readonly o: ApplySessionOptions,
    private readonly lock: Lock,
    private readonly writer: ChangelogWriter,
    public live: LiveEnvironment[],
    private readonly entries: readonly ChangelogEntry[],
  ) {
    this.recorded = foldRecorded(entries);
  }

  static async open(o: ApplySessionOptions): Promise<ApplySession> {
    const lock = acquireLock(o.changelogPath);
    try {
      if (lock.tookOverFrom) {
        o.reporter.event({
          type: 'warning',
          message: `took over the lock of pid ${lock.tookOverFrom.pid} (${lock.tookOverFrom.host}), which is gone`,
        });
      }
      const log = readChangelog(o.changelogPath);
      const { writer, keptAside } = ChangelogWriter.open(o.changelogPath, log);
      if (keptAside)
        o.reporter.event({
          type: 'warning',
          message: `the changelog's last line was cut short by a crash; kept it aside in ${keptAside}`,
        });
      for (const bad of log.badLines.filter((b) => !b.torn)) {
        o.reporter.event({
          type: 'warning',
          message: `${o.changelogPath}:${bad.line}: unreadable line (left in place; run envsync verify)`,
        });
      }
      const live = await listLive(o.api, true);
      return new ApplySession(o, lock, writer, live, log.entries);
    } catch (e) {
      lock.release();
      throw e;
    }
  }

  /**
   * Records every change the changelog does not know yet, before planning: what an interrupted apply
   * left behind (closing that run with its `end`), a write whose response was lost, an environment
   * archived or deleted by hand. Nothing that reached the API stays unrecorded past the next apply.
   */
  private reconcile(): void {
    if (this.reconciled) return;
    this.reconciled = true;
    const entries = this.entries;
    const open = openRuns(entries);
    const findings = findUnrecorded(this.recorded, this.live, open.length > 0);
    if (open.length === 0 && findings.length === 0) return;
    // Under the interrupted run when there is one; otherwise under a begin/end pair of their own.
    const runs = open.length > 0 ? open : [`reconcile_${randomUUID()}`];
    const deps = this.deps(runs[runs.length - 1] as string);
    if (open.length === 0) record(deps, { op: 'begin', detail: 'recording changes found live' });
    const written = findings.map((f) => record(deps, { ...findingFields(f), detail: `found: ${f.detail}` }));
    for (const id of runs) {
      record(this.deps(id), {
        op: 'end',
        detail: `reconciled ${findings.length} finding(s)${open.length > 0 ? ' after an interrupted apply' : ''}`,
      });
    }
    this.recorded = foldRecorded([...entries, ...written]);
    if (findings.length > 0) {
      this.o.reporter.event({
        type: 'notice',
        message: `recorded ${findings.length} change(s) the changelog did not know yet: ${findings.map((f) => `${f.op} ${findingFields(f).name}`).join(', ')}`,
      });
    }
  }

  private deps(planId: string): ApplyDeps {
    return {
      api: this.o.api,
      writer: this.writer,
      reporter: this.o.reporter,
      identity: { ...this.o.identity, plan_id: planId },
      now: this.o.now,
    };
  }

  /** Plans against what this session listed, after recording what the changelog did not know. */
  plan(desired: DesiredState, settings: PlanSettings): Plan {
    this.reconcile();
    return makePlan(desired, this.live, this.recorded, this.o.api.target, settings);
  }

  /** Lists again and throws StalePlanError if anything the plan relies on changed. */
  async checkFresh(plan: Plan): Promise<void> {
    this.live = await listLive(this.o.api, true);
    this.checkSaved(plan);
  }

  /** A saved plan: refused (StalePlanError, nothing written) unless what it saw still holds. */
  checkSaved(plan: Plan): void {
    const reasons = staleReasons(plan, this.live, this.o.api.target);
    if (reasons.length > 0) throw new StalePlanError(reasons);
  }

  apply(plan: Plan, parallelism: number): Promise<ApplyResult> {
    this.reconcile();
    return applyPlan(this.deps(plan.plan_id), plan, this.live, parallelism);
  }

  close(): void {
    this.writer.close();
    this.lock.release();
  }
}
