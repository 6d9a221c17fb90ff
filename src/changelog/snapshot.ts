// The history snapshot read back from disk, checked field by field like any other input: a cache that does
// not read as exactly what `stateOf` writes is not believed (the history is read again instead).

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
  (v) =>
    typeof v === 'object' && v !== null && !Array.isArray(v) && Object.values(v).every(check);

function shape(fields: Record<string, Check>): Check {
  return (v) => {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
    const o = v as Record<string, unknown>;
    return Object.entries(fields).every(([k, check]) => check(o[k]));
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

const isState: Check = shape({
  entries: isCount,
  recorded: listOf(isRecorded),
  known: textMap(listOf(isText)),
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
} satisfies Record<keyof ChangelogState, Check>);

/** The snapshot's state when every field reads as `stateOf` wrote it; undefined otherwise. */
export function parseSnapshotState(value: Record<string, unknown>): ChangelogState | undefined {
  const { format: _f, key: _k, ...state } = value;
  return isState(state) ? (state as unknown as ChangelogState) : undefined;
}
