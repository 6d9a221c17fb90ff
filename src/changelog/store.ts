// The append-only JSONL changelog: read it, append hash-chained entries (fsynced one by one), set aside a torn tail.

import {
  closeSync,
  existsSync,
  fsyncSync,
  ftruncateSync,
  mkdirSync,
  openSync,
  readFileSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import path from 'node:path';
import { EnvsyncError } from '../errors.js';
import { canonicalJson } from '../hash/canonical-json.js';
import { sha256Hex } from '../hash/config-hash.js';
import type { ChangelogEntry } from '../model.js';

export type NewEntry = Omit<ChangelogEntry, 'v' | 'seq' | 'prev' | 'hash'>;

/** A line that could not be read as an entry. */
export interface BadLine {
  line: number;
  text: string;
  /** true for an unterminated last line: a write cut short by a crash. */
  torn: boolean;
}

export interface ChangelogFile {
  path: string;
  entries: ChangelogEntry[];
  badLines: BadLine[];
  /** The 1-based line of each entry, parallel to `entries` (blank lines make them differ from the index). */
  lines: number[];
}

/** The hash of an entry: sha256 over the canonical JSON of every field but `hash`. */
export function entryHash(entry: Omit<ChangelogEntry, 'hash'> | ChangelogEntry): string {
  const { hash: _ignored, ...rest } = entry as ChangelogEntry;
  return `sha256:${sha256Hex(canonicalJson(rest))}`;
}

/** Reads every entry; lines that do not parse are returned apart, never dropped. */
export function readChangelog(file: string): ChangelogFile {
  if (!existsSync(file)) return { path: file, entries: [], badLines: [], lines: [] };
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new EnvsyncError(
      'changelog_unreadable',
      `cannot read the changelog ${file}: ${(e as Error).message}`,
      {
        hint: '--changelog takes the path of a .jsonl file',
        cause: e,
      },
    );
  }
  const lines = text.split('\n');
  const endsClean = text.endsWith('\n') || text === '';
  if (endsClean) lines.pop();
  const entries: ChangelogEntry[] = [];
  const badLines: BadLine[] = [];
  const entryLines: number[] = [];
  lines.forEach((line, i) => {
    if (line.trim() === '') return;
    const torn = !endsClean && i === lines.length - 1;
    try {
      const value = JSON.parse(line) as unknown;
      if (!value || typeof value !== 'object' || Array.isArray(value) || (value as ChangelogEntry).v !== 1) {
        badLines.push({ line: i + 1, text: line, torn });
        return;
      }
      if (torn) {
        // A complete JSON object without its newline: the write finished but the newline did not.
        badLines.push({ line: i + 1, text: line, torn });
        return;
      }
      entries.push(value as ChangelogEntry);
      entryLines.push(i + 1);
    } catch {
      badLines.push({ line: i + 1, text: line, torn });
    }
  });
  return { path: file, entries, badLines, lines: entryLines };
}

/**
 * An open changelog for appending. Each append is one write of one line followed by fsync, so a crash
 * leaves at most one torn last line, which the next open sets aside.
 */
export class ChangelogWriter {
  private last: ChangelogEntry | undefined;
  private constructor(
    readonly path: string,
    private readonly fd: number,
    entries: ChangelogEntry[],
  ) {
    this.last = entries[entries.length - 1];
  }

  /**
   * Opens for appending. A torn last line is copied to `<file>.torn-<n>` and cut off the file (the only
   * change envsync ever makes to existing bytes), so new entries start on a clean line.
   * Returns the writer and the path the torn line was kept at, if any.
   */
  static open(
    file: string,
    current: ChangelogFile,
  ): { writer: ChangelogWriter; keptAside: string | undefined } {
    mkdirSync(path.dirname(file), { recursive: true });
    const fd = openSync(file, 'a+');
    let keptAside: string | undefined;
    if (current.badLines.some((b) => b.torn)) {
      // Work on the raw bytes: a crash can cut a multi-byte character, which decoding would alter.
      const bytes = readFileSync(file);
      const cut = bytes.lastIndexOf(0x0a) + 1;
      let n = 1;
      while (existsSync(`${file}.torn-${n}`)) n++;
      keptAside = `${file}.torn-${n}`;
      writeFileSync(keptAside, bytes.subarray(cut), { flag: 'wx' });
      ftruncateSync(fd, cut);
      fsyncSync(fd);
    }
    return { writer: new ChangelogWriter(file, fd, current.entries), keptAside };
  }

  /** Appends one entry, chained to the previous one, and fsyncs it before returning. */
  append(entry: NewEntry): ChangelogEntry {
    // Fields in the documented order (DESIGN §8), whatever order the caller built them in.
    const body: Omit<ChangelogEntry, 'hash'> = {
      v: 1,
      seq: (this.last?.seq ?? 0) + 1,
      at: entry.at,
      op: entry.op,
      name: entry.name,
      env_id: entry.env_id,
      config_hash: entry.config_hash,
      config: entry.config,
      description: entry.description,
      metadata: entry.metadata,
      lifecycle: entry.lifecycle,
      replaces: entry.replaces,
      source: entry.source,
      git_commit: entry.git_commit,
      actor: entry.actor,
      target: entry.target,
      plan_id: entry.plan_id,
      detail: entry.detail,
      prev: this.last?.hash ?? null,
    };
    const full: ChangelogEntry = { ...body, hash: entryHash(body) };
    const line = Buffer.from(`${JSON.stringify(full)}\n`);
    try {
      // One line, written whole: loop over short writes rather than leave a torn line behind.
      for (let done = 0; done < line.length; ) done += writeSync(this.fd, line, done, line.length - done);
      fsyncSync(this.fd);
    } catch (e) {
      throw new EnvsyncError('changelog_write_failed', `could not write the changelog ${this.path}`, {
        hint: 'check the disk and permissions; run apply again once it is writable (it reconciles)',
        cause: e,
      });
    }
    this.last = full;
    return full;
  }

  close(): void {
    closeSync(this.fd);
  }
}
