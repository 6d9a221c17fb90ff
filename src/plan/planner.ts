// The pure planner: desired files × live environments × changelog → a Plan (DESIGN §6). No I/O, no clock.
// It is the only author of a plan: drift found outside it and the references it weighs come in as input.

import { nameKey, retirer } from '../domain/naming.js';
import { isMine, liveHash } from '../domain/ownership.js';
import { shortHash } from '../hash/config-hash.js';
import type {
  ActionKind,
  BlockedItem,
  DesiredEnvironment,
  DriftInfo,
  LiveEnvironment,
  LiveFingerprint,
  OutsideChange,
  Plan,
  PlanAction,
  PlanInput,
  PlanOptions,
  RecordedEnvironment,
} from '../model.js';
import { compareNatural as compare, compareCodeUnits as compareIds, groupBy } from '../util/order.js';
import {
  blockManagedByAnt,
  blockUnreadable,
  type PlanContext,
  planDesired,
  planIdentity,
  planUndesired,
  recreateReason,
} from './decide.js';
import { findingBlocks, plannedFindings } from './findings.js';
import { type Matching, matchEnvironments } from './match.js';
import { summarize } from './summary.js';

export { planExitCode, planHasChanges, summaryLine } from './summary.js';
export { type Matching, matchEnvironments };

const KIND_ORDER: readonly ActionKind[] = ['create', 'adopt', 'update', 'recreate', 'archive', 'noop'];

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

function fingerprints(
  actions: readonly PlanAction[],
  byId: ReadonlyMap<string, LiveEnvironment>,
): LiveFingerprint[] {
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

function missingDrift(r: RecordedEnvironment, live: LiveEnvironment | undefined): DriftInfo {
  const what = live?.archived_at
    ? `was archived at ${live.archived_at}, not by envsync`
    : 'is gone from the API (looked up by ID: 404)';
  return {
    kind: 'missing',
    detail: `${r.env_id} (${shortHash(r.config_hash)}) is current in the changelog but ${what}`,
    observed_hash: r.config_hash,
    env_id: r.env_id,
  };
}

/**
 * The env IDs whose archive (directly, or as a recreate's old environment) the matching leads to: what the
 * caller lists references for before planning, so the plan is made once, with them.
 */
export function retiringIds(matching: Matching): string[] {
  const ids: string[] = [];
  for (const d of matching.desired) {
    const claim = matching.claims.get(d.name);
    const env =
      claim?.by === 'identity'
        ? claim.env
        : claim?.by === 'name' && claim.envs.length === 1
          ? claim.envs[0]
          : undefined;
    if (env && !d.lifecycle.keep_superseded && recreateReason(env, d, liveHash(env)) !== null)
      ids.push(env.id);
  }
  for (const env of matching.unclaimed) if (isMine(env, matching.owner)) ids.push(env.id);
  return [...new Set(ids)].sort(compareIds);
}

/** Who holds each name among active environments, exactly and as the API may fold it, and who claims whom. */
function nameHolders(matching: Matching) {
  // Built on the first rename asked about: most plans have none, and folding every live name costs.
  let byKey: Map<string, LiveEnvironment[]> | undefined;
  let claimedBy: Map<string, string> | undefined;
  return (name: string, env: LiveEnvironment): LiveEnvironment | null => {
    if (byKey === undefined || claimedBy === undefined) {
      byKey = groupBy(matching.active, (e) => nameKey(e.name));
      claimedBy = new Map<string, string>();
      for (const [claimed, claim] of matching.claims) {
        if (claim.by === 'identity') claimedBy.set(claim.env.id, claimed);
        if (claim.by === 'name') for (const e of claim.envs) claimedBy.set(e.id, claimed);
      }
    }
    const key = nameKey(name);
    for (const holder of byKey.get(key) ?? []) {
      if (holder.id === env.id) continue;
      const to = claimedBy.get(holder.id);
      // It moves away (a swap, a rename), or it is this project's and archived (renamed away first).
      if (to !== undefined && nameKey(to) !== key) continue;
      if (to === undefined && isMine(holder, matching.owner)) continue;
      return holder;
    }
    return null;
  };
}

/**
 * `retirer` over every name an environment holds, archived ones included, plus recorded names, gathered on
 * the first retirement: a plan that retires nothing never builds the set.
 */
function lazyRetirer(matching: Matching): PlanContext['retire'] {
  let retire: PlanContext['retire'] | undefined;
  return (name, hash) => {
    retire ??= retirer(
      new Set(
        [...matching.liveById.values()]
          .map((e) => e.name)
          .concat([...matching.recordedById.values()].map((r) => r.name)),
      ),
    );
    return retire(name, hash);
  };
}

/** Plans from a matching; `planChanges` is the same in one call. */
export function planMatched(
  matching: Matching,
  outside: readonly OutsideChange[],
  options: PlanOptions,
): Plan {
  // Only an environment no file claims looks a file up by name (its base's): none, no index.
  const desiredByName: ReadonlyMap<string, DesiredEnvironment> =
    matching.unclaimed.length === 0 ? new Map() : new Map(matching.desired.map((d) => [d.name, d]));
  const targets = [...new Set(options.targets)].sort(compare);
  const targetSet = new Set(targets);
  const wanted = (name: string) => targets.length === 0 || targetSet.has(name);
  const missingByName = groupBy(matching.missing, (r) => r.name);
  const ctx: PlanContext = {
    options,
    owner: matching.owner,
    actions: [],
    blocked: [],
    notes: [],
    // Every name an environment holds, archived ones included, plus recorded names: the plan fixes the
    // retired name and apply uses exactly it.
    retire: lazyRetirer(matching),
    claimMissing: (name) => missingByName.get(name)?.shift(),
    recordedOf: (envId) => matching.recordedById.get(envId),
    nameHolder: nameHolders(matching),
    missingDrift: (r) => missingDrift(r, matching.liveById.get(r.env_id)),
  };

  for (const d of matching.desired) {
    if (!wanted(d.name)) continue;
    const claim = matching.claims.get(d.name);
    // ant apply's, by its file or the ID the file means: never updated behind ant's back.
    if (blockManagedByAnt(ctx, d, claim)) continue;
    if (claim === undefined) continue;
    if (claim.by === 'identity') planIdentity(ctx, d, claim.env);
    else if (claim.by === 'identity_unreadable')
      blockUnreadable(ctx, d.name, claim.item, `${d.name} is recorded as`);
    else if (claim.by === 'name_unreadable')
      blockUnreadable(ctx, d.name, claim.item, `the name ${d.name} is held by`);
    else planDesired(ctx, d, claim.envs, claim.similar);
  }
  for (const env of matching.unclaimed) if (wanted(env.name)) planUndesired(ctx, env, desiredByName);
  for (const item of matching.strayUnreadable) {
    const record = item.id === null ? undefined : matching.recordedById.get(item.id);
    const name = record?.name ?? item.name;
    if (name !== null && !wanted(name)) continue;
    if ((record !== undefined && !record.archived) || item.owner === options.project)
      blockUnreadable(ctx, name ?? '(unknown)', item, 'this project holds');
    else
      ctx.notes.push({
        name,
        env_id: item.id,
        message: `an environment envsync cannot read was left alone: ${item.field}: ${item.problem}`,
      });
  }

  const drift: Array<DriftInfo & { name: string }> = [...missingByName.values()]
    .flat()
    .filter((r) => wanted(r.name))
    .sort((a, b) => compare(a.name, b.name) || compareIds(a.env_id, b.env_id))
    .map((r) => ({ name: r.name, ...ctx.missingDrift(r) }));

  // Changes outside envsync the changelog found (a name, a description, metadata) mark their actions.
  const outsideById = new Map(outside.map((o) => [o.env_id, o]));
  const actions = ctx.actions.map((a): PlanAction => {
    const found = a.kind === 'create' || a.drift !== null ? undefined : outsideById.get(a.env_id);
    if (found === undefined) return a;
    return {
      ...a,
      drift: {
        kind: 'changed_outside',
        detail: found.detail,
        observed_hash: found.observed_hash,
        env_id: found.env_id,
      },
    };
  });

  const count = archives(actions);
  if (count > options.maxArchive) ctx.blocked.push(maxArchiveBlock(count, options.maxArchive));
  const findings = plannedFindings(options.findings, wanted);
  ctx.blocked.push(...findingBlocks(findings));
  sortActions(actions);

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
    notes: ctx.notes,
    drift,
    live: fingerprints(actions, matching.liveById),
    absent: absentNames(actions),
    files: [],
    findings,
  };
}

/**
 * Plans the changes that bring the live environments (one checked list, archived ones included, with the
 * recorded IDs it lacked looked up) in line with `desired`, knowing each file's environment by the ID the
 * changelog recorded for it first and by name second. `files` is left empty: the caller, which read the
 * files, fills it in.
 */
export function planChanges(input: PlanInput): Plan {
  const matching = matchEnvironments(input.desired, input.live, input.recorded, input.options.project);
  return planMatched(matching, input.outside, input.options);
}
