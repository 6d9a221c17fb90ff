// A snapshot of the folded history, kept beside the changelog and rebuilt when its run files change, so cost does not grow with history.

import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { writeFileAtomicSync } from '../fs/atomic.js';
import type { ChangelogEntry } from '../model.js';
import { parseEntry } from './entry.js';
import { buildHistory, type History, openHeads, openPlanIds, parentsFor } from './history.js';
import { entriesOfRuns } from './preview-runs.js';
import { type ChangelogState, readSnapshot, snapshotText } from './snapshot.js';

export type { ChangelogState, Repair } from './snapshot.js';

import { foldRecorded, knownHashes } from './state.js';
import { type ChangelogLocation, listRunFiles, readChangelogFiles, readRange } from './store.js';
import { isStep, servedUnder } from './timeline.js';

// 3: records carry the file that last applied them (source) and its previous names.
// 4: the name index keeps each name's positions packed in one string, read only for the name asked.
// 5: records carry every name they had and what superseded them (identity by recorded ID).
// 6: preview runs are left out of the records, the known hashes, the open runs and the name index.
// 7: the snapshot is JSON Lines (a header, a line per record and per known ID), read in slices.
const FORMAT = 7;
/** How many problems a snapshot keeps to show; the count is always exact. */
const PROBLEMS_KEPT = 20;

/** Kept apart from the snapshot: only `history NAME` reads it, and it grows with history. */
interface NameIndex {
  format: number;
  key: string;
  /** Run file paths, so the index can point into them. */
  files: string[];
  /**
   * Per name: every step of every env ID that served it, in order, as `file,offset,length` triples (file
   * index, byte offset and length of the line) joined by `;`. Packed so that loading the index parses a
   * few strings rather than an array per step; only the name asked for is unpacked.
   */
  index: Record<string, string>;
}

/** `.cache/` beside the changelog directory, ignored by git through its own `.gitignore`. */
function cacheDirFor(location: ChangelogLocation): string {
  return path.join(path.dirname(location.dir), '.cache');
}

/** The snapshot of the folded state (JSON Lines). */
export function cacheFileFor(location: ChangelogLocation): string {
  return path.join(cacheDirFor(location), `${path.basename(location.dir)}.state.jsonl`);
}

export const indexFileFor = (location: ChangelogLocation) =>
  path.join(cacheDirFor(location), `${path.basename(location.dir)}.index.json`);

/** The key: every run file's name, size and mtime (and the legacy file's). A new or changed file changes it. */
export function cacheKey(location: ChangelogLocation): string {
  const listed = listRunFiles(location);
  const h = createHash('sha256').update(`${FORMAT}\n${path.resolve(location.dir)}\n`);
  for (const r of [
    listed.legacy,
    ...listed.runs,
    ...listed.aside.map((name) => ({ name, size: 0, mtimeMs: 0 })),
  ]) {
    if (r) h.update(`${r.name}\t${r.size}\t${r.mtimeMs}\n`);
  }
  return h.digest('hex');
}

export function stateOf(
  history: History,
  files: { legacy: boolean; missingNewline: boolean; badLines: { torn: boolean }[]; path: string }[],
): ChangelogState {
  // Preview runs stay in the DAG (parents, verify) but are no part of what the main plan believes.
  const heads = history.mainHeads;
  const main = entriesOfRuns(history.runs, 'main');
  return {
    entries: history.entries.length,
    recorded: foldRecorded(main),
    known: knownHashes(main),
    parents: parentsFor(history),
    open: openHeads({ heads }).flatMap((h) =>
      h.file.legacy ? openPlanIds(h.file.entries) : [h.file.entries[0]?.plan_id ?? h.file.name],
    ),
    uncertain: [...new Set(heads.flatMap((h) => h.uncertain))].sort(),
    problems: history.problems.slice(0, PROBLEMS_KEPT),
    problemCount: history.problems.length,
    repairs: files
      .map((f) => ({ file: f.path, torn: f.badLines.some((b) => b.torn), missingNewline: f.missingNewline }))
      .filter((r) => r.torn || r.missingNewline),
  };
}

function indexOf(history: History, files: string[]): NameIndex['index'] {
  const fileIdx = new Map(files.map((f, i) => [f, i]));
  const byId = new Map<string, Array<[number, number, number]>>();
  const namesOf = new Map<string, Set<string>>();
  for (const run of history.runs) {
    // `history NAME` and "did you mean" are the main history's; previews are read whole, on request.
    if (run.preview !== null) continue;
    const fi = fileIdx.get(run.file.path) ?? -1;
    run.file.entries.forEach((e, i) => {
      if (!isStep(e)) return;
      const span = run.file.spans[i] ?? [0, 0];
      const list = byId.get(e.env_id) ?? [];
      list.push([fi, span[0], span[1]]);
      byId.set(e.env_id, list);
      const served = servedUnder(e);
      if (served === null) return;
      const ids = namesOf.get(served.name) ?? new Set<string>();
      for (const id of served.ids) ids.add(id);
      namesOf.set(served.name, ids);
    });
  }
  const rank = new Map<string, number>();
  for (const [i, r] of history.runs.entries()) rank.set(r.file.path, i);
  const runRank = files.map((f) => rank.get(f) ?? 0);
  const index: NameIndex['index'] = {};
  for (const [name, ids] of namesOf) {
    const all = [...ids].flatMap((id) => byId.get(id) ?? []);
    all.sort((a, b) => (runRank[a[0]] ?? 0) - (runRank[b[0]] ?? 0) || a[1] - b[1]);
    index[name] = all.map((t) => t.join(',')).join(';');
  }
  return index;
}

/** A cache file of this format and key, as a plain object; its fields are checked by the caller. */
function load(file: string, key: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(readFileSync(file, 'utf8'));
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
    const record = value as Record<string, unknown>;
    return record.format === FORMAT && record.key === key ? record : undefined;
  } catch {
    return undefined;
  }
}

/** Written atomically; a cache that cannot be written (a full or read-only disk) is simply not kept. */
function save(file: string, text: string): void {
  try {
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(path.join(path.dirname(file), '.gitignore'), '*\n');
    writeFileAtomicSync(file, text);
  } catch {
    // Not kept: the next read rebuilds it.
  }
}

/** The torn tails set aside, as paths: verify shows them like every other file. */
const asidePaths = (location: ChangelogLocation, names: readonly string[]) =>
  names.map((name) => path.join(location.dir, name));

/** Reads every file and builds the full history (what verify, history, show and resolve use). */
export function readFullHistory(location: ChangelogLocation): History {
  const files = readChangelogFiles(location);
  return buildHistory(files.legacy, files.runs, asidePaths(location, files.aside));
}

/** Reads everything once and saves both the snapshot and the name index. */
function rebuild(location: ChangelogLocation, key: string): { state: ChangelogState; index: NameIndex } {
  const files = readChangelogFiles(location);
  const history = buildHistory(files.legacy, files.runs, asidePaths(location, files.aside));
  const all = [...(files.legacy ? [files.legacy] : []), ...files.runs];
  const paths = all.map((f) => f.path);
  const built = {
    state: stateOf(history, all),
    index: { format: FORMAT, key, files: paths, index: indexOf(history, paths) },
  };
  if (paths.length > 0) {
    save(cacheFileFor(location), snapshotText(FORMAT, key, built.state));
    save(indexFileFor(location), JSON.stringify(built.index));
    // The one-document snapshot of formats up to 6, read by nothing now; one that cannot go simply stays.
    try {
      rmSync(path.join(cacheDirFor(location), `${path.basename(location.dir)}.json`), { force: true });
    } catch {}
  }
  return built;
}

function snapshotBytes(location: ChangelogLocation): Buffer | undefined {
  try {
    return readFileSync(cacheFileFor(location));
  } catch {
    return undefined;
  }
}

/**
 * The folded state, from the cache when the run files have not changed since it was built. A caller that
 * also reads the name index passes the key it already worked out (a `stat` of every run file).
 */
export function loadState(location: ChangelogLocation, key = cacheKey(location)): ChangelogState {
  const bytes = snapshotBytes(location);
  // A snapshot is input like any other: one that does not read as what stateOf writes is rebuilt.
  const state = bytes === undefined ? undefined : finish(readSnapshot(bytes, FORMAT, key));
  return state ?? rebuild(location, key).state;
}

/**
 * `loadState` for a caller with something to wait for: the run files are listed and stat'ed now (a changelog
 * that cannot be read stops the caller here), and a snapshot that is not this key's is rebuilt now; one that
 * is is read in slices, a turn of the event loop between them, so what the caller awaits meanwhile (the
 * live list's pages) goes on. Only a snapshot that goes bad between its first line and its last is rebuilt
 * later.
 */
export function loadStateInSlices(location: ChangelogLocation): Promise<ChangelogState> {
  const key = cacheKey(location);
  const bytes = snapshotBytes(location);
  const reading = bytes === undefined ? undefined : readSnapshot(bytes, FORMAT, key);
  // The first step reads the header: a snapshot of another key or format is rebuilt now, before the caller goes on.
  const first = reading?.next();
  if (reading === undefined || first === undefined || (first.done && first.value === undefined))
    return Promise.resolve(rebuild(location, key).state);
  if (first.done) return Promise.resolve(first.value as ChangelogState);
  return (async () => {
    for (;;) {
      await new Promise((resolve) => setImmediate(resolve));
      const step = reading.next();
      if (step.done) return step.value ?? rebuild(location, key).state;
    }
  })();
}

/** Runs a slice-by-slice reading to its end at once. */
function finish<T>(reading: Generator<void, T, void>): T {
  for (;;) {
    const step = reading.next();
    if (step.done) return step.value;
  }
}

function isNameIndex(value: Record<string, unknown>): value is Record<string, unknown> & NameIndex {
  const { files, index } = value;
  return (
    Array.isArray(files) &&
    files.every((f) => typeof f === 'string') &&
    typeof index === 'object' &&
    index !== null &&
    Object.values(index).every((v) => typeof v === 'string')
  );
}

function nameIndex(location: ChangelogLocation, key: string): NameIndex {
  const cached = load(indexFileFor(location), key);
  return cached !== undefined && isNameIndex(cached) ? cached : rebuild(location, key).index;
}

/**
 * The step entries of every env ID that served `name`, in history order, read straight from the lines the
 * index points at; null when a line no longer reads as the entry it was (then the caller reads it all).
 */
export function entriesForName(
  location: ChangelogLocation,
  name: string,
  key = cacheKey(location),
): ChangelogEntry[] | null {
  const snap = nameIndex(location, key);
  const out: ChangelogEntry[] = [];
  const packed = snap.index[name];
  for (const triple of packed ? packed.split(';') : []) {
    const [fi, offset, length] = triple.split(',').map(Number) as [number, number, number];
    const file = snap.files[fi];
    if (file === undefined || !Number.isSafeInteger(offset) || !Number.isSafeInteger(length)) return null;
    let parsed: ReturnType<typeof parseEntry>;
    try {
      parsed = parseEntry(JSON.parse(readRange(file, offset, length)));
    } catch {
      return null;
    }
    if (!parsed.ok) return null;
    out.push(parsed.entry);
  }
  return out;
}

/** Every name the snapshot knows (for "did you mean"). */
export function namesKnown(location: ChangelogLocation, key = cacheKey(location)): string[] {
  return Object.keys(nameIndex(location, key).index).sort();
}
