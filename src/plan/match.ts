// Which live environment each file means (DESIGN §6, identity first): the ID this changelog recorded for the
// file's names, then the name. Pure; every index is built once, so the cost grows with the environments, never
// with their pairs.

import { isParkedFor, nameKey, parkedBase, parkedBasesOf } from '../domain/naming.js';
import { isMine, type Owner } from '../domain/ownership.js';
import { recordedById } from '../domain/records.js';
import { EnvsyncError } from '../errors.js';
import type {
  DesiredEnvironment,
  LiveEnvironment,
  LiveView,
  RecordedEnvironment,
  UnreadableItem,
} from '../model.js';
import { compareCodeUnits, compareNatural } from '../util/order.js';

/** What a desired environment is, live. */
export type Claim =
  /** The ID this changelog recorded for one of its names, live and readable: whatever its name is now. */
  | { by: 'identity'; env: LiveEnvironment; record: RecordedEnvironment }
  /** The recorded ID is listed but could not be read: nothing is planned for it. */
  | { by: 'identity_unreadable'; item: UnreadableItem; record: RecordedEnvironment }
  /** No recorded ID: what holds its name (exactly, or as a name the API may hold to be the same, or parked). */
  | { by: 'name'; envs: LiveEnvironment[]; similar: boolean }
  /** No recorded ID, and an item that could not be read holds its name. */
  | { by: 'name_unreadable'; item: UnreadableItem };

export interface Matching {
  /** Sorted by name. */
  desired: DesiredEnvironment[];
  claims: Map<string, Claim>;
  /** Every live environment, archived ones included, by ID. */
  liveById: Map<string, LiveEnvironment>;
  /** Live, not archived. */
  active: LiveEnvironment[];
  /** Active environments no file means: this project's among them are archived. */
  unclaimed: LiveEnvironment[];
  /** Unreadable items no file means. */
  strayUnreadable: UnreadableItem[];
  /** Current records whose ID is archived or confirmed gone (404), newest first. */
  missing: RecordedEnvironment[];
  recordedById: ReadonlyMap<string, RecordedEnvironment>;
  owner: Owner;
}

const sourceFile = (source: string | null) => (source === null ? null : source.replace(/:\d+$/, ''));

/**
 * How closely a record is linked to a file (lower is closer), or null when it is not: applied from the same
 * document, or from the same file, under any name the ID had (a swap, a swap back and a revert of either keep
 * each file's ID: only the file says which document an ID belongs to when two IDs have held both names); then,
 * from another file, under the file's name as a rename already done or no rename at all, under a declared
 * previous name (a rename to do), or under its name though a rename is declared. A name the ID had once,
 * claimed from another file, is no link: that file means a new environment.
 */
function linkRank(d: DesiredEnvironment, r: RecordedEnvironment): number | null {
  if (r.source === `${d.source.file}:${d.source.line}`) return 0;
  if (sourceFile(r.source) === d.source.file) return 1;
  const previous = d.lifecycle.previous_names;
  if (r.name === d.name && (previous.length === 0 || r.previous_names.some((n) => previous.includes(n))))
    return 2;
  if (previous.includes(r.name)) return 3;
  if (r.name === d.name) return 4;
  return null;
}

/** Each file with the record it is closest to, one to one, closest links first. */
function matchRecords(
  desired: readonly DesiredEnvironment[],
  candidates: readonly RecordedEnvironment[],
): Map<string, RecordedEnvironment> {
  const byName = new Map<string, RecordedEnvironment[]>();
  for (const r of candidates) {
    for (const name of r.names) push(byName, name, r);
    if (!r.names.includes(r.name)) push(byName, r.name, r);
  }
  // `desired` is in name order, so a pair's file's place in it stands for its name in the order below.
  const pairs: Array<{ d: DesiredEnvironment; at: number; r: RecordedEnvironment; rank: number }> = [];
  desired.forEach((d, at) => {
    const previous = d.lifecycle.previous_names;
    // Most files link to one record, under their own name: no set needed to count each record once.
    const linked =
      previous.length === 0
        ? (byName.get(d.name) ?? [])
        : new Set([d.name, ...previous].flatMap((name) => byName.get(name) ?? []));
    for (const r of linked) {
      const rank = linkRank(d, r);
      if (rank !== null) pairs.push({ d, at, r, rank });
    }
  });
  // Equally close: the one under the file's own name, then the one recorded last.
  pairs.sort(
    (a, b) =>
      a.rank - b.rank ||
      Number(b.r.name === b.d.name) - Number(a.r.name === a.d.name) ||
      compareCodeUnits(b.r.at, a.r.at) ||
      a.at - b.at ||
      compareCodeUnits(a.r.env_id, b.r.env_id),
  );
  const out = new Map<string, RecordedEnvironment>();
  const taken = new Set<string>();
  for (const { d, r } of pairs) {
    if (out.has(d.name) || taken.has(r.env_id)) continue;
    out.set(d.name, r);
    taken.add(r.env_id);
  }
  return out;
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

export function matchEnvironments(
  desired: readonly DesiredEnvironment[],
  live: LiveView,
  recorded: readonly RecordedEnvironment[],
  project: string,
): Matching {
  const sorted = [...desired].sort((a, b) => compareNatural(a.name, b.name));
  for (let i = 1; i < sorted.length; i++) {
    const d = sorted[i] as DesiredEnvironment;
    if (d.name === sorted[i - 1]?.name)
      throw new EnvsyncError('duplicate_name', `two desired environments are named ${d.name}`, {
        hint: 'run `envsync validate` to see both places',
        location: d.source,
      });
  }
  const liveById = new Map(live.envs.map((e) => [e.id, e]));
  const active = live.envs.filter((e) => !e.archived_at);
  const unreadableById = new Map(live.unreadable.flatMap((u) => (u.id === null ? [] : [[u.id, u]])));
  const gone = new Set(live.gone);
  const byRecordedId = recordedById(recorded);
  const owner: Owner = { project, recorded: (id) => byRecordedId.has(id) };

  // A recorded ID that is neither listed nor confirmed gone was never looked up: planning would trust a list
  // that may have left it out (the caller looks every such ID up first).
  const missing: RecordedEnvironment[] = [];
  const candidates: RecordedEnvironment[] = [];
  for (const r of recorded) {
    if (r.archived) continue;
    const env = liveById.get(r.env_id);
    // A superseded ID (a recreate replaced it) stands for no file: it is archived, or kept as superseded.
    const stands = r.superseded_by === null;
    if (env !== undefined && !env.archived_at) {
      if (stands) candidates.push(r);
    } else if (unreadableById.has(r.env_id)) {
      if (stands) candidates.push(r);
    } else if (env !== undefined || gone.has(r.env_id)) missing.push(r);
    else
      throw new EnvsyncError(
        'internal',
        `${r.env_id} (${r.name}) is recorded as current but neither listed nor looked up`,
        { source: 'envsync' },
      );
  }
  missing.sort((a, b) => compareCodeUnits(b.at, a.at) || compareCodeUnits(a.env_id, b.env_id));

  const claims = new Map<string, Claim>();
  const claimed = new Set<string>();
  const claimedUnreadable = new Set<UnreadableItem>();
  for (const [name, r] of matchRecords(sorted, candidates)) {
    const env = liveById.get(r.env_id);
    const item = unreadableById.get(r.env_id);
    if (env && !env.archived_at) claims.set(name, { by: 'identity', env, record: r });
    else if (item) {
      claims.set(name, { by: 'identity_unreadable', item, record: r });
      claimedUnreadable.add(item);
    }
    claimed.add(r.env_id);
  }

  // By name, for files no recorded ID speaks for: the exact name first, then a name the API may hold to be
  // the same, then this project's environment parked under it by a run that stopped halfway.
  const free = active.filter((e) => !claimed.has(e.id));
  const exact = new Map<string, LiveEnvironment[]>();
  const folded = new Map<string, LiveEnvironment[]>();
  const parked = new Map<string, LiveEnvironment[]>();
  for (const e of free) {
    push(exact, e.name, e);
    push(folded, nameKey(e.name), e);
    const base = parkedBase(e.name);
    if (base !== null) push(parked, base, e);
  }
  const unreadableByKey = new Map<string, UnreadableItem>();
  for (const u of live.unreadable)
    if (u.name !== null && !claimedUnreadable.has(u)) unreadableByKey.set(nameKey(u.name), u);

  const unmatched = sorted.filter((d) => !claims.has(d.name));
  const take = (d: DesiredEnvironment, envs: LiveEnvironment[], similar: boolean) => {
    claims.set(d.name, { by: 'name', envs, similar });
    for (const e of envs) claimed.add(e.id);
  };
  const stillFree = (envs: readonly LiveEnvironment[] | undefined) =>
    (envs ?? []).filter((e) => !claimed.has(e.id));
  for (const d of unmatched) {
    const item = unreadableByKey.get(nameKey(d.name));
    if (item) {
      claims.set(d.name, { by: 'name_unreadable', item });
      claimedUnreadable.add(item);
      continue;
    }
    const envs = stillFree(exact.get(d.name));
    if (envs.length > 0) take(d, envs, false);
  }
  for (const d of unmatched) {
    if (claims.has(d.name)) continue;
    const envs = stillFree(folded.get(nameKey(d.name)));
    if (envs.length > 0) take(d, envs, true);
  }
  for (const d of unmatched) {
    if (claims.has(d.name)) continue;
    const envs = parkedBasesOf(d.name)
      .flatMap((base) => stillFree(parked.get(base)))
      .filter((e) => isParkedFor(e.name, d.name) && isMine(e, owner));
    take(d, envs, false);
  }

  return {
    desired: sorted,
    claims,
    liveById,
    active,
    unclaimed: active.filter((e) => !claimed.has(e.id)),
    strayUnreadable: live.unreadable.filter((u) => !claimedUnreadable.has(u)),
    missing,
    recordedById: byRecordedId,
    owner,
  };
}
