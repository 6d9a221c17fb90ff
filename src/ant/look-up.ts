// Where each entry of claude-lock.json stands: what the API holds for its ID (the checked list's item, or a
// lookup by ID for one the list lacks) and what envsync makes of its file.

import { statSync } from 'node:fs';
import { isInside } from '../config/files.js';
import { ApiError, UntrustedAnswerError } from '../errors.js';
import type {
  DesiredEnvironment,
  EnvironmentsApi,
  LiveEnvironment,
  LiveView,
  UnreadableItem,
} from '../model.js';
import type { FileState, Retrieved } from './verdicts.js';

/** The checked list, by ID. */
export interface Listed {
  envs: ReadonlyMap<string, LiveEnvironment>;
  unreadable: ReadonlyMap<string, UnreadableItem>;
}

export function listedById(live: LiveView): Listed {
  return {
    envs: new Map(live.envs.map((e) => [e.id, e])),
    unreadable: new Map(live.unreadable.flatMap((u) => (u.id === null ? [] : [[u.id, u]]))),
  };
}

/**
 * What the API holds for one of the lock's IDs: the checked list's item (archived ones are listed too), or,
 * for an ID the list lacks, a lookup by ID, where only a 404 makes it gone. An ID the lookup finds was left
 * out of the list, so nothing is planned from that list (as for the changelog's own IDs).
 */
export async function lookUp(api: EnvironmentsApi, listed: Listed, id: string): Promise<Retrieved> {
  const found = listed.envs.get(id);
  if (found !== undefined) return { kind: 'live', env: found };
  const unreadable = listed.unreadable.get(id);
  if (unreadable !== undefined)
    return { kind: 'unreadable', problem: `${unreadable.field}: ${unreadable.problem}` };
  let env: LiveEnvironment;
  try {
    env = await api.retrieve(id);
  } catch (e) {
    if (e instanceof ApiError && e.status === 404) return { kind: 'gone' };
    if (e instanceof UntrustedAnswerError && e.code === 'api_unreadable')
      return { kind: 'unreadable', problem: e.message };
    throw e;
  }
  throw new UntrustedAnswerError(
    'list_incomplete',
    `the list of environments left out ${env.id} (${env.name}), which claude-lock.json tracks and a lookup found`,
    null,
    'the API answered a list that is missing environments, so nothing was imported; run again, and report it if it persists',
  );
}

export function fileState(
  abs: string,
  file: string,
  byFile: ReadonlyMap<string, DesiredEnvironment[]>,
  dirs: readonly string[],
): FileState {
  const declared = byFile.get(file);
  if (declared !== undefined) return { kind: 'declared', environments: declared };
  if (/\.(?:md|markdown|json)$/i.test(abs)) return { kind: 'not_yaml' };
  if (!statSync(abs, { throwIfNoEntry: false })?.isFile()) return { kind: 'missing' };
  return dirs.some((dir) => isInside(abs, dir)) ? { kind: 'no_environment' } : { kind: 'outside_dirs' };
}
