// Point queries over the changelog: the config an env ID or hash stood for, and what served a name at a time.

import { EnvsyncError } from '../errors.js';
import { configHash } from '../hash/config-hash.js';
import type { ChangelogEntry, NormalConfig } from '../model.js';
import { baseName, historyOf, idsServing, isStep, type TimelineStep } from './timeline.js';

/** An entry that recorded a config, so it can be shown as an environment file. */
export type ConfigEntry = ChangelogEntry & { config: NormalConfig; config_hash: string; env_id: string };

function hasConfig(e: ChangelogEntry): e is ConfigEntry {
  return isStep(e) && e.config !== null && e.config_hash !== null;
}

/** The instant a query asks about; for a bare date, the end of that day (UTC) and the day itself. */
export interface QueryTime {
  at: Date;
  day: { date: string; start: Date; end: Date } | null;
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;
const DAY_MS = 24 * 60 * 60 * 1000;

function realDate(y: string, m: string, d: string): number | null {
  const ms = Date.UTC(Number(y), Number(m) - 1, Number(d));
  const back = new Date(ms);
  const same =
    back.getUTCFullYear() === Number(y) &&
    back.getUTCMonth() === Number(m) - 1 &&
    back.getUTCDate() === Number(d);
  return same ? ms : null;
}

function badTime(text: string, why: string): EnvsyncError {
  return new EnvsyncError('bad_time', `cannot read the time "${text}": ${why}`, {
    hint: 'give an RFC 3339 time with a zone (2026-10-03T14:00:00Z, 2026-10-03T16:00:00+02:00), a date (2026-10-03) or now',
  });
}

/**
 * Reads an RFC 3339 time (a zone is required: a time without one would mean different instants on
 * different machines), a bare `YYYY-MM-DD`, which means the state at the end of that day in UTC, or `now`.
 */
export function parseQueryTime(text: string, now: Date): QueryTime {
  if (text.trim().toLowerCase() === 'now') return { at: now, day: null };
  const date = DATE.exec(text);
  if (date) {
    const [, y, m, d] = date as unknown as [string, string, string, string];
    const start = realDate(y, m, d);
    if (start === null) throw badTime(text, 'no such date');
    return {
      at: new Date(start + DAY_MS - 1),
      day: { date: text, start: new Date(start), end: new Date(start + DAY_MS) },
    };
  }
  const full = RFC3339.exec(text);
  if (!full) {
    const why = /^\d{4}-\d{2}-\d{2}[Tt ][\d:.]+$/.test(text)
      ? 'it has no zone; add Z or an offset'
      : 'not an RFC 3339 time, a YYYY-MM-DD date or now';
    throw badTime(text, why);
  }
  const [, y, m, d] = full as unknown as [string, string, string, string];
  const ms = Date.parse(text.replace(' ', 'T').toUpperCase());
  if (realDate(y, m, d) === null || Number.isNaN(ms)) throw badTime(text, 'no such time');
  return { at: new Date(ms), day: null };
}

const timeOf = (e: ChangelogEntry): number => Date.parse(e.at);

/** The latest recorded config of an env ID, at or before `at` when given. */
export function configOfId(entries: readonly ChangelogEntry[], envId: string, at?: Date): ConfigEntry {
  const mine = entries.filter((e) => isStep(e) && e.env_id === envId);
  if (mine.length === 0) {
    throw new EnvsyncError('unknown_env_id', `the changelog has no entry for ${envId}`, {
      hint: 'run `envsync history` to see the env IDs it recorded, or pass a config hash',
    });
  }
  const found = mine.filter(hasConfig).filter((e) => at === undefined || timeOf(e) <= at.getTime());
  const latest = found.at(-1);
  if (!latest) {
    const first = mine[0] as ChangelogEntry;
    throw new EnvsyncError(
      'no_config_then',
      `the changelog records no config for ${envId}${at ? ` at or before ${at.toISOString()}` : ''}`,
      { hint: `its first entry is ${first.op} at ${first.at}` },
    );
  }
  return latest;
}

/** A hash as the user may type it: `sha256:<64 hex>`, or a unique prefix of at least 8 hex digits, with or without `sha256:`. */
export function looksLikeHash(text: string): boolean {
  return /^(sha256:)?[0-9a-f]{8,64}$/i.test(text);
}

/** The latest entry that recorded the config a hash (or a unique prefix of one) stands for. */
export function configOfHash(entries: readonly ChangelogEntry[], query: string): ConfigEntry {
  const hex = query.toLowerCase().replace(/^sha256:/, '');
  if (!/^[0-9a-f]{8,64}$/.test(hex)) {
    throw new EnvsyncError('bad_hash', `"${query}" is not a config hash or a prefix of one`, {
      hint: 'give sha256:<64 hex digits>, or at least its first 8 hex digits',
    });
  }
  const withConfig = entries.filter(hasConfig);
  const hashes = [...new Set(withConfig.map((e) => e.config_hash))].filter((h) =>
    h.replace(/^sha256:/, '').startsWith(hex),
  );
  if (hashes.length === 0) {
    throw new EnvsyncError('unknown_hash', `the changelog has no config with hash ${query}`, {
      hint: 'run `envsync history` to see the hashes it recorded',
    });
  }
  if (hashes.length > 1) {
    throw new EnvsyncError(
      'ambiguous_hash',
      `${query} matches ${hashes.length} config hashes: ${hashes.join(', ')}`,
      {
        hint: 'give more hex digits',
      },
    );
  }
  return withConfig.filter((e) => e.config_hash === hashes[0]).at(-1) as ConfigEntry;
}

/** Guards the promise that `show` prints a config that hashes to the hash it was recorded under. */
export function checkRecordedHash(entry: ConfigEntry): void {
  const actual = configHash(entry.config);
  if (actual !== entry.config_hash) {
    throw new EnvsyncError(
      'corrupt_entry',
      `entry seq ${entry.seq} records config hash ${entry.config_hash}, but its config hashes to ${actual}`,
      { hint: 'run `envsync verify` to check the changelog' },
    );
  }
}

export interface Resolution {
  name: string;
  at: Date;
  /** The date asked about, when the query was a bare date. */
  day: string | null;
  env_id: string;
  config_hash: string;
  /**
   * The name the environment had then, when it was not `name`: it took `name` later by a rename
   * (`lifecycle.previous_names`), so then it served as this one. null when it served under `name`.
   */
  served_as: string | null;
  /** The last entry about that env ID at or before the time: since when it has been in this state. */
  since: ChangelogEntry;
  /** For a bare date: the steps of the name's history during that day. */
  during: TimelineStep[];
}

interface IdState {
  name: string | null;
  hash: string | null;
  alive: boolean;
  /** The position of the entry that gave it `name`, so the latest claimant wins. */
  claimed: number;
  last: ChangelogEntry;
}

/** Each env ID that ever served name, as it stood at the time (entries after it ignored). */
function statesAt(
  entries: readonly ChangelogEntry[],
  ids: ReadonlySet<string>,
  name: string,
  until: number,
): Map<string, IdState> {
  const state = new Map<string, IdState>();
  entries.forEach((e, i) => {
    if (!isStep(e) || !ids.has(e.env_id) || timeOf(e) > until) return;
    const prior = state.get(e.env_id);
    const alive = e.op !== 'archive' && !(e.op === 'drift' && e.config === null);
    const entryName = e.name ?? prior?.name ?? null;
    const claimed = entryName === name && prior?.name !== name ? i : (prior?.claimed ?? i);
    state.set(e.env_id, {
      name: entryName,
      hash: e.config_hash ?? prior?.hash ?? null,
      alive,
      claimed,
      last: e,
    });
  });
  return state;
}

/**
 * For a time when no environment was called `name`: the environment that later took `name` by a rename
 * and was alive then under another name (the first to take it after the time). Its old name answers "what
 * served it": the same ID, the same config, under the name it had.
 */
function renamedInto(
  entries: readonly ChangelogEntry[],
  name: string,
  state: ReadonlyMap<string, IdState>,
  until: number,
): [string, IdState] | undefined {
  let best: { id: string; at: number } | undefined;
  entries.forEach((e, i) => {
    if (!isStep(e) || e.op !== 'rename' || e.name !== name || timeOf(e) <= until) return;
    const then = state.get(e.env_id);
    if (!then?.alive || then.hash === null || then.name === null || then.name === name) return;
    if (best === undefined || i < best.at) best = { id: e.env_id, at: i };
  });
  const found = best === undefined ? undefined : state.get(best.id);
  return best && found ? [best.id, found] : undefined;
}

/**
 * Which env ID (and config) served name at the time, according to the changelog: of the environments
 * still alive then whose latest recorded name was `name`, the one that took the name last (so a
 * recreate's new ID wins over the old one even before the old one's archive is recorded). When none
 * had the name then but one took it later by a rename, that one, with the name it served as.
 */
export function resolveAt(entries: readonly ChangelogEntry[], name: string, time: QueryTime): Resolution {
  const ids = idsServing(entries, name);
  const until = time.at.getTime();
  const state = statesAt(entries, ids, name, until);
  const serving =
    [...state.entries()]
      .filter(([, s]) => s.alive && s.name === name && s.hash !== null)
      .sort(([, a], [, b]) => b.claimed - a.claimed)[0] ?? renamedInto(entries, name, state, until);
  const shown = time.day ? `the end of ${time.day.date} (UTC)` : time.at.toISOString();
  if (!serving) {
    const ended = [...state.values()].sort((a, b) => timeOf(b.last) - timeOf(a.last))[0];
    throw new EnvsyncError(
      'not_serving',
      ended
        ? `${name} had no environment at ${shown}; the last change before then: ${ended.last.op} of ${ended.last.env_id} at ${ended.last.at}`
        : `${name} did not exist at ${shown}`,
      { hint: historyHint(entries, name) },
    );
  }
  const [envId, s] = serving;
  const during = time.day
    ? historyOf(entries, name).steps.filter((step) => {
        const t = timeOf(step.entry);
        return t >= (time.day?.start.getTime() ?? 0) && t < (time.day?.end.getTime() ?? 0);
      })
    : [];
  return {
    name,
    at: time.at,
    day: time.day?.date ?? null,
    env_id: envId,
    config_hash: s.hash as string,
    served_as: s.name === name ? null : s.name,
    since: s.last,
    during,
  };
}

function historyHint(entries: readonly ChangelogEntry[], name: string): string {
  const first = entries.find((e) => isStep(e) && e.name !== null && baseName(e.name) === name);
  return first
    ? `its first entry is ${first.op} at ${first.at}; run \`envsync history ${name}\``
    : `the changelog has no entry for ${name}; run \`envsync history\` to see the names it knows`;
}
