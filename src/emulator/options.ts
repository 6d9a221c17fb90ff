// The emulator's public option, stats and handle types, and the checks that turn options into settings.

import { EnvsyncError } from '../errors.js';
import { isRate } from '../util/rate-limit.js';
import type { RateLimits } from './rate-limit.js';
import type { NameScope } from './store.js';

export interface EmulatorOptions {
  /** Default 0: any free port. The emulator always binds 127.0.0.1. */
  port?: number;
  /** Persist here; absent: memory only. */
  statePath?: string;
  /** When set, only this key is accepted; otherwise any non-empty key. */
  apiKey?: string;
  /** Added before handling each request. */
  latencyMs?: number;
  /** Makes ids and faults reproducible (for requests made one at a time). */
  seed?: number;
  /** Absent: unlimited. */
  rateLimit?: RateLimits;
  /**
   * The length of the rate-limit window in milliseconds, default 60,000. For tests only: it lets a
   * suite exercise the limiter in a second instead of a minute. The CLI flag is always per minute.
   */
  rateWindowMs?: number;
  /** 0..1: answer 500 api_error or 529 overloaded_error (alternately) without doing anything. */
  failRate?: number;
  /** 0..1, writes only: commit and persist the write, then destroy the socket without answering. */
  dropRate?: number;
  /** Default 'all': names are unique across archived environments too. */
  nameScope?: NameScope;
  /**
   * For tests only: the emulator's clock (ms since the epoch), read by the rate limiter and for every
   * timestamp it hands out. Default Date.now. A test that steps it per request makes the limiter's
   * answers depend on the number of requests, not on how fast the machine sends them.
   */
  clock?: () => number;
}

export interface EmulatorStats {
  requests: number;
  /** Per route, e.g. `POST /v1/environments`, `GET /v1/environments/{id}`; `unmatched` for the rest. */
  byRoute: Record<string, number>;
  /** Per answered status code (`"200"`, `"429"`); `"dropped"` for writes answered by closing the socket. */
  status: Record<string, number>;
  rateLimited: number;
}

export interface RunningEmulator {
  /** `http://127.0.0.1:PORT`, no trailing slash. */
  url: string;
  port: number;
  stats(): EmulatorStats;
  resetStats(): void;
  /** Stops accepting connections, lets requests in flight finish, waits for the last state write. */
  close(): Promise<void>;
}

export interface EmulatorSettings {
  port: number;
  statePath: string | undefined;
  apiKey: string | undefined;
  latencyMs: number;
  seed: number | undefined;
  rateLimit: RateLimits | undefined;
  rateWindowMs: number;
  failRate: number;
  dropRate: number;
  nameScope: NameScope;
  clock: () => number;
}

function bad(option: string, message: string, hint: string): EnvsyncError {
  return new EnvsyncError('invalid_emulator_option', `emulator option ${option}: ${message}`, { hint });
}

function rate(name: string, value: number | undefined): number {
  if (value === undefined) return 0;
  if (!Number.isFinite(value) || value < 0 || value > 1) {
    throw bad(name, `must be a number from 0 to 1, got ${value}`, 'use e.g. 0.1 for one request in ten');
  }
  return value;
}

/** The rule parseRateLimit applies to `--rate-limit`, for callers that pass numbers. */
function perMinute(name: string, value: number): number {
  if (!isRate(value)) {
    throw bad(name, `must be a number above 0, got ${value}`, 'leave rateLimit out for no limit');
  }
  return value;
}

export function checkOptions(options: EmulatorOptions): EmulatorSettings {
  const port = options.port ?? 0;
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw bad('port', `must be an integer from 0 to 65535, got ${port}`, 'use 0 to pick a free port');
  }
  const latencyMs = options.latencyMs ?? 0;
  if (!Number.isFinite(latencyMs) || latencyMs < 0) {
    throw bad('latencyMs', `must be a non-negative number, got ${latencyMs}`, 'use 0 for no added latency');
  }
  if (options.seed !== undefined && !Number.isSafeInteger(options.seed)) {
    throw bad('seed', `must be an integer, got ${options.seed}`, 'any whole number works, e.g. 42');
  }
  const rateWindowMs = options.rateWindowMs ?? 60_000;
  if (!Number.isFinite(rateWindowMs) || rateWindowMs <= 0) {
    throw bad(
      'rateWindowMs',
      `must be a positive number, got ${rateWindowMs}`,
      'leave it out for one minute',
    );
  }
  const nameScope = options.nameScope ?? 'all';
  if (nameScope !== 'all' && nameScope !== 'active') {
    throw bad(
      'nameScope',
      `must be "all" or "active", got ${JSON.stringify(nameScope)}`,
      'the API behaves like "all"',
    );
  }
  if (options.apiKey !== undefined && options.apiKey.length === 0) {
    throw bad('apiKey', 'must not be empty', 'leave it out to accept any non-empty key');
  }
  if (options.statePath !== undefined && options.statePath.trim() === '') {
    throw bad('statePath', 'must not be empty', 'leave it out to keep the state in memory only');
  }
  const limits = options.rateLimit;
  return {
    port,
    statePath: options.statePath,
    apiKey: options.apiKey,
    latencyMs,
    seed: options.seed,
    rateLimit: limits && {
      writesPerMinute: perMinute('rateLimit.writesPerMinute', limits.writesPerMinute),
      readsPerMinute: perMinute('rateLimit.readsPerMinute', limits.readsPerMinute),
    },
    rateWindowMs,
    failRate: rate('failRate', options.failRate),
    dropRate: rate('dropRate', options.dropRate),
    nameScope,
    clock: options.clock ?? Date.now,
  };
}
