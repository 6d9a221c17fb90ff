// Carries out one plan action against the API and records what it did; the only place that writes environments.

import { isMine, liveHash, ownershipTags, taggedHash, userMetadata } from '../domain/ownership.js';
import { ApiError, EnvsyncError } from '../errors.js';
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
import { type ApplyDeps, record } from './context.js';
import { liveRecordFields } from './reconcile.js';

/** How many times a create whose outcome was unknown, and that is not found afterwards, is tried. */
const CREATE_ATTEMPTS = 3;

function createBody(project: string, d: DesiredPayload): CreateBody {
  return {
    name: d.name,
    description: d.description,
    metadata: { ...d.metadata, ...ownershipTags(project, d.config_hash) },
    config: d.config,
    ...(d.scope ? { scope: d.scope } : {}),
  };
}

/** The metadata patch from live to desired: new values, and null for every user key to delete. */
function metadataPatch(
  project: string,
  live: Record<string, string>,
  d: DesiredPayload,
): Record<string, string | null> {
  const patch: Record<string, string | null> = {};
  for (const key of Object.keys(userMetadata(live))) if (!(key in d.metadata)) patch[key] = null;
  return { ...patch, ...d.metadata, ...ownershipTags(project, d.config_hash) };
}

async function findLiveByName(deps: ApplyDeps, name: string): Promise<LiveEnvironment | undefined> {
  for await (const env of deps.api.listAll()) if (env.name === name) return env;
  return undefined;
}

/**
 * A write whose outcome is unknown: no response (connection error, timeout), a 5xx or a 429 that may have
 * come after the write landed, or a 409 that may be the SDK's own retry colliding with its first attempt.
 */
export function isUncertain(e: unknown): boolean {
  if (!(e instanceof ApiError)) return false;
  return e.status === null || e.status === 409 || e.status === 429 || e.status >= 500;
}

/**
 * Creates an environment without ever making two: when the response is lost (connection error, 5xx, 429,
 * or a 409 that may be the SDK's own retry colliding with its first attempt), it looks the name up and
 * accepts an environment carrying this config's hash tag as the one it made.
 */
export async function createSafely(deps: ApplyDeps, d: DesiredPayload): Promise<LiveEnvironment> {
  let lastError: unknown;
  for (let attempt = 1; attempt <= CREATE_ATTEMPTS; attempt++) {
    try {
      return await deps.api.create(createBody(deps.owner.project, d));
    } catch (e) {
      if (!(e instanceof ApiError) || !isUncertain(e)) throw e;
      lastError = e;
      const found = await findLiveByName(deps, d.name);
      if (found && isMine(found, deps.owner) && taggedHash(found) === d.config_hash) {
        deps.reporter.event({
          type: 'notice',
          message: `${d.name}: the create's response was lost; found ${found.id} and kept it`,
        });
        return found;
      }
      if (found) {
        throw new EnvsyncError('name_taken', `${d.name}: the name was taken by ${found.id} while applying`, {
          hint: 'run `envsync plan` again to see it',
          cause: e,
        });
      }
      if (e.status === 409) {
        throw new EnvsyncError(
          'name_taken',
          `${d.name}: the API says the name is taken, but no live environment has it`,
          {
            hint: 'an archived environment may hold the name; rename that one or this one',
            cause: e,
          },
        );
      }
    }
  }
  throw lastError;
}

/** Compare-and-swap as far as the API allows: refuse if the environment changed since the plan saw it. */
export async function checkUnchanged(
  deps: ApplyDeps,
  id: string,
  seen: LiveFingerprint | undefined,
): Promise<LiveEnvironment> {
  const current = await deps.api.retrieve(id);
  if (seen && current.updated_at !== seen.updated_at) {
    throw new EnvsyncError(
      'changed_since_plan',
      `${current.name} (${id}) changed since the plan was made (updated ${current.updated_at})`,
      {
        hint: 'run `envsync plan` again',
      },
    );
  }
  if (current.archived_at) {
    throw new EnvsyncError(
      'archived_since_plan',
      `${current.name} (${id}) was archived since the plan was made`,
      {
        hint: 'run `envsync plan` again',
      },
    );
  }
  return current;
}

/**
 * Renames an environment to exactly the name the plan fixed: a saved plan shows what apply does. If the
 * name was taken since, the action fails (nothing else changed) rather than invent another name.
 */
async function renameTo(deps: ApplyDeps, env: LiveEnvironment, name: string): Promise<LiveEnvironment> {
  if (env.name === name) return env;
  try {
    return await deps.api.update(env.id, { name });
  } catch (e) {
    if (!(e instanceof ApiError) || e.status !== 409) throw e;
    throw new EnvsyncError(
      'name_taken',
      `${env.name}: cannot rename ${env.id} to ${name}: the name was taken since the plan`,
      {
        hint: 'run `envsync plan` again: it picks a free name',
        cause: e,
      },
    );
  }
}

/**
 * Moves an environment out of the way of a rename before its own action runs (a swap's member, the old
 * environment of a recreate), records the move, and returns the fingerprint its action now expects.
 */
export async function park(
  deps: ApplyDeps,
  id: string,
  seen: LiveFingerprint | undefined,
  name: string,
  why: string,
): Promise<LiveFingerprint> {
  const current = await checkUnchanged(deps, id, seen);
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

export async function runCreate(deps: ApplyDeps, action: CreateAction): Promise<string> {
  const env = await createSafely(deps, action.desired);
  record(deps, { op: 'create', env_id: env.id, ...recordConfigOf(action.desired) });
  return env.id;
}

/** Update in place (or adopt: the same write, which also puts the ownership tags on). */
export async function runUpdate(
  deps: ApplyDeps,
  action: UpdateAction | AdoptAction,
  seen: LiveFingerprint | undefined,
): Promise<string> {
  const current = await checkUnchanged(deps, action.env_id, seen);
  const d = action.desired;
  const renamedFrom = action.kind === 'update' ? action.renamed_from : null;
  const body: UpdateBody = {
    // A rename (lifecycle.previous_names) goes in the same write: same ID, new name.
    ...(current.name !== d.name ? { name: d.name } : {}),
    description: d.description,
    metadata: metadataPatch(deps.owner.project, current.metadata, d),
    ...(liveHash(current) !== d.config_hash ? { config: d.config } : {}),
    ...(d.scope ? { scope: d.scope } : {}),
  };
  const updated = await deps.api.update(current.id, body);
  if (renamedFrom !== null) {
    record(deps, {
      op: 'rename',
      env_id: updated.id,
      ...recordConfigOf(d),
      detail: `renamed from ${renamedFrom} (lifecycle.previous_names)`,
    });
  }
  record(deps, { op: action.kind, env_id: updated.id, ...recordConfigOf(d) });
  return updated.id;
}

/**
 * Recreate (DESIGN §6): free the name by renaming the old environment, create the new one, then archive
 * the old one unless it is kept. If the create fails, the old one gets its name back and keeps serving.
 */
export async function runRecreate(
  deps: ApplyDeps,
  action: RecreateAction,
  seen: LiveFingerprint | undefined,
): Promise<string> {
  const old = await checkUnchanged(deps, action.env_id, seen);
  const renamed = await renameTo(deps, old, action.superseded_name);
  let created: LiveEnvironment;
  try {
    created = await createSafely(deps, action.desired);
  } catch (e) {
    try {
      await deps.api.update(old.id, { name: old.name });
    } catch (restoreError) {
      recordParked(deps, old, renamed, 'make way for its replacement');
      throw new EnvsyncError(
        'recreate_failed',
        `${old.name}: the create failed and ${old.id} could not get its name back (it is now ${renamed.name})`,
        {
          hint: `rename ${old.id} to ${old.name} by hand, then run apply again`,
          cause: restoreError,
        },
      );
    }
    throw e;
  }
  record(deps, { op: 'recreate', env_id: created.id, replaces: old.id, ...recordConfigOf(action.desired) });
  // Before the old one is archived: a deployment must never point at an archived environment.
  for (const deployment of action.repoint) {
    await deps.api.references.repointDeployment(deployment.id, created.id);
    record(deps, {
      op: 'repoint',
      env_id: created.id,
      replaces: old.id,
      ...recordConfigOf(action.desired),
      detail: `deployment ${deployment.name} (${deployment.id}) moved from ${old.id} to ${created.id}`,
    });
  }
  const oldRecord = { ...liveRecordFields(old), name: renamed.name };
  if (action.keep_superseded) {
    record(deps, {
      op: 'update',
      ...oldRecord,
      detail: `superseded by ${created.id}; kept as ${renamed.name}`,
    });
  } else {
    await afterParking(deps, old, renamed, `be archived (superseded by ${created.id})`, () =>
      archiveQuietly(deps, old.id),
    );
    record(deps, { op: 'archive', ...oldRecord, detail: `superseded by ${created.id}` });
  }
  return created.id;
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

/** Archives; an environment that is already archived counts as done. */
async function archiveQuietly(deps: ApplyDeps, id: string): Promise<void> {
  try {
    await deps.api.archive(id);
  } catch (e) {
    if (e instanceof ApiError && e.errorCode === 'environment_archived') return;
    throw e;
  }
}

export async function runArchive(
  deps: ApplyDeps,
  action: ArchiveAction,
  seen: LiveFingerprint | undefined,
): Promise<string> {
  const current = await checkUnchanged(deps, action.env_id, seen);
  // Rename first: an archived environment cannot be updated, and the name should be free for reuse.
  const renamed = await renameTo(deps, current, action.archived_name);
  await afterParking(deps, current, renamed, 'be archived', () => archiveQuietly(deps, current.id));
  record(deps, {
    op: 'archive',
    ...liveRecordFields(current),
    name: renamed.name,
    detail: `no longer desired (was ${current.name})`,
  });
  return current.id;
}
