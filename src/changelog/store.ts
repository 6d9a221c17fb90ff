// Reads the changelog from disk: the run files of its directory and the legacy single file, each line typed at the edge.

import { closeSync, fstatSync, openSync, readdirSync, readSync, statSync } from 'node:fs';
import path from 'node:path';
import { EnvsyncError, wrapFsError } from '../errors.js';
import type { ChangelogEntry } from '../model.js';
import { parseEntry } from './entry.js';

export { entryHash } from './entry.js';

/** Where a changelog lives: its directory of run files, and the legacy file read as the root of its history. */
export interface ChangelogLocation {
  dir: string;
  legacy: string;
}

/**
 * `--changelog` and the defaults name the directory; a path ending in `.jsonl` (what earlier versions
 * took) names the legacy file, whose run files then go in the directory of the same name without it.
 */
export function changelogLocation(pathOrDir: string): ChangelogLocation {
  const dir = pathOrDir.endsWith('.jsonl')
    ? pathOrDir.slice(0, -'.jsonl'.length)
    : pathOrDir.replace(/[\\/]+$/, '');
  return { dir, legacy: `${dir}.jsonl` };
}

/** A line that could not be read as an entry. */
export interface BadLine {
  line: number;
  text: string;
  /** true for an unterminated last line that is not a whole entry: a write cut short. */
  torn: boolean;
  message: string;
}

export interface ChangelogFile {
  path: string;
  /** The file's name: a run file's is `<time>-<plan_id>.jsonl`. */
  name: string;
  legacy: boolean;
  entries: ChangelogEntry[];
  /** The 1-based line of each entry, parallel to `entries`. */
  lines: number[];
  /** The byte offset and length of each entry's line, parallel to `entries` (a cached index points there). */
  spans: Array<[number, number]>;
  badLines: BadLine[];
  /** The last line is a whole entry that only lacks its newline (kept; apply adds the newline). */
  missingNewline: boolean;
  size: number;
  mtimeMs: number;
}

function notAFile(file: string, what: string): EnvsyncError {
  return new EnvsyncError(
    'changelog_unreadable',
    `cannot read the changelog: ${file} is ${what}, not a file`,
    {
      hint: 'move it away: only run files (*.jsonl) belong in the changelog directory',
    },
  );
}

/** Reads a file without ever blocking on a FIFO or reading a directory: checked on the open descriptor. */
function readRegular(file: string): { bytes: Buffer; size: number; mtimeMs: number } {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch (e) {
    throw wrapFsError(e, file, 'read the changelog');
  }
  try {
    const st = fstatSync(fd);
    if (st.isDirectory()) throw notAFile(file, 'a directory');
    if (!st.isFile()) throw notAFile(file, 'a FIFO, socket or device');
    const bytes = Buffer.alloc(st.size);
    for (let done = 0; done < st.size; ) {
      const n = readSync(fd, bytes, done, st.size - done, done);
      if (n === 0) break;
      done += n;
    }
    return { bytes, size: st.size, mtimeMs: st.mtimeMs };
  } catch (e) {
    throw wrapFsError(e, file, 'read the changelog');
  } finally {
    closeSync(fd);
  }
}

/** Splits and types one file's lines; lines that are not entries are returned apart, never dropped. */
export function parseChangelogText(
  file: string,
  text: string,
  legacy: boolean,
  size = 0,
  mtimeMs = 0,
): ChangelogFile {
  const out: ChangelogFile = {
    path: file,
    name: path.basename(file),
    legacy,
    entries: [],
    lines: [],
    spans: [],
    badLines: [],
    missingNewline: false,
    size,
    mtimeMs,
  };
  const lines = text.split('\n');
  const endsClean = text.endsWith('\n') || text === '';
  if (endsClean) lines.pop();
  let offset = 0;
  lines.forEach((line, i) => {
    const start = offset;
    const length = Buffer.byteLength(line);
    offset += length + 1;
    if (line.trim() === '') return;
    const last = !endsClean && i === lines.length - 1;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      out.badLines.push({ line: i + 1, text: line, torn: last, message: 'not JSON' });
      return;
    }
    const parsed = parseEntry(value);
    if (!parsed.ok) {
      out.badLines.push({ line: i + 1, text: line, torn: false, message: parsed.error });
      return;
    }
    if (last) out.missingNewline = true;
    out.entries.push(parsed.entry);
    out.lines.push(i + 1);
    out.spans.push([start, length]);
  });
  return out;
}

export function readChangelogFile(file: string, legacy: boolean): ChangelogFile {
  const { bytes, size, mtimeMs } = readRegular(file);
  return parseChangelogText(file, bytes.toString('utf8'), legacy, size, mtimeMs);
}

/** What is on disk: the legacy file (if any), the run files, and torn tails set aside earlier. */
export interface ChangelogFiles {
  location: ChangelogLocation;
  legacy: ChangelogFile | null;
  runs: ChangelogFile[];
  /** `<run file>.torn-<n>`: fragments of cut-short lines, copied out of their run file. */
  aside: string[];
}

/** A directory's run files with their size and mtime, without reading them: what the cache is keyed on. */
export interface RunStat {
  name: string;
  size: number;
  mtimeMs: number;
}

function existingKind(p: string): 'file' | 'dir' | 'other' | null {
  try {
    const st = statSync(p);
    return st.isFile() ? 'file' : st.isDirectory() ? 'dir' : 'other';
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw wrapFsError(e, p, 'read the changelog');
  }
}

export function listRunFiles(location: ChangelogLocation): {
  runs: RunStat[];
  aside: string[];
  legacy: RunStat | null;
} {
  const { dir, legacy } = location;
  const legacyKind = existingKind(legacy);
  if (legacyKind === 'dir' || legacyKind === 'other')
    throw notAFile(legacy, legacyKind === 'dir' ? 'a directory' : 'a FIFO, socket or device');
  const legacyStat = legacyKind === 'file' ? statSync(legacy) : null;
  const dirKind = existingKind(dir);
  if (dirKind !== null && dirKind !== 'dir') {
    throw new EnvsyncError('changelog_unreadable', `cannot read the changelog: ${dir} is not a directory`, {
      hint: '--changelog takes the directory of run files (.envsync/changelog)',
    });
  }
  const names = dirKind === 'dir' ? readdirSync(dir).sort() : [];
  const runs: RunStat[] = [];
  const aside: string[] = [];
  for (const name of names) {
    if (/\.jsonl\.torn-\d+$/.test(name)) aside.push(name);
    if (!name.endsWith('.jsonl')) continue;
    const p = path.join(dir, name);
    const st = statSync(p);
    if (st.isDirectory()) throw notAFile(p, 'a directory');
    if (!st.isFile()) throw notAFile(p, 'a FIFO, socket or device');
    runs.push({ name, size: st.size, mtimeMs: st.mtimeMs });
  }
  return {
    runs,
    aside,
    legacy: legacyStat
      ? { name: path.basename(legacy), size: legacyStat.size, mtimeMs: legacyStat.mtimeMs }
      : null,
  };
}

/** Reads every run file and the legacy file. Empty run files (a run that could not write its begin) are skipped. */
export function readChangelogFiles(location: ChangelogLocation): ChangelogFiles {
  const listed = listRunFiles(location);
  const legacy = listed.legacy ? readChangelogFile(location.legacy, true) : null;
  const runs = listed.runs
    .filter((r) => r.size > 0)
    .map((r) => readChangelogFile(path.join(location.dir, r.name), false));
  return { location, legacy, runs, aside: listed.aside };
}

/** Reads the bytes at [offset, offset+length) of a file: a cached index points at lines this way. */
export function readRange(file: string, offset: number, length: number): string {
  const fd = openSync(file, 'r');
  try {
    const buf = Buffer.alloc(length);
    readSync(fd, buf, 0, length, offset);
    return buf.toString('utf8');
  } finally {
    closeSync(fd);
  }
}
