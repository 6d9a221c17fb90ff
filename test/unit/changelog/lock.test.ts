import { type ChildProcessWithoutNullStreams, spawn, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { acquireLock } from '../../../src/changelog/lock.js';
import { EnvsyncError } from '../../../src/errors.js';
import { ROOT, tempDir } from '../../helpers/cli.js';

/** A PID that is certainly not running: a child that has exited and been reaped, checked with signal 0. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', '']);
  const pid = child.pid as number;
  expect(() => process.kill(pid, 0)).toThrow(expect.objectContaining({ code: 'ESRCH' }));
  return pid;
}

/** A changelog path in a fresh directory, and where its lock lives (asked of the lock itself). */
function fresh(): { changelog: string; lockFile: string } {
  const changelog = path.join(tempDir('envsync-lock-'), '.envsync', 'changelog.jsonl');
  const probe = acquireLock(changelog);
  probe.release();
  return { changelog, lockFile: probe.path };
}

/** Heartbeats every second; another host's lock untouched for a minute is abandoned. */
const TIMING = { heartbeatMs: 1000, staleMs: 60_000 };

function holderText(pid: number, host = hostname()): string {
  return `${JSON.stringify({ pid, host, started_at: '2026-01-01T00:00:00.000Z' })}\n`;
}

function refusal(take: () => unknown): EnvsyncError {
  try {
    take();
  } catch (e) {
    expect(e).toBeInstanceOf(EnvsyncError);
    return e as EnvsyncError;
  }
  throw new Error('the lock was taken');
}

/** Files next to the lock: nothing may be left over from a takeover (no `.stale-PID`). */
function siblings(lockFile: string): string[] {
  return readdirSync(path.dirname(lockFile)).sort();
}

describe('the changelog lock', () => {
  it('is a file naming this process while held, and gone once released (twice is harmless)', () => {
    const { changelog, lockFile } = fresh();
    const lock = acquireLock(changelog);
    expect(lock.tookOverFrom).toBeUndefined();
    expect(JSON.parse(readFileSync(lockFile, 'utf8'))).toMatchObject({ pid: process.pid, host: hostname() });
    lock.release();
    lock.release();
    expect(siblings(lockFile)).toEqual([]);
  });

  it.each([
    ['this test process', process.pid],
    ['its parent', process.ppid],
    ['init, a process of another user when not root', 1],
  ])('never takes over a live holder (%s) and leaves its lock as it was', (_who, holder) => {
    const { changelog, lockFile } = fresh();
    writeFileSync(lockFile, holderText(holder));
    const e = refusal(() => acquireLock(changelog));
    expect(e.code).toBe('locked');
    expect(e.message).toContain(`another envsync apply holds the lock (pid ${holder} on ${hostname()}`);
    expect(e.hint).toContain(lockFile);
    expect(readFileSync(lockFile, 'utf8')).toBe(holderText(holder));
  });

  it('never takes over a recently touched lock from another host, even when that PID is not running here', () => {
    const { changelog, lockFile } = fresh();
    const text = holderText(deadPid(), `not-${hostname()}`);
    writeFileSync(lockFile, text);
    const thirtySecondsAgo = new Date(Date.now() - 30_000);
    utimesSync(lockFile, thirtySecondsAgo, thirtySecondsAgo);
    const e = refusal(() => acquireLock(changelog, undefined, TIMING));
    expect(e.code).toBe('locked');
    expect(e.message).toContain(`on not-${hostname()}`);
    expect(e.message).toMatch(/last heard from \d+s ago\)$/);
    expect(readFileSync(lockFile, 'utf8')).toBe(text);
    expect(siblings(lockFile)).toEqual([path.basename(lockFile)]);
  });

  it("takes over another host's lock untouched for longer than the stale threshold, and says for how long", () => {
    const { changelog, lockFile } = fresh();
    const holder = { pid: process.pid, host: `ci-${hostname()}`, started_at: '2026-01-01T00:00:00.000Z' };
    writeFileSync(lockFile, `${JSON.stringify(holder)}\n`);
    const tenMinutesAgo = new Date(Date.now() - 600_000);
    utimesSync(lockFile, tenMinutesAgo, tenMinutesAgo);
    // The PID is this very process's: on another host it says nothing, only the silence counts.
    const lock = acquireLock(changelog, undefined, TIMING);
    expect(lock.tookOverFrom).toEqual(holder);
    expect(lock.silentForMs).toBeGreaterThanOrEqual(600_000);
    expect(JSON.parse(readFileSync(lockFile, 'utf8'))).toMatchObject({ pid: process.pid, host: hostname() });
    expect(siblings(lockFile)).toEqual([path.basename(lockFile)]);
    lock.release();
    expect(siblings(lockFile)).toEqual([]);
  });

  it('a holder touches its lock file on every heartbeat while it holds it', async () => {
    const { changelog, lockFile } = fresh();
    let beat: (at: Date) => void = () => undefined;
    const beaten = new Promise<Date>((resolve) => (beat = resolve));
    const lock = acquireLock(changelog, undefined, {
      heartbeatMs: 20,
      staleMs: 1000,
      onHeartbeat: (at) => beat(at),
    });
    try {
      const anHourAgo = new Date(Date.now() - 3_600_000);
      utimesSync(lockFile, anHourAgo, anHourAgo);
      const at = await beaten;
      const mtime = statSync(lockFile).mtimeMs;
      expect(mtime).toBeGreaterThan(anHourAgo.getTime() + 3_000_000);
      expect(Math.abs(mtime - at.getTime())).toBeLessThan(1000);
      expect(lock.silentForMs).toBeUndefined();
    } finally {
      lock.release();
    }
  });

  it("takes over a dead holder's lock on this host and says whose it was", () => {
    const { changelog, lockFile } = fresh();
    const dead = deadPid();
    writeFileSync(lockFile, holderText(dead));
    const lock = acquireLock(changelog);
    expect(lock.tookOverFrom).toEqual({
      pid: dead,
      host: hostname(),
      started_at: '2026-01-01T00:00:00.000Z',
    });
    expect(JSON.parse(readFileSync(lockFile, 'utf8'))).toMatchObject({ pid: process.pid });
    expect(siblings(lockFile)).toEqual([path.basename(lockFile)]);
    lock.release();
    expect(siblings(lockFile)).toEqual([]);
  });

  it('treats an unreadable lock as one being written until it is old, then takes it over', () => {
    const { changelog, lockFile } = fresh();
    writeFileSync(lockFile, '{"pid":');
    const e = refusal(() => acquireLock(changelog));
    expect(e.code).toBe('locked');
    expect(e.message).toContain('(being created)');
    expect(readFileSync(lockFile, 'utf8')).toBe('{"pid":');

    const aMinuteAgo = new Date(Date.now() - 60_000);
    utimesSync(lockFile, aMinuteAgo, aMinuteAgo);
    const lock = acquireLock(changelog);
    expect(lock.tookOverFrom).toEqual({ pid: 0, host: 'unknown', started_at: 'unknown' });
    lock.release();
    expect(siblings(lockFile)).toEqual([]);
  });

  it('a takeover that finds a fresh lock where the abandoned one was puts it back and gives way', () => {
    const { changelog, lockFile } = fresh();
    writeFileSync(lockFile, '{"pid":');
    const live = holderText(process.ppid);
    // The lock reads the clock once for its own record, then once to judge the unreadable lock's age. At that
    // instant another process finishes its own takeover: the file is now a live holder's, a moment old.
    let reads = 0;
    const now = () => {
      reads++;
      if (reads === 2) writeFileSync(lockFile, live);
      return new Date(Date.now() + (reads >= 2 ? 60_000 : 0));
    };
    const e = refusal(() => acquireLock(changelog, now));
    expect(reads).toBeGreaterThanOrEqual(2);
    expect(e.code).toBe('locked');
    expect(e.message).toContain(`pid ${process.ppid}`);
    expect(readFileSync(lockFile, 'utf8')).toBe(live);
    expect(siblings(lockFile)).toEqual([path.basename(lockFile)]);
  });

  it('release leaves alone a lock that is no longer its own', () => {
    const { changelog, lockFile } = fresh();
    const lock = acquireLock(changelog);
    writeFileSync(lockFile, holderText(process.ppid));
    lock.release();
    expect(readFileSync(lockFile, 'utf8')).toBe(holderText(process.ppid));
  });
});

/**
 * One process that takes the lock when told to: prints `ready`, waits for `go` on stdin, tries, prints
 * the outcome as JSON, and holds a lock it won (alive, so the other side sees a live holder) until its
 * stdin ends. It runs the built module (`npm test` builds before testing).
 */
const TAKER = `
import { createInterface } from 'node:readline';
const { acquireLock } = await import(process.argv[1]);
const lines = createInterface({ input: process.stdin });
let lock;
console.log('ready');
for await (const line of lines) {
  if (line !== 'go') continue;
  try {
    lock = acquireLock(process.argv[2]);
    console.log(JSON.stringify({ won: true, pid: process.pid, tookOverFrom: lock.tookOverFrom ?? null }));
  } catch (e) {
    console.log(JSON.stringify({ won: false, pid: process.pid, code: e.code ?? String(e) }));
  }
}
lock?.release();
`;
const LOCK_MODULE = pathToFileURL(path.join(ROOT, 'dist/src/changelog/lock.js')).href;

interface Outcome {
  won: boolean;
  pid: number;
  code?: string;
  tookOverFrom?: { pid: number } | null;
}

class Taker {
  readonly child: ChildProcessWithoutNullStreams;
  private readonly lines: AsyncIterator<string>;
  readonly exited: Promise<number | null>;

  constructor(changelog: string) {
    this.child = spawn(process.execPath, ['--input-type=module', '-e', TAKER, LOCK_MODULE, changelog]);
    this.lines = createInterface({ input: this.child.stdout })[Symbol.asyncIterator]();
    this.exited = new Promise((resolve) => this.child.on('exit', resolve));
  }

  async next(): Promise<string> {
    const { value, done } = await this.lines.next();
    if (done) throw new Error(`taker ${this.child.pid} ended early`);
    return value;
  }
}

describe('two processes taking over a dead holder’s lock at once', () => {
  it('only one wins; the other is told the lock is held, and the winner’s lock is intact', async () => {
    // Repeated so that the takeovers really overlap in some rounds; every round must end the same way.
    for (let round = 0; round < 6; round++) {
      const { changelog, lockFile } = fresh();
      const dead = deadPid();
      writeFileSync(lockFile, holderText(dead));
      const takers = [new Taker(changelog), new Taker(changelog)];
      try {
        for (const t of takers) expect(await t.next()).toBe('ready');
        for (const t of takers) t.child.stdin.write('go\n');
        const outcomes = (await Promise.all(takers.map((t) => t.next()))).map(
          (l) => JSON.parse(l) as Outcome,
        );
        const winners = outcomes.filter((o) => o.won);
        expect(winners, JSON.stringify(outcomes)).toHaveLength(1);
        expect(outcomes.find((o) => !o.won)?.code).toBe('locked');
        const winner = winners[0] as Outcome;
        // Whoever won either took the dead lock over or found the file already gone and made a new one.
        expect([dead, null]).toContain(winner.tookOverFrom ? winner.tookOverFrom.pid : null);
        expect(JSON.parse(readFileSync(lockFile, 'utf8'))).toMatchObject({ pid: winner.pid });
        expect(siblings(lockFile)).toEqual([path.basename(lockFile)]);
      } finally {
        for (const t of takers) t.child.stdin.end();
        await Promise.all(takers.map((t) => t.exited));
      }
      expect(siblings(lockFile)).toEqual([]);
    }
  });
});
