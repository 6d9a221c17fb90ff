// Carries out one plan action against the API and records what it did; the only place that writes environments.

import { isMine, liveHash, ownershipTags, taggedHash, userMetadata } from '../domain/ownership.js';
import { ApiError, EnvsyncError, UntrustedAnswerError } from '../errors.js';
import type {
  AdoptAction,
  ArchiveAction,
  CreateAction,
  CreateBody,
  DesiredPayload,
  LiveEnvironment,
  LiveFingerprint,
  RecreateAction,
  UpdateAction,
  UpdateBody,
} from '../model.js';
import { PREVIEW_KEY } from '../model.js';
import { believe } from './answers.js';
import { type ApplyDeps, record } from './context.js';
import { liveRecordFields } from './reconcile.js';

/** How many times a create whose outcome was unknown, and that is not found afterwards, is tried. */
const CREATE_ATTEMPTS = 3;

/** What an action did: the env ID it leaves, and whether another apply had already done it (nothing sent). */
export interface Done {
  env_id: string;
  already: boolean;
}

/** The tags a write puts on: the ownership tags, and a preview run's own. */
function tagsFor(deps: ApplyDeps, d: DesiredPayload): Record<string, string> {
  return { ...ownershipTags(deps.owner.project, d.config_hash), ...deps.tags };
}

/** The tags an answer must carry besides the ownership tags (a preview run's), for `believe`. */
function extraTags(deps: ApplyDeps): { tags?: Record<string, string> } {
  return deps.tags ? { tags: deps.tags } : {};
}

/** A found environment is of the kind this run writes: a copy of the same preview, or no preview at all. */
function sameKind(deps: ApplyDeps, env: LiveEnvironment): boolean {
  return (env.metadata[PREVIEW_KEY] ?? '') === (deps.tags?.[PREVIEW_KEY] ?? '');
}

function createBody(deps: ApplyDeps, d: DesiredPayload): CreateBody {
  return {
    name: d.name,
    description: d.description,
    metadata: { ...d.metadata, ...tagsFor(deps, d) },
    config: d.config,
    ...(d.scope ? { scope: d.scope } : {}),
  };
}

/** The metadata patch from live to desired: new values, and null for every user key to delete. */
function metadataPatch(
  deps: ApplyDeps,
  live: Record<string, string>,
  d: DesiredPayload,
): Record<string, string | null> {
  const patch: Record<string, string | null> = {};
  for (const key of Object.keys(userMetadata(live))) if (!(key in d.metadata)) patch[key] = null;
  return { ...patch, ...d.metadata, ...tagsFor(deps, d) };
}

async function findLiveByName(deps: ApplyDeps, name: string): Promise<LiveEnvironment | undefined> {
  return (await deps.api.list()).envs.find((env) => env.name === name);
}

/** A lookup by ID for confirming an answer: undefined when it cannot say (gone, or unreadable). */
async function lookUpById(deps: ApplyDeps, id: string): Promise<LiveEnvironment | undefined> {
  try {
    return await deps.api.retrieve(id);
  } catch {
    return undefined;
  }
}

/**
 * A write whose outcome is unknown: no response (connection error, timeout), a 5xx or a 429 that may have
 * come after the write landed, a 409 that may be the SDK's own retry colliding with its first attempt, or
 * an answer envsync could not believe.
 */
export function isUncertain(e: unknown): boolean {
  if (e instanceof UntrustedAnswerError) return e.code !== 'list_incomplete';
  if (!(e instanceof ApiError)) return false;
  return e.status === null || e.status === 409 || e.status === 429 || e.status >= 500;
}

/** Records an environment another apply (from the same files) already brought to what this action wants. */
function recordAlready(deps: ApplyDeps, env: LiveEnvironment, what: string, at: string): Done {
  record(deps, {
    op: 'drift',
    at,
    ...liveRecordFields(env),
    detail: `${what} by another apply at ${at}; found by ${deps.identity.actor} at ${deps.now().toISOString()}, nothing sent`,
  });
  deps.reporter.event({
    type: 'notice',
    message: `${env.name}: another apply already ${what} ${env.id} (at ${at}); recorded, nothing sent`,
  });
  return { env_id: env.id, already: true };
}

/**
 * Creates an environment (the caller records it) without ever making two. When the response is lost (connection error, 5xx, 429,
 * or a 409 after an attempt whose outcome was unknown), it looks the name up and accepts an environment
 * carrying this project's tag and this config's hash as the one it made. A 409 on the first attempt is not
 * a lost response: such an environment was made by another apply, and is recorded as that.
 */
async function createSafely(deps: ApplyDeps, d: DesiredPayload): Promise<Done> {
  const expected = {
    name: d.name,
    hash: d.config_hash,
    tagged: deps.owner.project,
    notAmong: deps.knownIds,
    ...extraTags(deps),
  };
  let lastError: unknown;
  for (let attempt = 1; attempt <= CREATE_ATTEMPTS; attempt++) {
    let answer: LiveEnvironment;
    try {
      answer = await deps.api.create(createBody(deps, d));
    } catch (e) {
      if (!isUncertain(e)) throw e;
      lastError = e;
      const found = await findLiveByName(deps, d.name);
      // A preview copy of the same config carries the same hash tag: it is ours only in a run of that preview.
      const ours =
        found && isMine(found, deps.owner) && taggedHash(found) === d.config_hash && sameKind(deps, found);
      const collided = e instanceof ApiError && e.status === 409 && attempt === 1;
      if (found && ours && collided) return recordAlready(deps, found, 'created', found.created_at);
      if (found && ours) {
        deps.reporter.event({
          type: 'notice',
          message: `${d.name}: the create's response was lost; found ${found.id} and kept it`,
        });
        return { env_id: found.id, already: false };
      }
      if (found) {
        throw new EnvsyncError('name_taken', `${d.name}: the name was taken by ${found.id} while applying`, {
          hint: 'run `envsync plan` again to see it',
          cause: e,
        });
      }
      if (e instanceof ApiError && e.status === 409) {
        throw new EnvsyncError(
          'name_taken',
          `${d.name}: the API says the name is taken, but no live environment has it`,
          { hint: 'an archived environment may hold the name; rename that one or this one', cause: e },
        );
      }
      continue;
    }
    const { env } = await believe(deps.halt, `create ${d.name}`, answer, expected, () =>
      findLiveByName(deps, d.name),
    );
    return { env_id: env.id, already: false };
  }
  throw lastError;
}

/** Whether the environment already is what the action wants: name, config, tags, description, user metadata. */
function alreadyIs(env: LiveEnvironment, d: DesiredPayload, project: string): boolean {
  const live = userMetadata(env.metadata);
  const keys = Object.keys(live);
  return (
    env.name === d.name &&
    liveHash(env) === d.config_hash &&
    taggedHash(env) === d.config_hash &&
    env.metadata.envsync_managed === project &&
    env.description === d.description &&
    keys.length === Object.keys(d.metadata).length &&
    keys.every((k) => live[k] === d.metadata[k])
  );
}

/**
 * Compare-and-swap as far as the API allows: the environment as it is now, refused if it changed since the
 * plan saw it — unless it already is what `wants` describes (another apply from the same files got there
 * first), which is returned as `already`.
 */
export async function checkUnchanged(
  deps: ApplyDeps,
  id: string,
  seen: LiveFingerprint | undefined,
  wants?: DesiredPayload,
): Promise<LiveEnvironment | { already: LiveEnvironment }> {
  const current = await deps.api.retrieve(id);
  if (current.id !== id)
    throw new UntrustedAnswerError(
      'api_untrusted',
      `retrieve ${id}: the API answered with ${current.id}`,
      null,
      'run `envsync plan` again',
    );
  if (current.archived_at) {
    throw new EnvsyncError(
      'archived_since_plan',
      `${current.name} (${id}) was archived since the plan was made`,
      {
        hint: 'run `envsync plan` again',
      },
    );
  }
  if (seen && current.updated_at !== seen.updated_at) {
    if (wants && alreadyIs(current, wants, deps.owner.project)) return { already: current };
    throw new EnvsyncError(
      'changed_since_plan',
      `${current.name} (${id}) changed since the plan was made (updated ${current.updated_at})`,
      { hint: 'run `envsync plan` again' },
    );
  }
  return current;
}

/** checkUnchanged for actions that cannot be done by another apply: `already` is a change like any other. */
async function unchanged(
  deps: ApplyDeps,
  id: string,
  seen: LiveFingerprint | undefined,
): Promise<LiveEnvironment> {
  const current = await checkUnchanged(deps, id, seen);
  if ('already' in current) throw new EnvsyncError('internal', 'unreachable', { source: 'envsync' });
  return current;
}

/**
 * Renames an environment to exactly the name the plan fixed: a saved plan shows what apply does. If the
 * name was taken since, the action fails (nothing else changed) rather than invent another name.
 */
async function renameTo(deps: ApplyDeps, env: LiveEnvironment, name: string): Promise<LiveEnvironment> {
  if (env.name === name) return env;
  let answer: LiveEnvironment;
  try {
    answer = await deps.api.update(env.id, { name });
  } catch (e) {
    if (!(e instanceof ApiError) || e.status !== 409) throw e;
    throw new EnvsyncError(
      'name_taken',
      `${env.name}: cannot rename ${env.id} to ${name}: the name was taken since the plan`,
      { hint: 'run `envsync plan` again: it picks a free name', cause: e },
    );
  }
  const expected = { id: env.id, name, hash: liveHash(env) };
  return (await believe(deps.halt, `rename ${env.id}`, answer, expected, () => lookUpById(deps, env.id))).env;
}

/**
 * Moves an environment out of the way of a rename before its own action runs (a swap's member, the old
 * environment of a recreate or an archive), records the move, and returns the fingerprint its action now
 * expects.
 */
export async function park(
  deps: ApplyDeps,
  id: string,
  seen: LiveFingerprint | undefined,
  name: string,
  why: string,
): Promise<LiveFingerprint> {
  const current = await unchanged(deps, id, seen);
  const parked = await renameTo(deps, current, name);
  record(deps, {
    op: 'rename',
    ...liveRecordFields(current),
    name: parked.name,
    detail: `renamed from ${current.name} ${why}`,
  });
  // A rename changes the name and the time, not the config: the action's own check still holds.
  const { config_hash } = liveRecordFields(parked);
  return { id, name: parked.name, updated_at: parked.updated_at, config_hash };
}

function recordConfigOf(d: DesiredPayload) {
  return {
    name: d.name,
    config_hash: d.config_hash,
    config: d.config,
    description: d.description,
    metadata: d.metadata,
    lifecycle: d.lifecycle,
    source: d.source,
  };
}

export async function runCreate(deps: ApplyDeps, action: CreateAction): Promise<Done> {
  const done = await createSafely(deps, action.desired);
  if (!done.already) record(deps, { op: 'create', env_id: done.env_id, ...recordConfigOf(action.desired) });
  return done;
}

/**
 * Update in place (or adopt: the same write, which also puts the ownership tags on). A rename goes in the
 * same write and is recorded as one `rename` step carrying the whole new state: nothing else follows it.
 */
export async function runUpdate(
  deps: ApplyDeps,
  action: UpdateAction | AdoptAction,
  seen: LiveFingerprint | undefined,
): Promise<Done> {
  const d = action.desired;
  const current = await checkUnchanged(deps, action.env_id, seen, d);
  if ('already' in current)
    return recordAlready(deps, current.already, 'updated', current.already.updated_at);
  const renamedFrom = current.name !== d.name ? current.name : null;
  const body: UpdateBody = {
    ...(renamedFrom !== null ? { name: d.name } : {}),
    description: d.description,
    metadata: metadataPatch(deps, current.metadata, d),
    ...(liveHash(current) !== d.config_hash ? { config: d.config } : {}),
    ...(d.scope ? { scope: d.scope } : {}),
  };
  const answer = await deps.api.update(current.id, body);
  const expected = {
    id: current.id,
    name: d.name,
    hash: d.config_hash,
    tagged: deps.owner.project,
    ...extraTags(deps),
  };
  const { env } = await believe(deps.halt, `update ${current.id}`, answer, expected, () =>
    lookUpById(deps, current.id),
  );
  const why = action.kind === 'update' && action.renamed_from !== null ? ' (lifecycle.previous_names)' : '';
  const op = action.kind === 'adopt' ? 'adopt' : renamedFrom !== null ? 'rename' : 'update';
  const adoptedFrom = op === 'adopt' ? deps.adoptDetails[env.id] : undefined;
  record(deps, {
    op,
    env_id: env.id,
    ...recordConfigOf(d),
    ...(op === 'rename' ? { detail: `renamed from ${renamedFrom}${why}` } : {}),
    ...(adoptedFrom !== undefined ? { detail: adoptedFrom } : {}),
  });
  return { env_id: env.id, already: false };
}

/**
 * Recreate (DESIGN §6): free the name by renaming the old environment, create the new one, then archive
 * the old one unless it is kept. If the create fails, the old one gets its name back and keeps serving.
 */
export async function runRecreate(
  deps: ApplyDeps,
  action: RecreateAction,
  seen: LiveFingerprint | undefined,
): Promise<Done> {
  const old = await unchanged(deps, action.env_id, seen);
  const renamed = await renameTo(deps, old, action.superseded_name);
  let created: Done;
  try {
    created = await createSafely(deps, action.desired);
  } catch (e) {
    try {
      await renameTo(deps, renamed, old.name);
    } catch (restoreError) {
      recordParked(deps, old, renamed, 'make way for its replacement');
      throw new EnvsyncError(
        'recreate_failed',
        `${old.name}: the create failed and ${old.id} could not get its name back (it is now ${renamed.name})`,
        { hint: `rename ${old.id} to ${old.name} by hand, then run apply again`, cause: restoreError },
      );
    }
    throw e;
  }
  const newId = created.env_id;
  record(deps, { op: 'recreate', env_id: newId, replaces: old.id, ...recordConfigOf(action.desired) });
  // Before the old one is archived: a deployment must never point at an archived environment.
  for (const deployment of action.repoint) {
    const moved = await deps.api.references.repointDeployment(deployment.id, newId);
    if (moved.id !== deployment.id || moved.environment_id !== newId) {
      const untrusted = new UntrustedAnswerError(
        'api_untrusted',
        `repoint deployment ${deployment.id}: the API answered with ${moved.id} on ${moved.environment_id}`,
        null,
        'check the deployment in the console; nothing more was sent in this run',
      );
      deps.halt.stop(untrusted);
      throw untrusted;
    }
    record(deps, {
      op: 'repoint',
      env_id: newId,
      replaces: old.id,
      ...recordConfigOf(action.desired),
      detail: `deployment ${deployment.name} (${deployment.id}) moved from ${old.id} to ${newId}`,
    });
  }
  const oldRecord = { ...liveRecordFields(old), name: renamed.name };
  if (action.keep_superseded) {
    record(deps, { op: 'update', ...oldRecord, detail: `superseded by ${newId}; kept as ${renamed.name}` });
  } else {
    await afterParking(deps, old, renamed, `be archived (superseded by ${newId})`, () =>
      archiveQuietly(deps, old.id),
    );
    record(deps, { op: 'archive', ...oldRecord, detail: `superseded by ${newId}` });
  }
  return { env_id: newId, already: false };
}

/**
 * Runs the step that follows parking `env` under a new name (an archive, a recreate's create). When that
 * step fails, the rename has still happened: it is recorded before the error goes on, so the changelog
 * holds the name the environment really has (and `verify --live` finds nothing unrecorded).
 */
async function afterParking<T>(
  deps: ApplyDeps,
  env: LiveEnvironment,
  parked: LiveEnvironment,
  why: string,
  step: () => Promise<T>,
): Promise<T> {
  try {
    return await step();
  } catch (e) {
    recordParked(deps, env, parked, why);
    throw e;
  }
}

/** The rename of a parking step whose next step failed: the environment keeps the parked name. */
function recordParked(deps: ApplyDeps, env: LiveEnvironment, parked: LiveEnvironment, why: string): void {
  if (parked.name === env.name) return;
  try {
    record(deps, {
      op: 'rename',
      ...liveRecordFields(env),
      name: parked.name,
      detail: `renamed from ${env.name} to ${why}; that step failed`,
    });
  } catch {
    // The changelog stopped taking entries (deps.writer.failure says why, and ends the run); the step's
    // own error is the one to report, and the next run finds the name and records it.
  }
}

/** Archives; an environment that is already archived counts as done. The answer must say it is archived. */
async function archiveQuietly(deps: ApplyDeps, id: string): Promise<void> {
  let answer: LiveEnvironment;
  try {
    answer = await deps.api.archive(id);
  } catch (e) {
    if (e instanceof ApiError && e.errorCode === 'environment_archived') return;
    throw e;
  }
  await believe(deps.halt, `archive ${id}`, answer, { id, archived: true }, () => lookUpById(deps, id));
}

export async function runArchive(
  deps: ApplyDeps,
  action: ArchiveAction,
  seen: LiveFingerprint | undefined,
): Promise<Done> {
  const current = await unchanged(deps, action.env_id, seen);
  // Rename first: an archived environment cannot be updated, and the name should be free for reuse.
  const renamed = await renameTo(deps, current, action.archived_name);
  await afterParking(deps, current, renamed, 'be archived', () => archiveQuietly(deps, current.id));
  record(deps, {
    op: 'archive',
    ...liveRecordFields(current),
    name: renamed.name,
    detail: `no longer desired (was ${current.name})`,
  });
  return { env_id: current.id, already: false };
}
