// The library behind `plan` and `apply`: gather desired, live and recorded state, plan, check, apply.

import { liveHash } from '../api/ownership.js';
import { type ApplyDeps, type RunIdentity, record } from '../apply/context.js';
import { type ApplyResult, applyPlan } from '../apply/execute.js';
import { type Finding, findingFields, findUnrecorded } from '../apply/reconcile.js';
import { acquireLock, type Lock } from '../changelog/lock.js';
import { foldRecorded, openRuns } from '../changelog/state.js';
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

/** The records as they will be once the findings are recorded: lets `plan` see what `apply` will reconcile. */
function recordedWith(
  recorded: readonly RecordedEnvironment[],
  findings: readonly Finding[],
  at: string,
): RecordedEnvironment[] {
  const byId = new Map(recorded.map((r) => [r.env_id, r]));
  for (const f of findings) {
    const fields = findingFields(f);
    if (!fields.env_id) continue;
    byId.set(fields.env_id, {
      name: fields.name ?? '',
      env_id: fields.env_id,
      config_hash: fields.config_hash ?? '',
      at,
      archived: f.op === 'archive' || f.op === 'drift',
    });
  }
  return [...byId.values()];
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
    recorded = recordedWith(recorded, findUnrecorded(recorded, live), o.settings.now.toISOString());
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
  private constructor(
    private readonly o: ApplySessionOptions,
    private readonly lock: Lock,
    private readonly writer: ChangelogWriter,
    public live: LiveEnvironment[],
    public recorded: RecordedEnvironment[],
  ) {}

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
      const session = new ApplySession(o, lock, writer, live, foldRecorded(log.entries));
      session.reconcile(log.entries);
      return session;
    } catch (e) {
      lock.release();
      throw e;
    }
  }

  /** Records what interrupted runs left behind, then closes each of them with an `end`. */
  private reconcile(entries: readonly ChangelogEntry[]): void {
    const open = openRuns(entries);
    if (open.length === 0) return;
    const findings = findUnrecorded(this.recorded, this.live);
    const planId = open[open.length - 1] as string;
    const deps = this.deps(planId);
    for (const f of findings)
      record(deps, { ...findingFields(f), detail: `recovered after interrupted apply: ${f.detail}` });
    for (const id of open)
      record(this.deps(id), { op: 'end', detail: `interrupted; reconciled ${findings.length} finding(s)` });
    this.recorded = recordedWith(this.recorded, findings, this.o.now().toISOString());
    this.o.reporter.event({
      type: 'notice',
      message: `reconciled an interrupted apply: recorded ${findings.length} change(s) it left behind`,
    });
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

  plan(desired: DesiredState, settings: PlanSettings): Plan {
    return makePlan(desired, this.live, this.recorded, this.o.api.target, settings);
  }

  /** Lists again and throws StalePlanError if anything the plan relies on changed. */
  async checkFresh(plan: Plan): Promise<void> {
    this.live = await listLive(this.o.api, true);
    const reasons = staleReasons(plan, this.live, this.o.api.target);
    if (reasons.length > 0) throw new StalePlanError(reasons);
  }

  apply(plan: Plan, parallelism: number): Promise<ApplyResult> {
    return applyPlan(this.deps(plan.plan_id), plan, this.live, parallelism);
  }

  close(): void {
    this.writer.close();
    this.lock.release();
  }
}
