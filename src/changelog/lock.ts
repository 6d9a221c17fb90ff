// A lock file next to the changelog, so two applies never write at once; a dead holder's lock is taken over.
// The apply asks `check()` before every API write and every changelog line (RunWriter.ready), so a holder
// whose lock went away (deleted, or moved aside by a racing takeover) stops before its next write.
// A holder on this host is judged by its PID. One on another host (a CI container sharing the checkout)
// cannot be: its PID means nothing here. So a holder touches its lock file while it holds it (a heartbeat),
// and another host's lock whose file has not been touched for several heartbeats is taken over.

import { randomUUID } from 'node:crypto';
import {
  existsSync,
  linkSync,
  mkdirSync,
  readFileSync,
  renameSync,
  statSync,
  unlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';
import { kill, pid } from 'node:process';
import { EnvsyncError, wrapFsError } from '../errors.js';
import type { Reporter } from '../model.js';
import { formatDuration } from '../util/duration.js';

interface LockInfo {
  pid: number;
  host: string;
  started_at: string;
  /** Tells this apply's lock from a later one of the same process. */
  token?: string;
}

/** How often a holder touches its lock, and how long another host's untouched lock counts as held. */
export interface LockTiming {
  heartbeatMs: number;
  /** Several heartbeats, so a busy or briefly paused holder, or a little clock skew, never looks dead. */
  staleMs: number;
  /** Told after each heartbeat touched the lock file (for tests: the heartbeat is seen, not waited for). */
  onHeartbeat?: (mtime: Date) => void;
}

export const LOCK_TIMING: LockTiming = { heartbeatMs: 10_000, staleMs: 120_000 };

export interface Lock {
  path: string;
  /** Set when the lock was taken over from a holder that is gone. */
  tookOverFrom: LockInfo | undefined;
  /** For a holder on another host: how long its lock file had gone untouched when it was taken over. */
  silentForMs: number | undefined;
  /** Throws `lock_lost` when the lock file is no longer this apply's (deleted, or taken by another). */
  check(): void;
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

function lockedBy(holder: LockInfo | undefined, file: string, touchedAgoMs?: number): EnvsyncError {
  const who = holder ? `pid ${holder.pid} on ${holder.host}, since ${holder.started_at}` : 'being created';
  const touched = touchedAgoMs === undefined ? '' : `, last heard from ${formatDuration(touchedAgoMs)} ago`;
  return new EnvsyncError('locked', `another envsync apply holds the lock (${who}${touched})`, {
    hint: `wait for it to finish; if it is certainly gone, delete ${file}`,
  });
}

function removeIfEmpty(file: string): void {
  try {
    if (statSync(file).size === 0) unlinkSync(file);
  } catch {
    // Not there, or not ours to remove.
  }
}

/** How long ago the file was last written or touched (0 when it is gone or dated in the future). */
function ageOf(file: string, now: Date): number {
  try {
    return Math.max(0, Math.round(now.getTime() - statSync(file).mtimeMs));
  } catch {
    return 0;
  }
}

/** An unreadable lock may be one being written this very moment: only an old one counts as abandoned. */
function youngerThan(file: string, now: Date, ms: number): boolean {
  try {
    return now.getTime() - statSync(file).mtimeMs < ms;
  } catch {
    return false;
  }
}

/**
 * Touches the lock file every `heartbeatMs` while it is this apply's (never another's), on a timer that
 * does not keep the process alive. A failed touch is left to `check()`: a lock that is gone stops the
 * holder before its next write.
 */
function startHeartbeat(file: string, token: string, now: () => Date, timing: LockTiming): () => void {
  const timer = setInterval(() => {
    if (readLock(file)?.token !== token) return;
    const at = now();
    try {
      utimesSync(file, at, at);
    } catch {
      return;
    }
    timing.onHeartbeat?.(at);
  }, timing.heartbeatMs);
  timer.unref();
  return () => clearInterval(timer);
}

/** Whether the holder may still be at work: on this host its process lives, on another its file is fresh. */
function stillHeld(holder: LockInfo, mine: LockInfo, age: number, timing: LockTiming): boolean {
  return holder.host === mine.host ? alive(holder.pid) : age < timing.staleMs;
}

export function acquireLock(
  changelogDir: string,
  now: () => Date = () => new Date(),
  timing: LockTiming = LOCK_TIMING,
): Lock {
  const file = `${changelogDir}.lock`;
  const mine: LockInfo = { pid, host: hostname(), started_at: now().toISOString(), token: randomUUID() };
  let tookOverFrom: LockInfo | undefined;
  let silentForMs: number | undefined;
  mkdirSync(path.dirname(file), { recursive: true });
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      writeFileSync(file, `${JSON.stringify(mine)}\n`, { flag: 'wx' });
      let released = false;
      const stopHeartbeat = startHeartbeat(file, mine.token as string, now, timing);
      return {
        path: file,
        tookOverFrom,
        silentForMs,
        check() {
          const holder = readLock(file);
          if (holder?.token === mine.token) return;
          throw new EnvsyncError('lock_lost', `this apply no longer holds the lock ${file}`, {
            hint: holder
              ? `pid ${holder.pid} on ${holder.host} took it; nothing more is written. Run apply again once it is done`
              : 'the lock file was deleted while applying; nothing more is written. Run apply again',
          });
        },
        release() {
          if (released) return;
          released = true;
          stopHeartbeat();
          if (readLock(file)?.token === mine.token) unlinkSync(file);
        },
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') {
        // The exclusive create may have made the file before the write failed (a full disk): an empty lock
        // left behind would read as one being created, and block every later apply.
        removeIfEmpty(file);
        // A full disk or a read-only folder says so (fs_full, fs_permission, …), with its own hint.
        throw wrapFsError(e, file, 'create the lock file');
      }
    }
    const holder = readLock(file);
    // Gone between our create and our read (another taker moved it aside): just try to create again.
    if (holder === undefined && !existsSync(file)) continue;
    const age = ageOf(file, now());
    if (holder ? stillHeld(holder, mine, age, timing) : youngerThan(file, now(), 10_000)) {
      throw lockedBy(holder, file, holder && holder.host !== mine.host ? age : undefined);
    }
    // The holder is gone (or its lock was left unreadable long ago, or another host's holder stopped
    // touching it): take it over. Moving it aside is atomic, so of two processes taking over at once only
    // one moves it; whoever moved a fresh lock instead of the dead one puts it back and gives way.
    const aside = `${file}.stale-${pid}`;
    try {
      renameSync(file, aside);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw new EnvsyncError('lock_failed', `could not take over the lock file ${file}`, { cause: e });
    }
    const moved = readLock(aside);
    // An unreadable lock we moved may be one being written this instant (a winner's, just created):
    // only an old one counts as the abandoned lock we judged.
    // Another host's holder may have touched its lock between our look and the move: then it is alive.
    const movedFresh =
      moved === undefined
        ? youngerThan(aside, now(), 10_000)
        : moved.host !== mine.host && youngerThan(aside, now(), timing.staleMs);
    if (movedFresh || moved?.pid !== holder?.pid || moved?.started_at !== holder?.started_at) {
      try {
        linkSync(aside, file);
      } catch {
        // A newer lock is already in place; the one we moved was superseded anyway.
      }
      unlinkSync(aside);
      throw lockedBy(moved, file);
    }
    unlinkSync(aside);
    tookOverFrom = holder ?? { pid: 0, host: 'unknown', started_at: 'unknown' };
    silentForMs = holder && holder.host !== mine.host ? age : undefined;
  }
  throw new EnvsyncError('locked', `could not take the lock ${file}`, {
    hint: 'another apply may be starting; try again',
  });
}

/** How long to wait for a held lock (`--lock-timeout`), and how to say so; 0 fails at once, as before. */
export interface LockWait {
  timeoutMs: number;
  /** Told once, when the lock is found held: what it waits for, and for how long at most. */
  onWait(holder: string, timeoutMs: number): void;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
}

const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Takes the lock, waiting while another live apply holds it, at most `timeoutMs` (checking again with a
 * growing pause up to a second). Past the deadline the refusal says how long it waited.
 */
export async function acquireLockWithin(
  changelogDir: string,
  wait: LockWait,
  timing: LockTiming = LOCK_TIMING,
): Promise<Lock> {
  const now = wait.now ?? Date.now;
  const sleep = wait.sleep ?? pause;
  const deadline = now() + wait.timeoutMs;
  let told = false;
  for (let delay = 100; ; delay = Math.min(delay * 2, 1000)) {
    try {
      return acquireLock(changelogDir, undefined, timing);
    } catch (e) {
      if (!(e instanceof EnvsyncError) || e.code !== 'locked') throw e;
      const left = deadline - now();
      if (left <= 0) {
        if (!told) throw e;
        throw new EnvsyncError('locked', `${e.message}; waited ${formatDuration(wait.timeoutMs)} for it`, {
          hint: `raise --lock-timeout, or ${e.hint ?? 'wait for it to finish'}`,
          cause: e,
        });
      }
      if (!told) wait.onWait(e.message, wait.timeoutMs);
      told = true;
      await sleep(Math.min(delay, left));
    }
  }
}

/** A lock wait that tells the user, through the reporter, what it waits for and for how long at most. */
export function reportedLockWait(timeoutMs: number, reporter: Reporter): LockWait {
  return {
    timeoutMs,
    onWait: (holder, ms) =>
      reporter.event({
        type: 'notice',
        message: `waiting up to ${formatDuration(ms)} (--lock-timeout) for the changelog lock: ${holder}`,
      }),
  };
}

/** What a takeover is reported as: whose lock it was, and why it counted as abandoned. */
export function takeoverWarning(lock: Lock): string | undefined {
  const from = lock.tookOverFrom;
  if (from === undefined) return undefined;
  return lock.silentForMs === undefined
    ? `took over the lock of pid ${from.pid} (${from.host}), which is gone`
    : `took over the lock of pid ${from.pid} on ${from.host}, silent for ${formatDuration(lock.silentForMs)} (no heartbeat)`;
}
