// Durable emulator state: reading it, clearing temp files a crash left, and group commit of concurrent writes.

import { readdir, readFile, unlink } from 'node:fs/promises';
import path from 'node:path';
import { EnvsyncError } from '../errors.js';
import { tempPrefix, writeFileAtomic } from '../fs/atomic.js';

export { writeFileAtomic };

/** The state file's text, or null when there is none yet. */
export async function readState(file: string): Promise<string | null> {
  try {
    return await readFile(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return null;
    throw new EnvsyncError(
      'emulator_state_unreadable',
      `cannot read the emulator state file ${file} (${code})`,
      {
        cause: e,
        hint: 'pass the path of a file (it is created if missing) that you can read and write',
      },
    );
  }
}

/** A kill -9 between write and rename leaves a temp file behind; it never held acknowledged-only data. */
export async function removeStaleTemps(file: string): Promise<void> {
  const dir = path.dirname(file);
  const prefix = tempPrefix(file);
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return;
  }
  await Promise.all(
    names.filter((n) => n.startsWith(prefix)).map((n) => unlink(path.join(dir, n)).catch(() => undefined)),
  );
}

interface Waiter {
  promise: Promise<void>;
  resolve: () => void;
  reject: (e: unknown) => void;
}

function waiter(): Waiter {
  let resolve!: () => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/**
 * Group commit: every writer that changed the state calls `commit()` and waits for a write that
 * started after its change. While one write is in flight, all later callers share the next single
 * write, so a burst of N parallel requests costs about two file writes instead of N.
 */
export class GroupCommit {
  private inFlight: Waiter | undefined;
  private next: Waiter | undefined;
  /** How many file writes have started; for tests and benchmarks. */
  rounds = 0;

  constructor(
    private readonly snapshot: () => string,
    private readonly write: (text: string) => Promise<void>,
  ) {}

  commit(): Promise<void> {
    this.next ??= waiter();
    const { promise } = this.next;
    if (!this.inFlight) void this.round();
    return promise;
  }

  /** Resolves when no write is in flight or queued. */
  async idle(): Promise<void> {
    for (let w = this.next ?? this.inFlight; w; w = this.next ?? this.inFlight) {
      await w.promise.catch(() => undefined);
    }
  }

  private async round(): Promise<void> {
    const batch = this.next;
    if (!batch) return;
    this.next = undefined;
    this.inFlight = batch;
    this.rounds++;
    // Taken synchronously, before any await: everything committed so far is in it, nothing later claims to be.
    try {
      await this.write(this.snapshot());
      batch.resolve();
    } catch (e) {
      batch.reject(e);
    } finally {
      this.inFlight = undefined;
      if (this.next) void this.round();
    }
  }
}
