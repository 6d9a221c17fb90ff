// Fault knobs with fixed seeds: injected 500/529, commit-then-drop, latency, rate limits the SDK recovers from.

import path from 'node:path';
import Anthropic, { type APIError, OverloadedError } from '@anthropic-ai/sdk';
import pLimit from 'p-limit';
import { describe, expect, it } from 'vitest';
import { startEmulator } from '../../src/emulator/index.js';
import { EnvsyncError } from '../../src/errors.js';
import { tempDir } from '../helpers/cli.js';
import {
  closeEmulatorsAfterEach,
  emulator,
  expectApiError,
  listAll,
  manualClock,
  raw,
  sdk,
  steppingClock,
} from '../helpers/emulator-harness.js';

closeEmulatorsAfterEach();

/** What each of `n` sequential creates came back as: an id, or the HTTP status of its failure. */
async function outcomes(client: Anthropic, n: number): Promise<string[]> {
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    out.push(
      await client.beta.environments.create({ name: `o${i}` }).then(
        (e) => e.id,
        (e: APIError) => String(e.status),
      ),
    );
  }
  return out;
}

describe('emulator: failRate', () => {
  it('answers 500 api_error and 529 overloaded_error, retryable, without doing anything', async () => {
    const emu = await emulator({ failRate: 1, seed: 1 });
    const client = sdk(emu, { maxRetries: 0 });
    const first = await expectApiError(
      client.beta.environments.create({ name: 'a' }),
      Anthropic.InternalServerError,
      {
        status: 500,
        type: 'api_error',
      },
    );
    const second = await expectApiError(client.beta.environments.list(), OverloadedError, {
      status: 529,
      type: 'overloaded_error',
    });
    for (const e of [first, second]) expect(e.headers?.get('x-should-retry')).toBeNull();
    expect(emu.stats().status).toEqual({ '500': 1, '529': 1 });
  });

  it('failed requests change nothing: only the creates that succeeded exist', async () => {
    const emu = await emulator({ failRate: 0.5, seed: 3 });
    const results = await outcomes(sdk(emu, { maxRetries: 0 }), 30);
    const succeeded = results.filter((r) => r.startsWith('env_'));
    expect(succeeded.length).toBeGreaterThan(0);
    expect(succeeded.length).toBeLessThan(30);
    const listed = await listAll(sdk(emu, { maxRetries: 20 }));
    expect(new Set(listed.map((e) => e.id))).toEqual(new Set(succeeded));
  });

  it('the SDK retries through injected failures', async () => {
    const emu = await emulator({ failRate: 0.3, seed: 9 });
    const client = sdk(emu, { maxRetries: 10 });
    for (let i = 0; i < 12; i++) await client.beta.environments.create({ name: `r${i}` });
    expect(await listAll(client)).toHaveLength(12);
    const { status } = emu.stats();
    expect((status['500'] ?? 0) + (status['529'] ?? 0)).toBeGreaterThan(0);
  });

  it('the same seed gives the same ids and the same faults; another seed does not', async () => {
    const run = async (seed: number) =>
      outcomes(sdk(await emulator({ failRate: 0.4, seed }), { maxRetries: 0 }), 25);
    const a = await run(21);
    expect(await run(21)).toEqual(a);
    expect(a).toContain('500');
    expect(a.some((r) => r.startsWith('env_'))).toBe(true);
    expect(await run(22)).not.toEqual(a);
  });
});

describe('emulator: dropRate', () => {
  it('commits every write, then drops the connection: the SDK sees a connection error', async () => {
    const emu = await emulator({ dropRate: 1, seed: 2 });
    const client = sdk(emu, { maxRetries: 0 });
    const reader = sdk(emu);
    await expect(client.beta.environments.create({ name: 'lost' })).rejects.toBeInstanceOf(
      Anthropic.APIConnectionError,
    );
    const [env] = await listAll(reader);
    expect(env?.name).toBe('lost');
    const id = (env as Anthropic.Beta.BetaEnvironment).id;
    await expect(client.beta.environments.update(id, { description: 'd' })).rejects.toBeInstanceOf(
      Anthropic.APIConnectionError,
    );
    expect((await reader.beta.environments.retrieve(id)).description).toBe('d');
    await expect(client.beta.environments.archive(id)).rejects.toBeInstanceOf(Anthropic.APIConnectionError);
    expect((await reader.beta.environments.retrieve(id)).archived_at).not.toBeNull();
    await expect(client.beta.environments.delete(id)).rejects.toBeInstanceOf(Anthropic.APIConnectionError);
    expect(await listAll(reader, { include_archived: true })).toEqual([]);
    expect(emu.stats().status.dropped).toBe(4);
  });

  it("a create whose answer was lost hits itself on the SDK's retry: 409, and the environment exists once", async () => {
    const emu = await emulator({ dropRate: 1, seed: 2 });
    await expectApiError(sdk(emu).beta.environments.create({ name: 'twice' }), Anthropic.ConflictError, {
      status: 409,
      type: 'conflict_error',
    });
    expect((await listAll(sdk(emu))).map((e) => e.name)).toEqual(['twice']);
  });

  it('a dropped write is durable: it is in the state file after a restart', async () => {
    const statePath = path.join(tempDir(), 'state.json');
    const first = await emulator({ dropRate: 1, statePath });
    await expect(
      sdk(first, { maxRetries: 0 }).beta.environments.create({ name: 'kept' }),
    ).rejects.toBeInstanceOf(Anthropic.APIConnectionError);
    await first.close();
    const second = await emulator({ statePath });
    expect((await listAll(sdk(second))).map((e) => e.name)).toEqual(['kept']);
  });

  it('never drops reads', async () => {
    const emu = await emulator({ dropRate: 1 });
    const client = sdk(emu, { maxRetries: 0 });
    for (let i = 0; i < 5; i++) expect((await client.beta.environments.list()).data).toEqual([]);
    expect(emu.stats().status).toEqual({ '200': 5 });
  });
});

describe('emulator: latency', () => {
  it('delays every answer: a client that waits less than the latency times out', async () => {
    const emu = await emulator({ latencyMs: 800 });
    await expect(sdk(emu, { maxRetries: 0, timeout: 100 }).beta.environments.list()).rejects.toBeInstanceOf(
      Anthropic.APIConnectionTimeoutError,
    );
    expect((await sdk(emu, { timeout: 10_000 }).beta.environments.list()).data).toEqual([]);
  });
});

describe('emulator: rate limits', () => {
  it('answers 429 rate_limit_error with retry-after and retry-after-ms beyond the limit', async () => {
    const emu = await emulator({ rateLimit: { writesPerMinute: 2, readsPerMinute: 3 } });
    const body = JSON.stringify({ name: 'w' });
    const statuses = [];
    for (let i = 0; i < 3; i++) {
      statuses.push(
        (await raw(emu, '/v1/environments', { method: 'POST', body: JSON.stringify({ name: `w${i}` }) }))
          .status,
      );
    }
    expect(statuses).toEqual([200, 200, 429]);
    const limited = await raw(emu, '/v1/environments', { method: 'POST', body });
    expect(limited.json).toMatchObject({ type: 'error', error: { type: 'rate_limit_error' } });
    const retryAfter = Number(limited.headers.get('retry-after'));
    expect(Number.isInteger(retryAfter) && retryAfter >= 1).toBe(true);
    expect(Number(limited.headers.get('retry-after-ms'))).toBeGreaterThan(0);
    // Reads have their own allowance.
    for (let i = 0; i < 3; i++) expect((await raw(emu, '/v1/environments')).status).toBe(200);
    expect((await raw(emu, '/v1/environments')).status).toBe(429);
    expect(emu.stats().rateLimited).toBe(3);
    expect(emu.stats().status['429']).toBe(3);
  });

  it('takes exactly the allowance under a frozen clock, and one more once retry-after-ms has passed', async () => {
    const clock = manualClock();
    const emu = await emulator({ rateLimit: { writesPerMinute: 3, readsPerMinute: 100 }, clock: clock.now });
    const create = (i: number) =>
      raw(emu, '/v1/environments', { method: 'POST', body: JSON.stringify({ name: `f${i}` }) });
    const statuses = [];
    for (let i = 0; i < 5; i++) statuses.push((await create(i)).status);
    expect(statuses).toEqual([200, 200, 200, 429, 429]);
    const refused = await create(5);
    // One token per 20 s at 3 per minute, and none has accrued: the wait is exactly one refill.
    expect(refused.headers.get('retry-after-ms')).toBe('20000');
    expect(refused.headers.get('retry-after')).toBe('20');
    clock.advance(19_999);
    expect((await create(6)).status).toBe(429);
    clock.advance(1);
    expect((await create(7)).status).toBe(200);
    expect((await create(8)).status).toBe(429);
    expect(emu.stats().rateLimited).toBe(5);
  });

  it('the SDK recovers: every call succeeds, some after 429s (sequential and parallel)', async () => {
    // 5 writes per second of emulator time, and emulator time moves 40 ms per clock read: a create costs
    // far more than it earns back, so 12 of them must run out of tokens however fast the machine is.
    const emu = await emulator({
      rateLimit: { writesPerMinute: 5, readsPerMinute: 600 },
      rateWindowMs: 1000,
      clock: steppingClock(40),
    });
    const client = sdk(emu, { maxRetries: 10 });
    for (let i = 0; i < 12; i++) await client.beta.environments.create({ name: `s${i}` });
    const afterSequential = emu.stats().rateLimited;
    expect(afterSequential).toBeGreaterThan(0);
    const patient = sdk(emu, { maxRetries: 30 });
    const limit = pLimit(6);
    await Promise.all(
      Array.from({ length: 12 }, (_, i) => limit(() => patient.beta.environments.create({ name: `p${i}` }))),
    );
    expect(emu.stats().rateLimited).toBeGreaterThan(afterSequential);
    expect(await listAll(patient, { limit: 100 })).toHaveLength(24);
  });

  it('rejects option values out of range with a hint', async () => {
    for (const options of [
      { failRate: 1.5 },
      { dropRate: -0.1 },
      { latencyMs: -1 },
      { rateLimit: { writesPerMinute: 0, readsPerMinute: 5 } },
      { port: 70000 },
    ]) {
      const err = await startEmulator(options).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(EnvsyncError);
      expect((err as EnvsyncError).hint).toBeTruthy();
    }
  });
});
