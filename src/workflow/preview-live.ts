// The live list split in two (DESIGN §14): this project's preview copies, and the rest — all the main plan,
// apply, status and verify --live ever see, so a preview is never drift, never archived and never blocks.

import { nameKey } from '../domain/naming.js';
import { liveHash, ownerLabel } from '../domain/ownership.js';
import { type PreviewInfo, previewOf } from '../domain/preview.js';
import { EnvsyncError } from '../errors.js';
import {
  type DesiredEnvironment,
  type EnvironmentsApi,
  type LiveEnvironment,
  type LiveList,
  type LiveView,
  MANAGED_KEY,
  type RecordedEnvironment,
} from '../model.js';
import { compareNatural } from '../util/order.js';
import { listLive, liveView } from './live.js';

/**
 * Whether an environment is one of this project's preview copies: this project's own tag (never a legacy
 * or missing one) and a preview tag. An ID the main changelog records stays the main history's whatever its
 * tags say: identity is the recorded ID, and a tag added by hand must not hide an environment from its plan.
 */
export function isPreviewCopy(
  env: Pick<LiveEnvironment, 'id' | 'metadata'>,
  project: string,
  mainIds: ReadonlySet<string>,
): boolean {
  return env.metadata[MANAGED_KEY] === project && previewOf(env.metadata) !== null && !mainIds.has(env.id);
}

/**
 * One checked list, split: the main side (what parsed and what did not), and this project's preview copies.
 * An archived copy is on both sides: the main side only needs its name (a retired name the main plan picks
 * must be free), and nothing there acts on an archived environment no record names.
 */
export function splitPreviews(
  list: LiveList,
  project: string,
  recorded: readonly RecordedEnvironment[],
): { main: LiveList; previews: LiveEnvironment[] } {
  const mainIds = new Set(recorded.map((r) => r.env_id));
  const previews: LiveEnvironment[] = [];
  const envs: LiveEnvironment[] = [];
  for (const env of list.envs) {
    const copy = isPreviewCopy(env, project, mainIds);
    if (copy) previews.push(env);
    if (!copy || env.archived_at !== null) envs.push(env);
  }
  return { main: { envs, unreadable: list.unreadable }, previews };
}

/**
 * The main live view: one checked list with this project's previews set aside (archived ones too), and the
 * recorded IDs that list lacks looked up. The previews come back apart, for the name check below. The
 * records may still be on their way (read in slices while the list's pages travel).
 */
export async function mainLiveView(
  api: EnvironmentsApi,
  records: readonly RecordedEnvironment[] | Promise<readonly RecordedEnvironment[]>,
  project: string,
): Promise<{ view: LiveView; previews: LiveEnvironment[] }> {
  // Every current environment tagged with this project has its config hashed by the plan (drift, the behind
  // check): done as each page is read, it costs nothing but the wait for the next.
  const hash = (env: LiveEnvironment) => {
    if (env.archived_at === null && env.metadata[MANAGED_KEY] === project) liveHash(env);
  };
  const [list, recorded] = await Promise.all([listLive(api, hash), records]);
  const { main, previews } = splitPreviews(list, project, recorded);
  return { view: await liveView(api, recorded, main), previews };
}

/**
 * Refuses, before anything is planned, a desired name that a live preview copy holds (exactly, or as a name
 * the API may hold to be the same): the plan cannot see previews, so it would try to create a name that is
 * taken. `preview down` frees it.
 */
export function refusePreviewNames(
  desired: readonly Pick<DesiredEnvironment, 'name'>[],
  previews: readonly LiveEnvironment[],
): void {
  const held = new Map(previews.filter((e) => !e.archived_at).map((e) => [nameKey(e.name), e]));
  if (held.size === 0) return;
  const clashes = desired
    .flatMap((d) => {
      const env = held.get(nameKey(d.name));
      return env ? [{ name: d.name, env }] : [];
    })
    .sort((a, b) => compareNatural(a.name, b.name));
  const first = clashes[0];
  if (first === undefined) return;
  const ids = [...new Set(clashes.map((c) => previewOf(c.env.metadata)?.id ?? '?'))];
  throw new EnvsyncError(
    'preview_conflict',
    `${clashes.length === 1 ? 'a name the files declare is' : `${clashes.length} names the files declare are`} held by a preview copy: ${clashes
      .slice(0, 5)
      .map((c) => `${c.name} (${c.env.id}, preview ${previewOf(c.env.metadata)?.id ?? '?'})`)
      .join(', ')}${clashes.length > 5 ? `, and ${clashes.length - 5} more` : ''}`,
    {
      hint: `\`envsync preview down --id ${ids[0]}\` archives that preview${ids.length > 1 ? ` (and the same for ${ids.slice(1).join(', ')})` : ''}, or rename the environment in its file`,
    },
  );
}

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
function refuseTakenNames(
  desired: readonly Pick<DesiredEnvironment, 'name'>[],
  list: LiveList,
  selected: ReadonlySet<string>,
  project: string,
): void {
  const wanted = new Map(desired.map((d) => [nameKey(d.name), d.name]));
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
  throw new EnvsyncError(
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
export function previewView(
  list: LiveList,
  previews: readonly LiveEnvironment[],
  select: (info: PreviewInfo) => boolean,
  desired: readonly Pick<DesiredEnvironment, 'name'>[],
  project: string,
): LiveView {
  const selected = previews.filter((e) => {
    const info = previewOf(e.metadata);
    return info !== null && select(info);
  });
  const ids = new Set(selected.map((e) => e.id));
  refuseTakenNames(desired, list, ids, project);
  const archived = list.envs.filter((e) => e.archived_at !== null && !ids.has(e.id));
  return { envs: [...selected, ...archived], unreadable: [], gone: [] };
}
