// The library behind `preview up`, `preview down` and `preview gc` (DESIGN §14): copies named `<name>--<ID>`,
// planned by the same planner against that ID's previews only, applied through the same safe path (lock, rate
// limiter, checked answers, the changelog) as preview runs. Nothing but this project's previews is ever touched.

import { randomUUID } from 'node:crypto';
import type { ApplyResult } from '../apply/execute.js';
import { type Extended, extendExpiry } from '../apply/preview-expiry.js';
import type { PreviewRun } from '../changelog/preview-runs.js';
import { changelogLocation } from '../changelog/store.js';
import { nameKey } from '../domain/naming.js';
import { ownerLabel } from '../domain/ownership.js';
import {
  assertPreviewable,
  checkPreviewId,
  isExpired,
  PREVIEW_SEPARATOR,
  type PreviewInfo,
  previewCopies,
  previewOf,
  previewTags,
} from '../domain/preview.js';
import {
  EXPIRES_KEY,
  HASH_KEY,
  type LiveEnvironment,
  type LiveList,
  type LiveView,
  MANAGED_KEY,
  type NoopAction,
  type Plan,
  type PlanAction,
  type Reporter,
} from '../model.js';
import { planHasChanges } from '../plan/planner.js';
import { compareNatural } from '../util/order.js';
import type { ApplyOptions } from './apply.js';
import { ApplySession, type PreviewScope } from './apply-session.js';
import { listLive } from './live.js';
import { type DesiredState, makePlan, type PlanSettings } from './plan.js';
import { PreviewConflictError, splitPreviews } from './preview-live.js';
import { readState } from './recorded.js';

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

/** One preview copy, as the table `preview up` prints shows it (and as `--format json` carries it). */
export interface PreviewEnvironment {
  /** The environment's name in the files (the copy's name without `--<ID>`). */
  name: string;
  preview_id: string;
  preview_name: string;
  /** null for a copy a dry run would create, or whose create failed. */
  env_id: string | null;
  config_hash: string | null;
  /** When `preview gc` may archive it (RFC 3339), or null when its tag is missing or unreadable. */
  expires: string | null;
  /** What this run did (or, with --dry-run, would do) to it; `failed` when its action failed. */
  action: PlanAction['kind'] | 'extended' | 'failed';
}

export interface PreviewOutcome {
  status: 'blocked' | 'dry_run' | 'unchanged' | 'applied';
  plan: Plan;
  /** The apply's result; null unless applied. */
  result: ApplyResult | null;
  /** up: the expiries moved on previews left as they were. */
  extended: Extended | null;
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

const NONE: DesiredState = { environments: [], diagnostics: [], files: [] };

/** The copy's name in the files: its name without a retired `~hash8` and without `--<ID>`. */
function baseOf(previewName: string, id: string): string {
  const name = previewName.replace(/~[0-9a-f]{8}(?:-\d+)?$/, '');
  const suffix = `${PREVIEW_SEPARATOR}${id}`;
  return name.endsWith(suffix) ? name.slice(0, -suffix.length) : name;
}

function rowOf(env: LiveEnvironment, action: PreviewEnvironment['action']): PreviewEnvironment {
  const info = previewOf(env.metadata);
  const id = info?.id ?? '';
  return {
    name: baseOf(env.name, id),
    preview_id: id,
    preview_name: env.name,
    env_id: env.id,
    config_hash: env.metadata[HASH_KEY] ?? null,
    expires: info?.expires ? (env.metadata[EXPIRES_KEY] ?? null) : null,
    action,
  };
}

const byName = (a: PreviewEnvironment, b: PreviewEnvironment) =>
  compareNatural(a.preview_name, b.preview_name) || compareNatural(a.env_id ?? '', b.env_id ?? '');

/** Who holds a name, in words: an unmanaged environment, a preview of some project, or a project's environment. */
function holder(env: LiveEnvironment, project: string): string {
  const tag = env.metadata[MANAGED_KEY];
  if (tag === undefined || tag === '') return 'an environment envsync does not manage';
  const whose = tag === project ? 'this project' : ownerLabel(tag);
  const info = previewOf(env.metadata);
  return info ? `preview ${info.id} of ${whose}` : `an environment of ${whose}`;
}

/**
 * A copy's name held by anything but a preview this run may touch (another preview ID's copy, an environment
 * of this or another project, one envsync does not manage or cannot read): refused before anything is
 * planned, so a preview never takes over, updates or renames an environment that is not its own.
 */
function refuseTakenNames(spec: Spec, list: LiveList, selected: ReadonlySet<string>, project: string): void {
  const wanted = new Map(spec.desired.environments.map((d) => [nameKey(d.name), d.name]));
  if (wanted.size === 0) return;
  const clashes: string[] = [];
  for (const env of list.envs) {
    const name = wanted.get(nameKey(env.name));
    if (name === undefined || env.archived_at !== null || selected.has(env.id)) continue;
    clashes.push(`${name} is held by ${env.id}, ${holder(env, project)}`);
  }
  for (const item of list.unreadable)
    if (item.name !== null && wanted.has(nameKey(item.name)))
      clashes.push(`${item.name} is held by ${item.id ?? 'an environment'}, which envsync cannot read`);
  if (clashes.length === 0) return;
  clashes.sort(compareNatural);
  const more = clashes.length > 5 ? `; and ${clashes.length - 5} more` : '';
  throw new PreviewConflictError(
    'preview_conflict',
    `${clashes.length} preview name${clashes.length === 1 ? ' is' : 's are'} taken: ${clashes.slice(0, 5).join('; ')}${more}`,
    {
      hint: 'use another preview ID (--id), or rename what holds the name; a preview never takes over an environment',
    },
  );
}

/**
 * The live view a preview plan sees: the selected previews (archived ones too), and every other archived
 * environment for its name only (a retired `<name>--<ID>~hash8` must be free). No other active environment
 * is in it, so the plan can neither update nor archive one.
 */
function previewView(
  spec: Spec,
  list: LiveList,
  previews: readonly LiveEnvironment[],
  project: string,
): LiveView {
  const selected = previews.filter((e) => {
    const info = previewOf(e.metadata);
    return info !== null && spec.select(info);
  });
  const ids = new Set(selected.map((e) => e.id));
  refuseTakenNames(spec, list, ids, project);
  const archived = list.envs.filter((e) => e.archived_at !== null && !ids.has(e.id));
  return { envs: [...selected, ...archived], unreadable: [], gone: [] };
}

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

/** up: each planned copy as a row; with the run's result, the env ID each action left (or `failed`). */
function upRows(
  spec: Spec,
  plan: Plan,
  done: ReadonlyMap<string, string>,
  applied: Outcome,
): PreviewEnvironment[] {
  const id = spec.id ?? '';
  const failed = new Set(applied.result?.failed.map((f) => f.name) ?? []);
  const extended = new Set(applied.extended?.extended.map((e) => e.env_id) ?? []);
  const notExtended = new Set(applied.extended?.failed.map((f) => f.name) ?? []);
  return plan.actions
    .filter((a) => a.kind !== 'archive')
    .map((a): PreviewEnvironment => {
      const envId = done.get(a.name) ?? (a.kind === 'create' ? null : a.env_id);
      const broke = failed.has(a.name) || notExtended.has(a.name);
      const didNothing = applied.status === 'applied' && a.kind === 'noop' && !extended.has(a.env_id ?? '');
      return {
        name: baseOf(a.name, id),
        preview_id: id,
        preview_name: a.name,
        env_id: envId,
        config_hash: a.kind === 'noop' ? a.from_hash : a.desired.config_hash,
        // What the run wrote; a copy it could not write keeps whatever expiry it had (not shown).
        expires: broke || didNothing ? null : (spec.tags[EXPIRES_KEY] ?? null),
        action: broke ? 'failed' : a.kind === 'noop' && extended.has(a.env_id) ? 'extended' : a.kind,
      };
    })
    .sort(byName);
}

/** The archive actions of a plan as rows; those that failed are left out (the failures say why). */
function archivedRows(plan: Plan, view: LiveView, result: ApplyResult | null): PreviewEnvironment[] {
  const failed = new Set(result?.failed.map((f) => f.name) ?? []);
  const byId = new Map(view.envs.map((e) => [e.id, e]));
  return plan.actions
    .flatMap((a) => {
      const env = a.kind === 'archive' ? byId.get(a.env_id) : undefined;
      return env && !failed.has(a.name) ? [rowOf(env, 'archive')] : [];
    })
    .sort(byName);
}

type Outcome = Pick<PreviewOutcome, 'status' | 'result' | 'extended'>;

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
    planId: `plan_${randomUUID()}`,
    now: o.now(),
  };
  let all: LiveEnvironment[] = [];
  const view = (list: LiveList, previews: readonly LiveEnvironment[]) => {
    all = [...previews];
    return previewView(spec, list, previews, o.project);
  };
  // The env ID each action left (a create's new ID), as the apply reports it: no list needed afterwards.
  const done = new Map<string, string>();
  const reporter: Reporter = {
    event(e) {
      if (e.type === 'action_done') done.set(e.name, e.env_id);
      o.reporter.event(e);
    },
  };
  const finish = (plan: Plan, live: LiveView, applied: Outcome) => ({
    ...applied,
    plan,
    previews: spec.action === 'up' ? upRows(spec, plan, done, applied) : [],
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
