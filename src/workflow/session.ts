// The library behind `plan` and `apply`: gather desired, live and recorded state, plan, and the apply sequence.

import { randomUUID } from 'node:crypto';
import { type ApplyDeps, type RunIdentity, record } from '../apply/context.js';
import { type ApplyResult, applyPlan } from '../apply/execute.js';
import { type Finding, findingFields, findUnrecorded } from '../apply/reconcile.js';
import { acquireLock, type Lock } from '../changelog/lock.js';
import { type FoldableEntry, foldRecorded, openRuns } from '../changelog/state.js';
import { ChangelogWriter, readChangelog } from '../changelog/store.js';
import { hasErrors, loadDesired } from '../config/load.js';
import { ValidationError } from '../errors.js';
import type {
  ChangelogEntry,
  DesiredEnvironment,
  Diagnostic,
  EnvironmentsApi,
  FileFingerprint,
  LiveEnvironment,
  Plan,
  RecordedEnvironment,
  ReferenceIndex,
  Reporter,
} from '../model.js';
import { planChanges, planHasChanges } from '../plan/planner.js';
import { listReferences, retiringIds } from './references.js';
import { staleReasons } from './stale.js';

export interface DesiredState {
  environments: DesiredEnvironment[];
  diagnostics: Diagnostic[];
  files: FileFingerprint[];
}

export interface PlanSettings {
  project: string;
  workspace: string | null;
  adopt: boolean;
  maxArchive: number;
  allowReferenced: boolean;
  targets: string[];
  planId: string;
  now: Date;
}

/** Loads the files; any error stops here, before any API call. */
export function loadDesiredOrThrow(dirs: string | readonly string[], cwd: string): DesiredState {
  const result = loadDesired(dirs, { cwd, strict: false });
  if (hasErrors(result.diagnostics)) throw new ValidationError(result.diagnostics);
  return result;
}

/** One paginated list, archived environments included: their names may still be taken (DESIGN §6). */
export async function listLive(api: EnvironmentsApi): Promise<LiveEnvironment[]> {
  const out: LiveEnvironment[] = [];
  for await (const env of api.listAll({ includeArchived: true })) out.push(env);
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

/**
 * Plans; when the plan would archive or recreate something, lists what references those IDs (deployments,
 * recent sessions) and plans again with them, so a plan without such actions still costs one list.
 */
async function makePlan(
  api: EnvironmentsApi,
  desired: DesiredState,
  live: readonly LiveEnvironment[],
  recorded: readonly RecordedEnvironment[],
  settings: PlanSettings,
): Promise<Plan> {
  const first = planOnce(desired, live, recorded, api.target, settings, null);
  const ids = retiringIds(first);
  if (ids.length === 0) return first;
  return planOnce(
    desired,
    live,
    recorded,
    api.target,
    settings,
    await listReferences(api, ids, settings.now),
  );
}

function planOnce(
  desired: DesiredState,
  live: readonly LiveEnvironment[],
  recorded: readonly RecordedEnvironment[],
  target: string,
  settings: PlanSettings,
  references: ReferenceIndex | null,
): Plan {
  const plan = planChanges(desired.environments, live, recorded, {
    project: settings.project,
    workspace: settings.workspace,
    adopt: settings.adopt,
    maxArchive: settings.maxArchive,
    allowReferenced: settings.allowReferenced,
    references,
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
  const live = await listLive(o.api);
  let recorded = foldRecorded(log.entries);
  if (open.length > 0) {
    o.reporter.event({
      type: 'warning',
      message: `an earlier apply was interrupted (plan ${open.join(', ')}); the next apply records what it left behind`,
    });
    const findings = findUnrecorded(o.settings.project, recorded, live, true);
    recorded = foldRecorded([...log.entries, ...asEntries(findings, o.settings.now.toISOString())]);
  }
  const known = new Set([...desired.environments.map((d) => d.name), ...live.map((e) => e.name)]);
  for (const name of o.settings.targets.filter((t) => !known.has(t))) {
    o.reporter.event({
      type: 'warning',
      message: `--target ${name} matches no environment file and no live environment`,
    });
  }
  const plan = await makePlan(o.api, desired, live, recorded, o.settings);
  return { plan, live: live.filter((e) => !e.archived_at) };
}

/** What an apply run is: a plan made now from the files, or a plan saved earlier. */
export type ApplySource =
  | { kind: 'files'; desired: DesiredState; settings: PlanSettings }
  | { kind: 'saved'; plan: Plan; project: string; workspace: string | null };

/** The questions apply asks its caller, as the AWS CDK toolkit's IoHost requests do. */
export interface ApplyHost {
  /** The plan, before anything is decided: the CLI prints it. */
  planned(plan: Plan): void;
  /**
   * Only for a plan made now (a saved plan was reviewed when saved), with changes, not blocked: true
   * applies. 'auto' is `--auto-approve`.
   */
  confirm: 'auto' | ((plan: Plan) => Promise<boolean>);
}

export interface ApplyOptions {
  api: EnvironmentsApi;
  changelogPath: string;
  reporter: Reporter;
  identity: Omit<RunIdentity, 'plan_id'>;
  now: () => Date;
  project: string;
  parallelism: number;
  host: ApplyHost;
}

export type ApplyOutcome =
  | { status: 'blocked'; plan: Plan }
  | { status: 'unchanged'; plan: Plan }
  | { status: 'cancelled'; plan: Plan }
  | { status: 'stale'; plan: Plan; reasons: string[] }
  | { status: 'applied'; plan: Plan; result: ApplyResult };

/**
 * `envsync apply`: the whole safety sequence in one call no caller can skip a step of — lock, record
 * what the changelog did not know, plan (or check a saved plan), refuse a blocked plan, confirm, list
 * again and refuse a stale plan, then apply.
 */
export async function applyChanges(source: ApplySource, o: ApplyOptions): Promise<ApplyOutcome> {
  const session = await ApplySession.open(o);
  try {
    let plan: Plan;
    if (source.kind === 'saved') {
      plan = source.plan;
      const reasons = [
        ...scopeReasons(plan, source.project, source.workspace),
        ...staleReasons(plan, session.live, o.api.target),
      ];
      if (reasons.length > 0) return { status: 'stale', plan, reasons };
    } else {
      plan = await session.plan(source.desired, source.settings);
    }
    o.host.planned(plan);
    if (plan.blocked.length > 0) return { status: 'blocked', plan };
    if (!planHasChanges(plan)) return { status: 'unchanged', plan };
    if (source.kind === 'files' && o.host.confirm !== 'auto') {
      if (!(await o.host.confirm(plan))) return { status: 'cancelled', plan };
      // The answer may come minutes later: what the plan relied on must still hold.
      const reasons = staleReasons(plan, await listLive(o.api), o.api.target);
      if (reasons.length > 0) return { status: 'stale', plan, reasons };
    }
    return { status: 'applied', plan, result: await session.apply(plan, o.parallelism) };
  } finally {
    session.close();
  }
}

/** A saved plan belongs to one project and workspace: applying it elsewhere is refused like a stale one. */
function scopeReasons(plan: Plan, project: string, workspace: string | null): string[] {
  const reasons: string[] = [];
  if (plan.project !== project) reasons.push(`the plan was made for project ${plan.project}, not ${project}`);
  if (plan.workspace !== workspace) {
    reasons.push(
      `the plan was made for workspace ${plan.workspace ?? '(none)'}, not ${workspace ?? '(none)'}`,
    );
  }
  return reasons;
}

/**
 * An apply in progress: holds the changelog lock and writer, the live list it saw, and the records
 * (after reconciling any interrupted run). Private to this module: only applyChanges drives it.
 */
class ApplySession {
  private recorded: RecordedEnvironment[];
  private reconciled = false;

  private constructor(
    private readonly o: ApplyOptions,
    private readonly lock: Lock,
    private readonly writer: ChangelogWriter,
    public live: LiveEnvironment[],
    private readonly entries: readonly ChangelogEntry[],
  ) {
    this.recorded = foldRecorded(entries);
  }

  static async open(o: ApplyOptions): Promise<ApplySession> {
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
      const live = await listLive(o.api);
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
    const findings = findUnrecorded(this.o.project, this.recorded, this.live, open.length > 0);
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
    const known = new Set(this.recorded.map((r) => r.env_id));
    return {
      api: this.o.api,
      owner: { project: this.o.project, recorded: (id) => known.has(id) },
      writer: this.writer,
      reporter: this.o.reporter,
      identity: { ...this.o.identity, plan_id: planId },
      now: this.o.now,
    };
  }

  /** Plans against what this session listed, after recording what the changelog did not know. */
  plan(desired: DesiredState, settings: PlanSettings): Promise<Plan> {
    this.reconcile();
    return makePlan(this.o.api, desired, this.live, this.recorded, settings);
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
