// A lock file next to the changelog, so two applies never write at once; a dead holder's lock is taken over.

import { mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';
import { kill, pid } from 'node:process';
import { EnvsyncError } from '../errors.js';

interface LockInfo {
  pid: number;
  host: string;
  started_at: string;
}

export interface Lock {
  path: string;
  /** Set when the lock was taken over from a holder that is gone. */
  tookOverFrom: LockInfo | undefined;
  release(): void;
}

function alive(holder: number): boolean {
  try {
    kill(holder, 0);
    return true;
  } catch (e) {
    // EPERM: the process exists but belongs to someone else.
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readLock(file: string): LockInfo | undefined {
  try {
    const info = JSON.parse(readFileSync(file, 'utf8')) as LockInfo;
    return typeof info.pid === 'number' ? info : undefined;
  } catch {
    return undefined;
  }
}

export function acquireLock(changelogPath: string, now: () => Date = () => new Date()): Lock {
  const file = `${changelogPath}.lock`;
  const mine: LockInfo = { pid, host: hostname(), started_at: now().toISOString() };
  let tookOverFrom: LockInfo | undefined;
  mkdirSync(path.dirname(file), { recursive: true });
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(file, `${JSON.stringify(mine)}\n`, { flag: 'wx' });
      let released = false;
      return {
        path: file,
        tookOverFrom,
        release() {
          if (released) return;
          released = true;
          if (readLock(file)?.pid === mine.pid) unlinkSync(file);
        },
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw new EnvsyncError('lock_failed', `could not create the lock file ${file}`, {
          hint: 'check that the changelog directory is writable',
          cause: e,
        });
      }
    }
    const holder = readLock(file);
    if (holder && (holder.host !== mine.host || alive(holder.pid))) {
      throw new EnvsyncError(
        'locked',
        `another envsync apply holds the lock (pid ${holder.pid} on ${holder.host}, since ${holder.started_at})`,
        { hint: `wait for it to finish; if it is certainly gone, delete ${file}` },
      );
    }
    // The holder is gone (or the lock is unreadable): take it over.
    tookOverFrom = holder ?? { pid: 0, host: 'unknown', started_at: 'unknown' };
    unlinkSync(file);
  }
  throw new EnvsyncError('locked', `could not take the lock ${file}`, {
    hint: 'another apply may be starting; try again',
  });
}
