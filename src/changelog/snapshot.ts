// The history snapshot read back from disk, checked field by field like any other input: a cache that does
// not read as exactly what `stateOf` writes is not believed (the history is read again instead).

import { recordedById } from '../domain/records.js';
import type { RecordedEnvironment } from '../model.js';
import type { HistoryProblem } from './history.js';
import type { KnownHashes } from './state.js';

/** A file that needs mending before the next run is written: a torn tail to set aside, or a lost newline. */
export interface Repair {
  file: string;
  torn: boolean;
  missingNewline: boolean;
}

/** What plan, status and apply need of the history, without reading it. */
export interface ChangelogState {
  entries: number;
  recorded: RecordedEnvironment[];
  known: KnownHashes;
  /** The next run's `begin.parents`. */
  parents: string[];
  /** Plan ids of interrupted runs that are still heads. */
  open: string[];
  /** Env IDs and names whose write a head run recorded as uncertain. */
  uncertain: string[];
  problems: HistoryProblem[];
  problemCount: number;
  repairs: Repair[];
}

type Check = (v: unknown) => boolean;

const isText: Check = (v) => typeof v === 'string';
const isCount: Check = (v) => Number.isSafeInteger(v) && (v as number) >= 0;
const nullable =
  (check: Check): Check =>
  (v) =>
    v === null || check(v);
const listOf =
  (check: Check): Check =>
  (v) =>
    Array.isArray(v) && v.every(check);
const textMap =
  (check: Check): Check =>
  (v) => {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
    const o = v as Record<string, unknown>;
    for (const k in o) if (!check(o[k])) return false;
    return true;
  };

// Checks built once and run per line: a snapshot of 50,000 records runs them a million times.
function shape(fields: Record<string, Check>): Check {
  const checks = Object.entries(fields);
  return (v) => {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
    const o = v as Record<string, unknown>;
    for (const [k, check] of checks) if (!check(o[k])) return false;
    return true;
  };
}

const isRecorded: Check = shape({
  name: isText,
  env_id: isText,
  config_hash: isText,
  at: isText,
  archived: (v) => typeof v === 'boolean',
  description: nullable(isText),
  metadata: nullable(textMap(isText)),
  prevent_archive: (v) => typeof v === 'boolean',
  source: nullable(isText),
  previous_names: listOf(isText),
  names: listOf(isText),
  superseded_by: nullable(isText),
} satisfies Record<keyof RecordedEnvironment, Check>);

/** The header line's fields: the state but its two long parts, with their counts. */
const isHeader: Check = shape({
  entries: isCount,
  parents: listOf(isText),
  open: listOf(isText),
  uncertain: listOf(isText),
  problems: listOf(shape({ file: nullable(isText), line: nullable(isCount), message: isText })),
  problemCount: isCount,
  repairs: listOf(
    shape({
      file: isText,
      torn: (v) => typeof v === 'boolean',
      missingNewline: (v) => typeof v === 'boolean',
    }),
  ),
  records: isCount,
  knownIds: isCount,
  // Every field of the state but the two that follow as lines: a field added to the state must be checked here.
} satisfies Record<Exclude<keyof ChangelogState, 'recorded' | 'known'> | 'records' | 'knownIds', Check>);

const isTextList = listOf(isText);
const isKnownLine: Check = (v) => Array.isArray(v) && v.length === 2 && isText(v[0]) && isTextList(v[1]);

/**
 * The snapshot as JSON Lines: a header (`format`, `key`, the short fields and how many lines follow), then
 * one line per record and one `[env_id, [hashes]]` line per known ID. Lines, so that a reader can take it
 * in slices (`readSnapshot`) while the live list is on its way.
 */
export function snapshotText(format: number, key: string, state: ChangelogState): string {
  const { recorded, known, ...short } = state;
  const knownIds = Object.keys(known);
  const lines = [
    JSON.stringify({ format, key, ...short, records: recorded.length, knownIds: knownIds.length }),
    ...recorded.map((r) => JSON.stringify(r)),
    ...knownIds.map((id) => JSON.stringify([id, known[id]])),
  ];
  return `${lines.join('\n')}\n`;
}

/** Lines read between two pauses of `readSnapshot`: well under a millisecond, so a page that arrives waits little. */
const SLICE = 100;

/**
 * Reads a snapshot written by `snapshotText`, checking every line as `stateOf` wrote it, and pausing (a
 * `yield`) every `SLICE` lines; the result is the state, or undefined when the format or key differ,
 * or anything does not read (a line, a count, a missing or extra line): such a snapshot is not believed.
 */
export function* readSnapshot(
  bytes: Buffer,
  format: number,
  key: string,
): Generator<void, ChangelogState | undefined, void> {
  let at = 0;
  const next = (): unknown => {
    const end = bytes.indexOf(10, at);
    if (end === -1) return undefined;
    const line = bytes.toString('utf8', at, end);
    at = end + 1;
    try {
      return JSON.parse(line) as unknown;
    } catch {
      return undefined;
    }
  };
  const header = next() as Record<string, unknown> | undefined;
  if (header?.format !== format || header.key !== key || !isHeader(header)) return undefined;
  // The header alone first: a reader learns at once whether the snapshot is this key's at all.
  yield;
  const recorded: RecordedEnvironment[] = [];
  // One record per env ID, as folding makes them: the index the plan looks records up by is built here.
  const byId = new Map<string, RecordedEnvironment>();
  for (let i = 0; i < (header.records as number); i++) {
    if (i % SLICE === SLICE - 1) yield;
    const r = next() as RecordedEnvironment;
    if (!isRecorded(r) || byId.has(r.env_id)) return undefined;
    recorded.push(r);
    byId.set(r.env_id, r);
  }
  recordedById(recorded, byId);
  const known = new Map<string, string[]>();
  for (let i = 0; i < (header.knownIds as number); i++) {
    if (i % SLICE === SLICE - 1) yield;
    const k = next() as [string, string[]] | undefined;
    if (!isKnownLine(k) || k === undefined || known.has(k[0])) return undefined;
    known.set(k[0], k[1]);
  }
  if (at !== bytes.length) return undefined;
  const { format: _f, key: _k, records: _r, knownIds: _n, ...short } = header;
  return {
    ...(short as Omit<ChangelogState, 'recorded' | 'known'>),
    recorded,
    // As knownHashes builds it: every ID an own property, whatever it is called.
    known: Object.fromEntries(known) as KnownHashes,
  };
}
