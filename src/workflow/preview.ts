// The library behind `preview up`, `preview down` and `preview gc` (DESIGN §14): copies named `<name>--<ID>`,
// planned by the same planner against that ID's previews only, applied through the same safe path (lock, rate
// limiter, checked answers, the changelog) as preview runs. Nothing but this project's previews is ever touched.

import { randomUUID } from 'node:crypto';
import { type Extended, extendExpiry } from '../apply/preview-expiry.js';
import type { PreviewRun } from '../changelog/preview-runs.js';
import { changelogLocation } from '../changelog/store.js';
import {
  assertPreviewable,
  checkPreviewId,
  isExpired,
  type PreviewInfo,
  previewCopies,
  previewOf,
  previewTags,
} from '../domain/preview.js';
import {
  EXPIRES_KEY,
  type LiveEnvironment,
  type LiveList,
  type LiveView,
  type NoopAction,
  type Plan,
  type Reporter,
} from '../model.js';
import { planHasChanges } from '../plan/planner.js';
import { compareNatural } from '../util/order.js';
import type { ApplyOptions } from './apply.js';
import { ApplySession, type PreviewScope } from './apply-session.js';
import { listLive } from './live.js';
import { type DesiredState, makePlan, type PlanSettings } from './plan.js';
import { previewView, splitPreviews } from './preview-live.js';
import {
  type Applied,
  archivedRows,
  byName,
  type PreviewEnvironment,
  rowOf,
  upRows,
} from './preview-rows.js';
import { readState } from './recorded.js';

export { checkPreviewId, parseTtl } from '../domain/preview.js';
export type { PreviewEnvironment } from './preview-rows.js';

/** What an apply needs to run (its lock, its changelog, its identity), less the questions: previews ask none. */
export interface PreviewOptions
  extends Pick<
    ApplyOptions,
    | 'api'
    | 'changelogPath'
    | 'reporter'
    | 'identity'
    | 'now'
    | 'project'
    | 'parallelism'
    | 'lockTimeoutMs'
    | 'interrupt'
  > {
  workspace: string | null;
  /** Archive previews that active or paused deployments still use (they are stranded). */
  allowReferenced: boolean;
  /** Plan only: no lock, no write, nothing recorded. */
  dryRun: boolean;
  /** The plan, before anything is applied: the CLI prints it. */
  planned(plan: Plan): void;
  /** Writes start: this many (the plan's changes and the expiries to extend). */
  starting(total: number): void;
}

export interface PreviewOutcome extends Applied {
  plan: Plan;
  /** up: this ID's previews after the run (a dry run: as they would be). */
  previews: PreviewEnvironment[];
  /** down, gc (and up, for copies no longer wanted): what was archived, or would be. */
  archived: PreviewEnvironment[];
  /** gc: previews of this project whose expiry cannot be read, left alone. */
  noExpiry: PreviewEnvironment[];
}

/** What selects the previews a run may touch, and the desired copies it plans for them. */
interface Spec {
  action: PreviewRun['action'];
  /** up and down: the one preview ID; gc: null (the IDs are those of the expired previews). */
  id: string | null;
  desired: DesiredState;
  select(info: PreviewInfo): boolean;
  /** Tags written on creates and updates (up); none for down and gc, which only archive. */
  tags: Record<string, string>;
}

const NONE: DesiredState = { environments: [], declared: [], diagnostics: [], files: [], antTracked: [] };

/** The preview IDs a plan touches: what its run's `begin` names. */
function idsOf(spec: Spec, plan: Plan, view: LiveView): string[] {
  if (spec.id !== null) return [spec.id];
  const byId = new Map(view.envs.map((e) => [e.id, e]));
  const ids = plan.actions.flatMap((a) => {
    const info = a.kind === 'create' ? null : previewOf(byId.get(a.env_id)?.metadata ?? {});
    return info ? [info.id] : [];
  });
  return [...new Set(ids)].sort(compareNatural);
}

/**
 * Plans a preview run and, unless a dry run, applies it as one run of the changelog, from one list of the
 * environments. Returns with the outcome every preview this project has (for gc's report).
 */
async function runPreview(
  spec: Spec,
  o: PreviewOptions,
): Promise<PreviewOutcome & { all: LiveEnvironment[] }> {
  const settings: PlanSettings = {
    project: o.project,
    workspace: o.workspace,
    adopt: false,
    // Previews are copies made to be thrown away: no cap on how many one run archives.
    maxArchive: Number.MAX_SAFE_INTEGER,
    allowReferenced: o.allowReferenced,
    targets: [],
    findings: [],
    planId: `plan_${randomUUID()}`,
    now: o.now(),
  };
  let all: LiveEnvironment[] = [];
  const view = (list: LiveList, previews: readonly LiveEnvironment[]) => {
    all = [...previews];
    return previewView(list, previews, spec.select, spec.desired.environments, o.project);
  };
  // The env ID each action left (a create's new ID), as the apply reports it: no list needed afterwards.
  const done = new Map<string, string>();
  const reporter: Reporter = {
    event(e) {
      if (e.type === 'action_done') done.set(e.name, e.env_id);
      o.reporter.event(e);
    },
  };
  const finish = (plan: Plan, live: LiveView, applied: Applied) => ({
    ...applied,
    plan,
    previews:
      spec.action === 'up' ? upRows(spec.id ?? '', spec.tags[EXPIRES_KEY] ?? null, plan, done, applied) : [],
    archived: archivedRows(plan, live, applied.result),
    noExpiry: [],
    all,
  });
  const plan = (live: LiveView) => makePlan(o.api, spec.desired, live, [], [], settings);

  if (o.dryRun) {
    // As a run would see them, without its lock: an ID the main changelog records is never a preview.
    const { recorded } = readState(changelogLocation(o.changelogPath), o.reporter);
    const list = await listLive(o.api);
    const live = view(list, splitPreviews(list, o.project, recorded).previews);
    const p = await plan(live);
    o.planned(p);
    return finish(p, live, {
      status: p.blocked.length > 0 ? 'blocked' : 'dry_run',
      result: null,
      extended: null,
    });
  }

  let extended: Extended | null = null;
  const scope: PreviewScope = {
    run: (p) => ({ action: spec.action, ids: idsOf(spec, p, session.live) }),
    view,
    tags: spec.tags,
    beforeActions: async (deps, p) => {
      const noops = p.actions.filter((a): a is NoopAction => a.kind === 'noop');
      if (spec.action !== 'up' || noops.length === 0) return;
      const seen = new Map(p.live.map((l) => [l.id, l]));
      extended = await extendExpiry(deps, noops, seen, o.parallelism, o.interrupt);
    },
  };
  const session: ApplySession = await ApplySession.open(
    { ...o, reporter, host: { planned: o.planned, confirm: 'auto' } },
    scope,
  );
  try {
    const p = await plan(session.live);
    o.planned(p);
    if (p.blocked.length > 0)
      return finish(p, session.live, { status: 'blocked', result: null, extended: null });
    const extending = spec.action === 'up' ? p.actions.filter((a) => a.kind === 'noop').length : 0;
    if (!planHasChanges(p) && extending === 0) {
      session.recordFindings(p.plan_id);
      return finish(p, session.live, { status: 'unchanged', result: null, extended: null });
    }
    o.starting(p.actions.filter((a) => a.kind !== 'noop').length + extending);
    const result = await session.apply(p, o.parallelism, o.interrupt);
    return finish(p, session.live, { status: 'applied', result, extended });
  } finally {
    session.close();
  }
}

/**
 * `preview up --id ID`: a copy of each desired environment named `<name>--<ID>`, created or updated in place,
 * tagged with the ID and an expiry `ttlMs` from now (a second `up` moves it on, also for copies it leaves as
 * they are); copies of this ID no longer desired (`--only-changed` narrowed the set) are archived. Refused up
 * front: an ID that is not valid, a copy's name past 256 characters, more metadata than leaves room for the
 * tags, a copy's name that anything but this ID's previews holds.
 */
export async function previewUp(
  desired: DesiredState,
  id: string,
  ttlMs: number,
  o: PreviewOptions,
): Promise<PreviewOutcome> {
  assertPreviewable(desired.environments, id);
  const { all: _, ...outcome } = await runPreview(
    {
      action: 'up',
      id,
      desired: { ...desired, environments: previewCopies(desired.environments, id) },
      select: (info) => info.id === id,
      tags: previewTags(id, o.now(), ttlMs),
    },
    o,
  );
  return outcome;
}

/** `preview down --id ID`: archives that ID's previews (renamed to `~hash8` first, as every archive is). */
export async function previewDown(id: string, o: PreviewOptions): Promise<PreviewOutcome> {
  checkPreviewId(id);
  const { all: _, ...outcome } = await runPreview(
    { action: 'down', id, desired: NONE, select: (info) => info.id === id, tags: {} },
    o,
  );
  return outcome;
}

/**
 * `preview gc`: from one list, every preview of this project whose `envsync_expires` has passed is archived.
 * A preview whose expiry cannot be read is never taken for expired: it is listed, for `preview down`.
 */
export async function previewGc(o: PreviewOptions): Promise<PreviewOutcome> {
  const now = o.now();
  const { all, ...outcome } = await runPreview(
    { action: 'gc', id: null, desired: NONE, select: (info) => isExpired(info, now), tags: {} },
    o,
  );
  const noExpiry = all
    .filter((e) => e.archived_at === null && previewOf(e.metadata)?.expires === null)
    .map((e) => rowOf(e, 'noop'))
    .sort(byName);
  return { ...outcome, noExpiry };
}
