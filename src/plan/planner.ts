// The pure planner: desired files × live environments × changelog → a Plan (DESIGN §6). No I/O, no clock.

import { retirer } from '../domain/naming.js';
import { liveHash } from '../domain/ownership.js';
import { EnvsyncError } from '../errors.js';
import { shortHash } from '../hash/config-hash.js';
import type {
  ActionKind,
  BlockedItem,
  DesiredEnvironment,
  DriftInfo,
  LiveEnvironment,
  LiveFingerprint,
  Plan,
  PlanAction,
  PlanOptions,
  RecordedEnvironment,
} from '../model.js';
import { compareNatural as compare, compareCodeUnits as compareIds, groupBy } from '../util/order.js';
import { type PlanContext, planDesired, planUndesired } from './decide.js';
import { planRenames } from './renames.js';
import { summarize } from './summary.js';

export { planExitCode, planHasChanges, summaryLine } from './summary.js';

const KIND_ORDER: readonly ActionKind[] = ['create', 'adopt', 'update', 'recreate', 'archive', 'noop'];

const byName = <T extends { name: string }>(items: readonly T[]): Map<string, T[]> =>
  groupBy(items, (item) => item.name);

/** Recorded-as-current environments the API no longer lists, newest first per name. */
function missingPool(recorded: readonly RecordedEnvironment[], liveIds: ReadonlySet<string>) {
  const gone = recorded
    .filter((r) => !r.archived && !liveIds.has(r.env_id))
    .sort((a, b) => compareIds(b.at, a.at) || compareIds(a.env_id, b.env_id));
  const pool = byName(gone);
  return {
    claim: (name: string) => pool.get(name)?.shift(),
    rest: () => [...pool.values()].flat(),
  };
}

function archives(actions: readonly PlanAction[]): number {
  return actions.filter((a) => a.kind === 'archive' || (a.kind === 'recreate' && !a.keep_superseded)).length;
}

function maxArchiveBlock(count: number, max: number): BlockedItem {
  return {
    rule: 'max_archive',
    name: null,
    env_id: null,
    message: `the plan archives ${count} environments, more than --max-archive ${max} allows`,
    hint: `review the archive and recreate actions, then run again with --max-archive ${count}`,
  };
}

function sortActions(actions: PlanAction[]): PlanAction[] {
  const id = (a: PlanAction) => (a.kind === 'create' ? '' : a.env_id);
  return actions.sort(
    (a, b) =>
      compare(a.name, b.name) ||
      KIND_ORDER.indexOf(a.kind) - KIND_ORDER.indexOf(b.kind) ||
      compareIds(id(a), id(b)),
  );
}

function fingerprints(actions: readonly PlanAction[], live: readonly LiveEnvironment[]): LiveFingerprint[] {
  const byId = new Map(live.map((env) => [env.id, env]));
  const out: LiveFingerprint[] = [];
  for (const action of actions) {
    if (action.kind === 'create') continue;
    const env = byId.get(action.env_id);
    if (env === undefined) continue;
    out.push({ id: env.id, name: env.name, updated_at: env.updated_at, config_hash: liveHash(env) });
  }
  return out.sort((a, b) => compare(a.name, b.name) || compareIds(a.id, b.id));
}

/** Every name apply expects to be free: the names it creates and the names it renames environments to. */
function absentNames(actions: readonly PlanAction[]): string[] {
  const names = new Set<string>();
  // A rename's target is expected free unless another rename in this plan frees it (a swap).
  const renamedAway = new Set(
    actions.flatMap((a) => (a.kind === 'update' && a.renamed_from !== null ? [a.renamed_from] : [])),
  );
  for (const action of actions) {
    if (action.kind === 'create') names.add(action.name);
    if (action.kind === 'update' && action.renamed_from !== null && !renamedAway.has(action.name))
      names.add(action.name);
    if (action.kind === 'recreate') names.add(action.superseded_name);
    if (action.kind === 'archive' && action.archived_name !== action.name) names.add(action.archived_name);
  }
  return [...names].sort(compare);
}

/**
 * Plans the changes that bring `live` (one list call, archived environments included) in line with
 * `desired`, using `recorded` (the changelog's current view) to find environments that vanished.
 * `files` is left empty: the caller, which read the files, fills it in.
 */
export function planChanges(
  desired: readonly DesiredEnvironment[],
  listed: readonly LiveEnvironment[],
  recorded: readonly RecordedEnvironment[],
  options: PlanOptions,
): Plan {
  const desiredByName = new Map<string, DesiredEnvironment>();
  for (const d of desired) {
    if (desiredByName.has(d.name))
      throw new EnvsyncError('duplicate_name', `two desired environments are named ${d.name}`, {
        hint: 'run `envsync validate` to see both places',
        location: d.source,
      });
    desiredByName.set(d.name, d);
  }
  // Archived environments are listed only for their names, which the API may still reserve.
  const live = listed.filter((env) => !env.archived_at);
  const liveByName = byName(live);
  const targets = [...new Set(options.targets)].sort(compare);
  const wanted = (name: string) => targets.length === 0 || targets.includes(name);
  const missing = missingPool(recorded, new Set(live.map((env) => env.id)));
  const recordedById = new Map(recorded.map((r) => [r.env_id, r]));
  const ctx: PlanContext = {
    options,
    owner: { project: options.project, recorded: (envId) => recordedById.has(envId) },
    actions: [],
    blocked: [],
    // Every name an environment holds, archived ones included, plus recorded names: the plan fixes the
    // retired name and apply uses exactly it.
    retire: retirer(new Set([...listed.map((e) => e.name), ...recorded.map((r) => r.name)])),
    claimMissing: missing.claim,
    recordedOf: (envId) => recordedById.get(envId),
  };

  const renames = planRenames(
    // Over every file, not only the targeted ones: what a rename takes over must never be archived.
    [...desiredByName.values()],
    liveByName,
    ctx.owner,
    (envId) => recordedById.get(envId)?.previous_names ?? [],
  );
  ctx.blocked.push(...renames.blocked);
  const names = [...new Set([...desiredByName.keys(), ...liveByName.keys()])].sort(compare);
  for (const name of names) {
    if (!wanted(name)) continue;
    const d = desiredByName.get(name);
    // What moves away from a name is not under it any more; what is renamed to a name is.
    const staying = (liveByName.get(name) ?? []).filter((e) => !renames.moving.has(e.id));
    const arriving = renames.byTarget.get(name);
    const envs = [...staying, ...(arriving ? [arriving] : [])].sort((a, b) => compareIds(a.id, b.id));
    if (d !== undefined) planDesired(ctx, d, envs);
    else planUndesired(ctx, name, envs, desiredByName);
  }

  const drift: Array<DriftInfo & { name: string }> = missing
    .rest()
    .filter((r) => wanted(r.name))
    .sort((a, b) => compare(a.name, b.name) || compareIds(a.env_id, b.env_id))
    .map((r) => ({
      name: r.name,
      kind: 'missing',
      detail: `${r.env_id} (${shortHash(r.config_hash)}) is current in the changelog but gone from the API`,
      observed_hash: r.config_hash,
      env_id: r.env_id,
    }));

  const count = archives(ctx.actions);
  if (count > options.maxArchive) ctx.blocked.push(maxArchiveBlock(count, options.maxArchive));
  const actions = sortActions(ctx.actions);

  return {
    format_version: 1,
    plan_id: options.planId,
    created_at: options.createdAt,
    target: options.target,
    project: options.project,
    workspace: options.workspace,
    options: {
      adopt: options.adopt,
      max_archive: options.maxArchive,
      allow_referenced: options.allowReferenced,
      targets,
    },
    references_since: options.references?.sessions_since ?? null,
    summary: summarize(actions, ctx.blocked, drift),
    actions,
    blocked: ctx.blocked,
    drift,
    live: fingerprints(actions, live),
    absent: absentNames(actions),
    files: [],
  };
}
