// The planner's per-name decisions (DESIGN §6): what one name's desired and live environments call for.

import { type DiffSide, diffEnvironment, wideningOf } from '../domain/diff.js';
import { retiredBaseName } from '../domain/naming.js';
import {
  isMine,
  LEGACY_OWNER,
  liveHash,
  type Owner,
  ownerLabel,
  ownershipOf,
  taggedHash,
} from '../domain/ownership.js';
import { normalizeConfig, shortHash } from '../hash/config-hash.js';
import {
  type BlockedItem,
  type ConfigHash,
  type DesiredEnvironment,
  type DesiredPayload,
  type DriftInfo,
  type EnvReferences,
  type FieldChange,
  HASH_KEY,
  isReservedKey,
  type LiveEnvironment,
  MANAGED_KEY,
  type PlanAction,
  type PlanNote,
  type PlanOptions,
  type RecordedEnvironment,
  type UnreadableItem,
} from '../model.js';
import { escapeText } from '../text/escape.js';
import type { Claim } from './match.js';

/** What the per-name decisions share while one plan is built. */
export interface PlanContext {
  options: PlanOptions;
  /** This project, and the env IDs its changelog vouches for. */
  owner: Owner;
  actions: PlanAction[];
  blocked: BlockedItem[];
  notes: PlanNote[];
  /**
   * Whether a rename of `env` to `name` can happen: every other environment that holds the name (or one the
   * API may hold to be the same) moves away in this plan or is this project's to archive. Returns the first
   * one that stays, or null.
   */
  nameHolder(name: string, env: LiveEnvironment): LiveEnvironment | null;
  /** A free `<name>~<hash8>` name for an environment to move to; never hands out the same name twice. */
  retire(name: string, hash: ConfigHash): string;
  /** Takes the changelog's most recent current-but-missing environment of this name, if any. */
  claimMissing(name: string): RecordedEnvironment | undefined;
  /** What the changelog last recorded for an env ID. */
  recordedOf(envId: string): RecordedEnvironment | undefined;
  /** The drift a recorded environment that is archived or gone is shown with. */
  missingDrift(r: RecordedEnvironment): DriftInfo;
}

function adoptHint(name: string): string {
  return `\`envsync plan --adopt\` takes it over with your file (\`envsync export --only-unmanaged --name ${name} --out review\` shows what it holds now), or rename one of them`;
}

function payloadOf(d: DesiredEnvironment): DesiredPayload {
  return {
    name: d.name,
    description: d.description,
    metadata: d.metadata,
    config: d.config,
    config_hash: d.config_hash,
    scope: d.scope,
    source: `${d.source.file}:${d.source.line}`,
    lifecycle: d.lifecycle,
    ...(d.provenance ? { provenance: d.provenance } : {}),
  };
}

/**
 * A change of prevent_archive since the changelog last recorded the file. It changes nothing live, but it
 * must be recorded: the recorded flag is what still guards the environment once its file is gone.
 */
function lifecycleChange(ctx: PlanContext, d: DesiredEnvironment, env: LiveEnvironment): FieldChange[] {
  const before = ctx.recordedOf(env.id)?.prevent_archive ?? false;
  const after = d.lifecycle.prevent_archive;
  return before === after ? [] : [{ op: 'set', path: 'lifecycle.prevent_archive', before, after }];
}

/** What a plan compares of a desired environment. */
export function desiredSide(d: DesiredEnvironment): DiffSide {
  return { description: d.description, metadata: d.metadata, scope: d.scope, config: d.config };
}

/** What a plan compares of a live environment, as the API answered it. */
export function liveSide(env: LiveEnvironment): DiffSide {
  return {
    description: env.description,
    metadata: env.metadata,
    scope: env.scope ?? null,
    config: normalizeConfig(env.config),
  };
}

/** Drift: the live config is not the one envsync last tagged (someone changed it, or removed the tag). */
function driftOf(env: LiveEnvironment, observed: ConfigHash, desired: ConfigHash | null): DriftInfo | null {
  const tagged = taggedHash(env);
  const untagged = !env.metadata[MANAGED_KEY];
  if (tagged === observed && !untagged) return null;
  const what = untagged
    ? `the ownership tags were removed outside envsync (this changelog records ${env.id})${desired === null ? '' : '; the update puts them back'}`
    : tagged === null
      ? `the ${HASH_KEY} tag is missing; the live config is ${shortHash(observed)}`
      : `live config ${shortHash(observed)} no longer matches the ${HASH_KEY} tag ${shortHash(tagged)}`;
  const note =
    !untagged && desired === observed ? '; the files already match it, so only the tag is rewritten' : '';
  return { kind: 'config_changed', detail: `${what}${note}`, observed_hash: observed, env_id: env.id };
}

export function recreateReason(env: LiveEnvironment, d: DesiredEnvironment, observed: ConfigHash) {
  if (env.config.type !== d.config.type) return 'type_change' as const;
  if (d.lifecycle.on_config_change === 'recreate' && observed !== d.config_hash) return 'lifecycle' as const;
  return null;
}

/** The live environment a desired name refers to, or null when it is ambiguous (several, not exactly one this project's). */
function pickLive(ctx: PlanContext, envs: readonly LiveEnvironment[]): LiveEnvironment | null {
  if (envs.length === 1) return envs[0] ?? null;
  const mine = envs.filter((e) => isMine(e, ctx.owner));
  return mine.length === 1 ? (mine[0] ?? null) : null;
}

/** A legacy `"true"` tag this changelog vouches for is rewritten to the project's name, shown in the plan. */
function ownerTagChange(ctx: PlanContext, env: LiveEnvironment): FieldChange[] {
  if (ownershipOf(env, ctx.owner).kind !== 'legacy') return [];
  return [{ op: 'set', path: `metadata.${MANAGED_KEY}`, before: LEGACY_OWNER, after: ctx.options.project }];
}

function planCreate(ctx: PlanContext, d: DesiredEnvironment): void {
  const gone = ctx.claimMissing(d.name);
  const drift = gone === undefined ? null : ctx.missingDrift(gone);
  ctx.actions.push({
    kind: 'create',
    name: d.name,
    changes: diffEnvironment(null, desiredSide(d)),
    widening: wideningOf(null, d.config),
    drift,
    desired: payloadOf(d),
  });
}

/** The deployments an archive would strand: every active or paused one that holds the ID. */
function referencesOf(ctx: PlanContext, envId: string): EnvReferences | null {
  return ctx.options.references
    ? (ctx.options.references.byEnv[envId] ?? { deployments: [], recent_sessions: 0 })
    : null;
}

/**
 * Blocks archiving an ID that deployments use (they would keep the archived ID, where new sessions fail),
 * unless --allow-referenced. Returns true when it blocked.
 */
function blockStranding(
  ctx: PlanContext,
  name: string,
  envId: string,
  refs: EnvReferences | null,
  what: string,
): boolean {
  if (!refs || refs.deployments.length === 0 || ctx.options.allowReferenced) return false;
  const list = refs.deployments.map((d) => `${d.name} (${d.id}, ${d.status})`).join(', ');
  ctx.blocked.push({
    rule: 'referenced',
    name,
    env_id: envId,
    message: `${what} would strand ${refs.deployments.length === 1 ? 'a deployment' : `${refs.deployments.length} deployments`} that use ${envId}: ${list}`,
    hint: what.startsWith('recreating')
      ? 'set lifecycle.repoint_deployments: true to move them to the new environment, point them elsewhere first, or pass --allow-referenced'
      : 'point those deployments at another environment (or archive them) first, or pass --allow-referenced',
  });
  return true;
}

function planRecreate(
  ctx: PlanContext,
  d: DesiredEnvironment,
  env: LiveEnvironment,
  reason: 'type_change' | 'lifecycle',
  adopted: boolean,
): void {
  const { keep_superseded, prevent_archive } = d.lifecycle;
  if (prevent_archive && !keep_superseded) {
    const why = reason === 'type_change' ? 'config.type changes' : 'on_config_change is recreate';
    ctx.blocked.push({
      rule: 'prevent_archive',
      name: d.name,
      env_id: env.id,
      message: `replacing ${d.name} would archive ${env.id} (${why}), and its file sets prevent_archive`,
      hint:
        reason === 'type_change'
          ? 'set lifecycle.keep_superseded: true to keep the old environment, or remove prevent_archive'
          : 'set lifecycle.keep_superseded: true, switch on_config_change to update, or remove prevent_archive',
    });
    return;
  }
  // A kept superseded environment still serves its deployments; an archived one strands them.
  const refs = referencesOf(ctx, env.id);
  const repoint = !keep_superseded && d.lifecycle.repoint_deployments ? (refs?.deployments ?? []) : [];
  if (
    !keep_superseded &&
    repoint.length === 0 &&
    blockStranding(ctx, d.name, env.id, refs, `recreating ${d.name}`)
  )
    return;
  const observed = liveHash(env);
  ctx.actions.push({
    kind: 'recreate',
    name: d.name,
    changes: diffEnvironment(liveSide(env), desiredSide(d)),
    widening: wideningOf(normalizeConfig(env.config), d.config),
    drift: adopted ? null : driftOf(env, observed, d.config_hash),
    env_id: env.id,
    from_hash: observed,
    reason,
    keep_superseded,
    superseded_name: ctx.retire(d.name, observed),
    adopted,
    references: refs,
    repoint,
    desired: payloadOf(d),
  });
}

/**
 * True when nothing at all differs: same config and tag, same description, scope and user metadata.
 * Exact equality only, so anything less certain still goes through the full diff. Most environments in
 * a large plan are unchanged, and this skips their diffs.
 */
function identical(env: LiveEnvironment, d: DesiredEnvironment, observed: ConfigHash): boolean {
  if (observed !== d.config_hash || taggedHash(env) !== observed || env.description !== d.description)
    return false;
  if (d.scope !== null && (env.scope ?? null) !== d.scope) return false;
  // The user's keys of the live metadata, compared in place (this runs once per environment of a plan).
  let count = 0;
  for (const k of Object.keys(env.metadata)) {
    if (isReservedKey(k)) continue;
    if (!Object.hasOwn(d.metadata, k) || env.metadata[k] !== d.metadata[k]) return false;
    count++;
  }
  return count === Object.keys(d.metadata).length;
}

/** A rename that cannot happen because something that stays holds the name: blocked, naming it. */
function blockRename(ctx: PlanContext, d: DesiredEnvironment, env: LiveEnvironment): boolean {
  if (env.name === d.name) return false;
  const holder = ctx.nameHolder(d.name, env);
  if (holder === null) return false;
  const ownership = ownershipOf(holder, ctx.owner);
  ctx.blocked.push({
    rule: ownership.kind === 'foreign' ? 'foreign_owner' : 'unmanaged_conflict',
    name: d.name,
    env_id: holder.id,
    message: `${d.name} is ${env.id}, now named ${env.name}; it cannot take its name back: ${holder.id} (${holder.name}) holds it and is ${ownership.kind === 'foreign' ? ownerLabel(ownership.owner) : 'not made by envsync'}'s`,
    hint: `rename ${holder.id} by hand, or choose another name in ${d.source.file}`,
  });
  return true;
}

function planManaged(ctx: PlanContext, d: DesiredEnvironment, env: LiveEnvironment): void {
  if (blockRename(ctx, d, env)) return;
  const observed = liveHash(env);
  // A rename (previous_names, a console rename, a parked name): same ID, renamed in place.
  const renamedFrom = env.name === d.name ? null : env.name;
  const rename: FieldChange[] =
    renamedFrom === null ? [] : [{ op: 'set', path: 'name', before: renamedFrom, after: d.name }];
  const lifecycle = [...rename, ...lifecycleChange(ctx, d, env), ...ownerTagChange(ctx, env)];
  if (lifecycle.length === 0 && identical(env, d, observed)) {
    ctx.actions.push({
      kind: 'noop',
      name: d.name,
      changes: [],
      widening: [],
      drift: null,
      env_id: env.id,
      from_hash: observed,
    });
    return;
  }
  const reason = recreateReason(env, d, observed);
  if (reason !== null) {
    planRecreate(ctx, d, env, reason, false);
    return;
  }
  const live = liveSide(env);
  const common = {
    name: d.name,
    changes: [...diffEnvironment(live, desiredSide(d)), ...lifecycle],
    widening: wideningOf(live.config, d.config),
    drift: driftOf(env, observed, d.config_hash),
    env_id: env.id,
    from_hash: observed,
  };
  if (common.changes.length === 0 && common.drift === null) {
    ctx.actions.push({ kind: 'noop', ...common });
    return;
  }
  ctx.actions.push({ kind: 'update', ...common, renamed_from: renamedFrom, desired: payloadOf(d) });
}

function planAdopt(ctx: PlanContext, d: DesiredEnvironment, env: LiveEnvironment): void {
  if (blockRename(ctx, d, env)) return;
  ctx.notes.push({
    name: d.name,
    env_id: env.id,
    message: `${env.id} carries no envsync tag; if its tags were stripped, another project's changelog may still record it: ask before adopting (that project's \`envsync verify --live\` reports it as taken)`,
  });
  const observed = liveHash(env);
  const reason = recreateReason(env, d, observed);
  if (reason !== null) {
    planRecreate(ctx, d, env, reason, true);
    return;
  }
  ctx.actions.push({
    kind: 'adopt',
    name: d.name,
    changes: diffEnvironment(liveSide(env), desiredSide(d)),
    widening: wideningOf(normalizeConfig(env.config), d.config),
    drift: null,
    env_id: env.id,
    from_hash: observed,
    desired: payloadOf(d),
  });
}

/** What holds a desired name by similarity only, in words for a message. */
function similarity(d: DesiredEnvironment, env: LiveEnvironment): string {
  return env.name === d.name
    ? ''
    : ` (named ${JSON.stringify(escapeText(env.name))}, which the API may hold to be the same name: it differs only by case, Unicode form or an invisible character)`;
}

/**
 * A desired environment this changelog records an ID for: it is that environment, whatever its name or tags
 * say now. A name changed outside envsync is renamed back in place; stripped tags are restored; another
 * project's tag on it is never overridden.
 */
export function planIdentity(ctx: PlanContext, d: DesiredEnvironment, env: LiveEnvironment): void {
  const ownership = ownershipOf(env, ctx.owner);
  if (ownership.kind === 'foreign') {
    ctx.blocked.push({
      rule: 'foreign_owner',
      name: d.name,
      env_id: env.id,
      message: `${d.name} (${env.id}) is recorded in this changelog, but ${ownerLabel(ownership.owner)} has since tagged it as its own`,
      hint: `agree with ${ownerLabel(ownership.owner)} which project keeps ${env.id}; the other removes it from its files (\`envsync forget\`) or renames its file`,
    });
    return;
  }
  planManaged(ctx, d, env);
}

/** A desired name no recorded ID speaks for: create it, or bring what holds its name in line (or block when that is not safe). */
export function planDesired(
  ctx: PlanContext,
  d: DesiredEnvironment,
  envs: readonly LiveEnvironment[],
  similar: boolean,
): void {
  if (envs.length === 0) {
    planCreate(ctx, d);
    return;
  }
  const env = pickLive(ctx, envs);
  if (env === null) {
    const mine = envs.filter((e) => isMine(e, ctx.owner)).length;
    ctx.blocked.push({
      rule: 'unmanaged_conflict',
      name: d.name,
      env_id: null,
      message: `${envs.length} live environments are named ${d.name} (${envs.map((e) => (e.name === d.name ? e.id : `${e.id} ${JSON.stringify(escapeText(e.name))}`)).join(', ')}), ${mine} of them this project's`,
      hint: 'rename or archive all but one of them by hand; envsync cannot tell which one the file means',
    });
    return;
  }
  const ownership = ownershipOf(env, ctx.owner);
  if (ownership.kind === 'mine' || ownership.kind === 'legacy' || ownership.kind === 'stripped')
    planManaged(ctx, d, env);
  else if (ownership.kind === 'foreign') {
    // Never another project's, whatever the flags: --adopt only takes environments nobody manages.
    ctx.blocked.push({
      rule: 'foreign_owner',
      name: d.name,
      env_id: env.id,
      message: `${d.name} (${env.id})${similar ? similarity(d, env) : ''} belongs to ${ownerLabel(ownership.owner)}, not to project "${ctx.options.project}"`,
      hint: `choose another name in ${d.source.file}, or have ${ownerLabel(ownership.owner)} remove it from its files first`,
    });
  } else if (ctx.options.adopt) planAdopt(ctx, d, env);
  else {
    ctx.blocked.push({
      rule: 'unmanaged_conflict',
      name: d.name,
      env_id: env.id,
      message: `a live environment named ${d.name} (${env.id})${similar ? similarity(d, env) : ''} was not made by envsync`,
      hint: adoptHint(d.name),
    });
  }
}

/** The live IDs a claim says a file means. */
function claimedIds(claim: Claim | undefined): string[] {
  if (claim === undefined) return [];
  if (claim.by === 'identity') return [claim.env.id];
  if (claim.by === 'name') return claim.envs.map((e) => e.id);
  return claim.item.id === null ? [] : [claim.item.id];
}

/**
 * A file, or the ID it means, that a claude-lock.json still tracks is ant apply's: changing it here would
 * fight ant (each tool undoing the other's edits). Blocked, naming the lock and the ID, with the import that
 * hands it over as the way out. Returns true when it blocked.
 */
export function blockManagedByAnt(
  ctx: PlanContext,
  d: DesiredEnvironment,
  claim: Claim | undefined,
): boolean {
  const ids = claimedIds(claim);
  const tracked = ctx.options.antTracked.find((t) => t.file === d.source.file || ids.includes(t.env_id));
  if (tracked === undefined) return false;
  ctx.blocked.push({
    rule: 'managed_by_ant',
    name: d.name,
    env_id: tracked.env_id,
    message: `${d.name} is managed by ant apply: ${tracked.lock} tracks ${tracked.env_id} as ${tracked.key}`,
    hint: `take it over with the same ID: \`envsync import --from-ant ${tracked.lock}\` shows the adoption, \`envsync import --from-ant ${tracked.lock} --apply --hand-over\` makes it and removes the entry from the lock`,
  });
  return true;
}

/** A file whose environment cannot be read: nothing is planned for it, and the field and request are named. */
export function blockUnreadable(ctx: PlanContext, name: string, item: UnreadableItem, why: string): void {
  ctx.blocked.push({
    rule: 'unreadable_live',
    name,
    env_id: item.id,
    message: `${why} ${item.id ?? '(no readable ID)'}${item.name === null ? '' : ` (${JSON.stringify(escapeText(item.name))})`}, which envsync cannot read: ${item.field}: ${item.problem}${item.request_id ? ` (request ${item.request_id})` : ''}`,
    hint: 'envsync plans nothing from what it cannot read: upgrade envsync if the API has a new kind of environment, or fix the environment in the console',
  });
}

/**
 * A live environment no file means: this project's is archived, except a superseded one (`<name>~<hash8>`)
 * whose base file keeps it (keep_superseded) or forbids archiving (prevent_archive). Unmanaged environments
 * and other projects' are never touched.
 */
export function planUndesired(
  ctx: PlanContext,
  env: LiveEnvironment,
  desiredByName: ReadonlyMap<string, DesiredEnvironment>,
): void {
  const name = env.name;
  const base = retiredBaseName(name);
  const owner = base === null ? undefined : desiredByName.get(base);
  if (owner !== undefined && (owner.lifecycle.keep_superseded || owner.lifecycle.prevent_archive)) return;
  const ownership = ownershipOf(env, ctx.owner);
  if (ownership.kind === 'foreign' && ctx.recordedOf(env.id) !== undefined) {
    ctx.notes.push({
      name,
      env_id: env.id,
      message: `${env.id} is recorded in this changelog but now tagged by ${ownerLabel(ownership.owner)}: never touched`,
    });
    return;
  }
  // Only this project's: unmanaged and other projects' environments are never archived.
  if (!isMine(env, ctx.owner)) return;
  if (ctx.recordedOf(env.id)?.prevent_archive) {
    ctx.blocked.push({
      rule: 'prevent_archive',
      name,
      env_id: env.id,
      message: `${name} (${env.id}) is no longer in any file, but its file last applied prevent_archive: true`,
      hint: 'to archive it: put the file back with prevent_archive: false, apply, then remove the file; to keep it, restore the file',
    });
    return;
  }
  const refs = referencesOf(ctx, env.id);
  if (blockStranding(ctx, name, env.id, refs, `archiving ${name}`)) return;
  const observed = liveHash(env);
  const archivedName = base === null ? ctx.retire(name, observed) : name;
  ctx.actions.push({
    kind: 'archive',
    name,
    changes: archivedName === name ? [] : [{ op: 'set', path: 'name', before: name, after: archivedName }],
    widening: [],
    drift: driftOf(env, observed, null),
    env_id: env.id,
    from_hash: observed,
    archived_name: archivedName,
    references: refs,
  });
}
