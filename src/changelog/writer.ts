// Writes one run file: created on the first entry, each entry one fsynced line chained to the one before.

import {
  closeSync,
  fstatSync,
  fsyncSync,
  ftruncateSync,
  mkdirSync,
  openSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import path from 'node:path';
import { EnvsyncError, wrapFsError } from '../errors.js';
import { syncDirSync } from '../fs/atomic.js';
import type { ChangelogEntryV2 } from '../model.js';
import { entryHash } from './entry.js';

/** An entry as apply builds it: the writer adds `v`, `seq`, `prev` and `hash`. */
export type NewEntry = ChangelogEntryV2 extends infer T
  ? T extends unknown
    ? Omit<T, 'v' | 'seq' | 'prev' | 'hash'>
    : never
  : never;

/** `20261003T140000Z-plan_….jsonl`: sorts by time, and two applies never pick the same name. */
export function runFileName(at: Date, planId: string): string {
  const stamp = at
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
  return `${stamp}-${planId.replace(/[^A-Za-z0-9_.-]/g, '_')}.jsonl`;
}

/**
 * The run file of one apply. Nothing is created until the first entry, so an apply that records nothing
 * leaves no file. A failed or short write is cut back to the last whole line and the writer refuses
 * every later entry: `failure` then tells the apply to stop writing to the API too. `beforeAppend` is
 * the lock's check: an apply that lost its lock must not write another line.
 */
export class RunWriter {
  private fd: number | undefined;
  private last: ChangelogEntryV2 | undefined;
  private size = 0;
  failure: EnvsyncError | undefined;
  readonly path: string;

  constructor(
    readonly dir: string,
    name: string,
    private readonly beforeAppend: () => void,
  ) {
    this.path = path.join(dir, name);
  }

  get written(): number {
    return this.last?.seq ?? 0;
  }

  /**
   * Throws unless another entry may be written: no earlier failure, and the lock is still this apply's.
   * A lost lock is a failure like a failed write: from then on nothing more is written, to the changelog
   * or (through the apply's gate, which asks this before every write) to the API.
   */
  ready(): void {
    if (this.failure) throw this.failure;
    try {
      this.beforeAppend();
    } catch (e) {
      this.failure =
        e instanceof EnvsyncError
          ? e
          : new EnvsyncError('lock_lost', `could not check the lock of ${this.path}`, { cause: e });
      throw this.failure;
    }
  }

  append(entry: NewEntry): ChangelogEntryV2 {
    this.ready();
    const body: Omit<ChangelogEntryV2, 'hash'> = {
      v: 2,
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
      git_dirty: entry.git_dirty,
      actor: entry.actor,
      target: entry.target,
      workspace: entry.workspace,
      plan_id: entry.plan_id,
      detail: entry.detail,
      parents: entry.parents,
      prev: this.last?.hash ?? null,
    } as Omit<ChangelogEntryV2, 'hash'>;
    const full = { ...body, hash: entryHash(body) } as ChangelogEntryV2;
    const line = Buffer.from(`${JSON.stringify(full)}\n`);
    try {
      if (this.fd === undefined) {
        mkdirSync(this.dir, { recursive: true });
        this.fd = openSync(this.path, 'wx');
      }
      // One line, written whole: loop over short writes; an error midway is cut back below.
      for (let done = 0; done < line.length; ) {
        const n = writeSync(this.fd, line, done, line.length - done);
        if (n === 0)
          throw new EnvsyncError('changelog_write_failed', `the changelog ${this.path} took 0 bytes`);
        done += n;
      }
      fsyncSync(this.fd);
      if (this.size === 0) syncDirSync(this.dir);
    } catch (e) {
      this.failure = this.cutBack(e);
      throw this.failure;
    }
    this.size += line.length;
    this.last = full;
    return full;
  }

  /** Truncates to the last whole line (the only change made to written bytes); an empty file of ours is removed. */
  private cutBack(cause: unknown): EnvsyncError {
    const error = wrapFsError(cause, this.path, 'write the changelog');
    if (this.fd === undefined) return error;
    try {
      if (fstatSync(this.fd).size !== this.size) {
        ftruncateSync(this.fd, this.size);
        fsyncSync(this.fd);
      }
      if (this.size === 0) {
        closeSync(this.fd);
        this.fd = undefined;
        unlinkSync(this.path);
      }
    } catch {
      // The cut failed too: the next reader finds a torn last line and sets it aside.
    }
    return error;
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}
