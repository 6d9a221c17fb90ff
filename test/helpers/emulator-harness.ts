// Emulator test helpers: start one per test, an SDK client for it, raw fetch with the right headers, error assertions.

import Anthropic, { type APIError } from '@anthropic-ai/sdk';
import type { BetaEnvironment } from '@anthropic-ai/sdk/resources/beta/environments/environments';
import pLimit from 'p-limit';
import { afterEach, expect } from 'vitest';
import { type EmulatorOptions, type RunningEmulator, startEmulator } from '../../src/emulator/index.js';

export const GOOD_HEADERS = {
  'x-api-key': 'test-key',
  'anthropic-version': '2023-06-01',
  'anthropic-beta': 'managed-agents-2026-04-01',
  'content-type': 'application/json',
} as const;

const running: RunningEmulator[] = [];

/** Registers an afterEach that closes every emulator the test started; call once per test file. */
export function closeEmulatorsAfterEach(): void {
  afterEach(async () => {
    await Promise.all(running.splice(0).map((e) => e.close()));
  });
}

export async function emulator(options: EmulatorOptions = {}): Promise<RunningEmulator> {
  const emu = await startEmulator(options);
  running.push(emu);
  return emu;
}

export function sdk(
  emu: RunningEmulator,
  options: { maxRetries?: number; apiKey?: string; timeout?: number } = {},
): Anthropic {
  return new Anthropic({
    apiKey: options.apiKey ?? 'test-key',
    baseURL: emu.url,
    maxRetries: options.maxRetries ?? 2,
    ...(options.timeout === undefined ? {} : { timeout: options.timeout }),
  });
}

export interface RawOptions {
  method?: string;
  headers?: Record<string, string | undefined>;
  body?: string | undefined;
}

/** A request the SDK would never send (missing headers, broken JSON): plain fetch, good headers unless overridden. */
export async function raw(
  emu: RunningEmulator,
  path: string,
  options: RawOptions = {},
): Promise<{ status: number; headers: Headers; json: unknown }> {
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries({ ...GOOD_HEADERS, ...options.headers })) {
    if (v !== undefined) headers[k] = v;
  }
  const res = await fetch(`${emu.url}${path}`, {
    method: options.method ?? 'GET',
    headers,
    ...(options.body === undefined ? {} : { body: options.body }),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, json: text ? JSON.parse(text) : null };
}

export interface ExpectedError {
  status: number;
  type: string;
  errorCode?: string | null;
  /** A substring of the API's message, usually the field path. */
  message?: string;
  shouldRetryFalse?: boolean;
}

/** Awaits a call that must fail with an API error of this SDK class and shape; returns the error. */
export async function expectApiError<E extends APIError>(
  call: Promise<unknown>,
  errorClass: abstract new (...args: never[]) => E,
  expected: ExpectedError,
): Promise<E> {
  const err = await call.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(errorClass);
  const e = err as E;
  expect(e.status).toBe(expected.status);
  expect(e.type).toBe(expected.type);
  const body = e.error as { type: string; error: { type: string; message: string }; request_id: string };
  expect(body.type).toBe('error');
  expect(body.error.type).toBe(expected.type);
  expect(body.request_id).toMatch(/^req_[0-9A-Za-z]{24}$/);
  expect(e.requestID).toBe(body.request_id);
  if (expected.errorCode !== undefined) expect(e.errorCode).toBe(expected.errorCode);
  if (expected.message !== undefined) expect(body.error.message).toContain(expected.message);
  if (expected.shouldRetryFalse) expect(e.headers?.get('x-should-retry')).toBe('false');
  return e;
}

/** Creates `count` environments named `${prefix}-${i}` over HTTP, `concurrency` at a time; returns them in order. */
export async function createMany(
  client: Anthropic,
  count: number,
  prefix: string,
  concurrency = 16,
): Promise<BetaEnvironment[]> {
  const limit = pLimit(concurrency);
  return Promise.all(
    Array.from({ length: count }, (_, i) =>
      limit(() => client.beta.environments.create({ name: `${prefix}-${i}` })),
    ),
  );
}

/** Every environment the SDK's auto-pagination yields. */
export async function listAll(
  client: Anthropic,
  query: { limit?: number; include_archived?: boolean } = {},
): Promise<BetaEnvironment[]> {
  const out: BetaEnvironment[] = [];
  for await (const env of client.beta.environments.list(query)) out.push(env);
  return out;
}

/** A clock for `EmulatorOptions.clock` that only moves when the test says so. */
export function manualClock(start = Date.parse('2026-01-01T00:00:00.000Z')) {
  let t = start;
  return {
    now: () => t,
    advance: (ms: number) => {
      t += ms;
    },
  };
}

/**
 * A clock that moves `stepMs` each time it is read: time passes per request, not per wall-clock second,
 * so rate-limit outcomes do not depend on how fast the machine runs the test.
 */
export function steppingClock(stepMs: number, start = Date.parse('2026-01-01T00:00:00.000Z')): () => number {
  let t = start;
  return () => {
    t += stepMs;
    return t;
  };
}
