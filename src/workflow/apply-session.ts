// An apply in progress: the lock, the mended files, what the changelog knows, and the one run file it writes.

import { Halt } from '../apply/answers.js';
import { type ApplyDeps, gatedApi, record } from '../apply/context.js';
import { type ApplyResult, applyPlan } from '../apply/execute.js';
import { findingFields } from '../apply/reconcile.js';
import type { ChangelogState } from '../changelog/cache.js';
import { acquireLockWithin, type Lock, reportedLockWait, takeoverWarning } from '../changelog/lock.js';
import { type PreviewRun, previewBeginDetail } from '../changelog/preview-runs.js';
import { repairFile } from '../changelog/repair.js';
import { type ChangelogLocation, changelogLocation } from '../changelog/store.js';
import { RunWriter, runFileName } from '../changelog/writer.js';
import type { LiveEnvironment, LiveList, LiveView, Plan, Reporter } from '../model.js';
import { listLive } from './live.js';
import { mainLiveView, splitPreviews } from './preview-live.js';
import { behindError, compareWithLive, type Known, readState } from './recorded.js';
import type { RunSetup } from './run-setup.js';

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

export interface ApplyOptions extends RunSetup {
  parallelism: number;
  /** The first Ctrl-C: no new action starts; what runs finishes and is recorded, the run is closed. */
  interrupt?: AbortSignal;
  /** Why each adopted env ID is adopted, recorded as its `adopt` entry's detail (`import --from-ant`). */
  adoptDetails?: Readonly<Record<string, string>>;
  host: ApplyHost;
}

/** Sets aside torn tails and restores lost newlines, under the lock, before the run reads the state. */
function mend(state: ChangelogState, reporter: Reporter): boolean {
  for (const r of state.repairs) {
    const done = repairFile(r);
    reporter.event({
      type: 'warning',
      message: done.keptAside
        ? `the changelog's last line was cut short by a crash; kept it aside in ${done.keptAside}`
        : `${r.file} lacked its final newline; added it (the entry is kept)`,
    });
  }
  return state.repairs.length > 0;
}

/**
 * What makes a session a preview run (DESIGN §14): the previews it may touch, how its `begin` is marked, the
 * tags it writes, and a step before the plan's actions (extending the expiry of previews left as they are).
 * A preview run knows nothing of the main history: no findings, no "behind", nothing folded.
 */
export interface PreviewScope {
  /** What the run's `begin` says it is: the preview action and IDs, with the plan's counts. */
  run(plan: Plan): PreviewRun;
  /** The live view the plan sees, from the one list: this project's previews apart from the main side. */
  view(list: LiveList, previews: readonly LiveEnvironment[]): LiveView;
  tags: Record<string, string>;
  beforeActions(deps: ApplyDeps, plan: Plan): Promise<void>;
}

/**
 * Holds the changelog lock and the live view it saw. Private to the workflow: applyChanges drives it, and
 * the preview commands with a PreviewScope. Refuses to open (for an apply) when the changelog is behind the
 * live environments: another apply did what it never recorded, and planning from it would undo that.
 */
export class ApplySession {
  private writer: RunWriter | undefined;
  /** When the run file was started: its name and its begin carry this one time. */
  private startedAt: Date | undefined;
  private readonly halt = new Halt();
  private recordedFindings = false;

  private constructor(
    private readonly o: ApplyOptions,
    private readonly location: ChangelogLocation,
    private readonly lock: Lock,
    readonly live: LiveView,
    readonly known: Known,
    private readonly mended: boolean,
    /** This project's preview copies, set aside from `live`: never planned here, but their names are taken. */
    readonly previews: LiveEnvironment[],
    private readonly scope?: PreviewScope,
  ) {}

  static async open(o: ApplyOptions, scope?: PreviewScope): Promise<ApplySession> {
    const location = changelogLocation(o.changelogPath);
    const lock = await acquireLockWithin(location.dir, reportedLockWait(o.lockTimeoutMs, o.reporter));
    try {
      const takeover = takeoverWarning(lock);
      if (takeover) o.reporter.event({ type: 'warning', message: takeover });
      let state = readState(location, o.reporter);
      const mended = mend(state, o.reporter);
      if (mended) state = readState(location, { event() {} });
      if (scope) {
        const list = await listLive(o.api);
        const { previews } = splitPreviews(list, o.project, state.recorded);
        const known = { state, findings: [], behind: [], recorded: [], interrupted: false, outside: [] };
        return new ApplySession(
          o,
          location,
          lock,
          scope.view(list, previews),
          known,
          mended,
          previews,
          scope,
        );
      }
      const { view: live, previews } = await mainLiveView(o.api, state.recorded, o.project);
      const known = compareWithLive(state, o.project, live, 'all', o.now().toISOString());
      if (known.behind.length > 0) throw behindError(known.behind);
      if (o.identity.git_dirty) {
        o.reporter.event({
          type: 'warning',
          message: `the environment files differ from commit ${o.identity.git_commit?.slice(0, 7) ?? '(none)'}: what this apply records is in no commit; commit first`,
        });
      }
      return new ApplySession(o, location, lock, live, known, mended, previews);
    } catch (e) {
      lock.release();
      throw e;
    }
  }

  private deps(planId: string): ApplyDeps {
    const known = new Set(this.known.recorded.map((r) => r.env_id));
    if (this.writer === undefined) {
      const at = this.o.now();
      this.startedAt = at;
      this.writer = new RunWriter(this.location.dir, runFileName(at, planId), () => this.lock.check());
    }
    return {
      api: gatedApi(this.o.api, this.writer, this.halt),
      owner: { project: this.o.project, recorded: (id) => known.has(id) },
      writer: this.writer,
      halt: this.halt,
      knownIds: new Set([...known, ...this.live.envs.map((e) => e.id), ...this.previews.map((e) => e.id)]),
      adoptDetails: this.o.adoptDetails ?? {},
      reporter: this.o.reporter,
      identity: { ...this.o.identity, plan_id: planId },
      parents: this.known.state.parents,
      now: this.o.now,
      ...(this.scope ? { tags: this.scope.tags } : {}),
    };
  }

  /** `begin`, then what live showed that the changelog did not know, each dated when it happened. */
  private begin(deps: ApplyDeps, detail: string): void {
    if (this.recordedFindings) return;
    this.recordedFindings = true;
    record(deps, { op: 'begin', at: (this.startedAt ?? this.o.now()).toISOString(), detail });
    const found = `found ${this.o.now().toISOString()} by ${this.o.identity.actor}`;
    const why = this.known.interrupted ? 'after an interrupted apply' : 'not made by envsync';
    for (const f of this.known.findings)
      record(deps, { ...findingFields(f), detail: `${found} (${why}): ${f.detail}` });
    if (this.known.findings.length > 0) {
      this.o.reporter.event({
        type: 'notice',
        message: `recorded ${this.known.findings.length} change(s) the changelog did not know yet: ${this.known.findings.map((f) => `${f.op} ${findingFields(f).name}`).join(', ')}`,
      });
    }
  }

  /**
   * A run that changes nothing still records what it found, closes an interrupted run, or follows a
   * mended file; with none of these it writes no file at all.
   */
  recordFindings(planId: string): void {
    if (this.known.findings.length === 0 && !this.known.interrupted && !this.mended) return;
    const deps = this.deps(planId);
    this.begin(deps, JSON.stringify({ recorded: this.known.findings.length }));
    record(deps, {
      op: 'end',
      detail: JSON.stringify({ reconciled: this.known.findings.length, uncertain: [] }),
    });
  }

  apply(plan: Plan, parallelism: number, interrupt?: AbortSignal): Promise<ApplyResult> {
    const deps = this.deps(plan.plan_id);
    const scope = this.scope;
    if (scope === undefined) {
      this.begin(deps, JSON.stringify(plan.summary));
      return applyPlan(deps, plan, this.live.envs, parallelism, interrupt);
    }
    this.begin(deps, previewBeginDetail(scope.run(plan), plan.summary));
    return scope
      .beforeActions(deps, plan)
      .then(() => applyPlan(deps, plan, this.live.envs, parallelism, interrupt));
  }

  close(): void {
    this.writer?.close();
    this.lock.release();
  }
}
