import diagnosticsChannel from 'node:diagnostics_channel';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkBaseUrl, isLoopbackHost } from '../../../src/api/base-url.js';
import { createApiClient } from '../../../src/api/client.js';
import { patience, retryAfterMs } from '../../../src/api/transport.js';
import { type RunningEmulator, startEmulator } from '../../../src/emulator/index.js';
import { EnvsyncError } from '../../../src/errors.js';
import { type ReporterEvent, silentReporter } from '../../../src/model.js';
import { parseRateLimit, Refill, TokenBucket } from '../../../src/util/rate-limit.js';

/** Counts every HTTP request this process starts through fetch (undici publishes each one). */
function watchRequests() {
  const seen: string[] = [];
  const onCreate = (message: unknown) => {
    const { request } = message as { request: { origin: string; path: string } };
    seen.push(`${request.origin}${request.path}`);
  };
  diagnosticsChannel.subscribe('undici:request:create', onCreate);
  return { seen, stop: () => diagnosticsChannel.unsubscribe('undici:request:create', onCreate) };
}

describe('base URL checks', () => {
  it.each([
    ['https://api.anthropic.com', 'https://api.anthropic.com'],
    ['https://api.anthropic.com/', 'https://api.anthropic.com'],
    ['http://127.0.0.1:4010', 'http://127.0.0.1:4010'],
    ['http://localhost:4010/', 'http://localhost:4010'],
    ['http://[::1]:4010', 'http://[::1]:4010'],
    ['http://127.8.9.10', 'http://127.8.9.10'],
  ])('accepts %s', (raw, expected) => {
    expect(checkBaseUrl(raw)).toBe(expected);
  });

  it.each([
    ['http://example.com', 'insecure_base_url'],
    ['http://10.0.0.5:4010', 'insecure_base_url'],
    ['http://127.0.0.1.example.com', 'insecure_base_url'],
    ['ftp://example.com', 'invalid_base_url'],
    ['not a url', 'invalid_base_url'],
    ['https://user:secret@example.com', 'invalid_base_url'],
  ])('refuses %s', (raw, code) => {
    expect(() => checkBaseUrl(raw)).toThrow(EnvsyncError);
    try {
      checkBaseUrl(raw);
    } catch (e) {
      expect((e as EnvsyncError).code).toBe(code);
    }
  });

  it('knows loopback hosts', () => {
    expect(['localhost', '127.0.0.1', '127.255.0.1', '[::1]', '::1'].every(isLoopbackHost)).toBe(true);
    expect(['example.com', '128.0.0.1', '0.0.0.0', '10.1.2.3'].some(isLoopbackHost)).toBe(false);
  });
});

describe('the SDK adapter', () => {
  let emu: RunningEmulator;
  beforeAll(async () => {
    emu = await startEmulator();
  });
  afterAll(() => emu.close());

  it('refuses plain http to a non-loopback host before any request leaves the process', async () => {
    const watch = watchRequests();
    try {
      expect(() =>
        createApiClient({ baseUrl: 'http://example.com', apiKey: 'sk-secret-1', reporter: silentReporter }),
      ).toThrow(/refusing to send the API key over plain http:\/\/ to example.com/);
      // The control: the same watcher does see requests to the loopback emulator.
      const api = createApiClient({ baseUrl: emu.url, apiKey: 'sk-secret-1', reporter: silentReporter });
      await api.list();
    } finally {
      watch.stop();
    }
    expect(watch.seen.length).toBeGreaterThan(0);
    expect(watch.seen.every((url) => url.startsWith(emu.url))).toBe(true);
  });

  it('needs ANTHROPIC_API_KEY', () => {
    expect(() => createApiClient({ baseUrl: emu.url, apiKey: undefined, reporter: silentReporter })).toThrow(
      'ANTHROPIC_API_KEY is not set',
    );
  });

  it('maps API errors to ApiError with status, type, error code and request id, and never shows the key', async () => {
    const api = createApiClient({ baseUrl: emu.url, apiKey: 'sk-secret-2', reporter: silentReporter });
    const made = await api.create({ name: 'one' });
    const error = await api.update(made.id, { config: { type: 'self_hosted' } }).catch((e: unknown) => e);
    expect(error).toMatchObject({
      name: 'ApiError',
      status: 400,
      type: 'invalid_request_error',
      errorCode: 'invalid_config_type_change',
    });
    expect((error as { requestId: string }).requestId).toMatch(/^req_/);
    expect(String((error as Error).message)).not.toContain('sk-secret-2');
    const missing = await api.retrieve('env_000000000000000000000000').catch((e: unknown) => e);
    expect(missing).toMatchObject({ status: 404, type: 'not_found_error' });
  });

  it('reports each request (method, path, status, request id) for --verbose', async () => {
    const events: unknown[] = [];
    const api = createApiClient({
      baseUrl: emu.url,
      apiKey: 'k',
      reporter: { event: (e) => events.push(e) },
    });
    await api.create({ name: 'reported' });
    expect(events).toContainEqual(
      expect.objectContaining({
        type: 'request',
        method: 'POST',
        status: 200,
        request_id: expect.stringMatching(/^req_/),
      }),
    );
  });
});

describe('retries: each failure has one owner', () => {
  it('waits out 429s in the paced fetch (reported as waiting), then gives up once, without the SDK retrying on top', async () => {
    let requests = 0;
    const server = createServer((_req, res) => {
      requests++;
      res.writeHead(429, { 'content-type': 'application/json', 'retry-after-ms': '1' });
      res.end(JSON.stringify({ type: 'error', error: { type: 'rate_limit_error', message: 'slow down' } }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const events: ReporterEvent[] = [];
    try {
      const api = createApiClient({
        baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        apiKey: 'k',
        reporter: { event: (e) => events.push(e) },
        sleep: async () => {},
      });
      await expect(api.retrieve('env_x')).rejects.toMatchObject({ status: 429 });
      // One request and 20 waits by the paced fetch; the SDK's own 2 retries would make it 63.
      expect(requests).toBe(21);
      expect(events.filter((e) => e.type === 'waiting')).toHaveLength(20);
      expect(events.find((e) => e.type === 'waiting')).toMatchObject({ reason: 'retry_after', ms: 1 });
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

describe('the size cap', () => {
  it('refuses an answer that declares more than the cap before reading it: not a byte more is waited for', async () => {
    const server = createServer((_req, res) => {
      // 100 MiB declared, one byte sent, and the connection left open: only the declared length can end this.
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(100 * 1024 * 1024) });
      res.write('{');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const api = createApiClient({
        baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        apiKey: 'k',
        reporter: silentReporter,
        timeoutMs: 20_000,
      });
      await expect(api.retrieve('env_x')).rejects.toMatchObject({
        code: 'api_too_large',
        message: expect.stringContaining('the answer is larger than 64 MiB'),
      });
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

describe('TokenBucket', () => {
  function fakeClock() {
    let now = 0;
    const sleeps: number[] = [];
    return {
      now: () => now,
      sleep: async (ms: number) => {
        sleeps.push(ms);
        now += ms;
      },
      sleeps,
      at: () => now,
    };
  }

  it('lets one second of tokens through at once, then paces at the limit', async () => {
    const clock = fakeClock();
    const bucket = new TokenBucket(600, clock.now, clock.sleep);
    const times: number[] = [];
    for (let i = 0; i < 30; i++) {
      await bucket.take();
      times.push(clock.at());
    }
    expect(times.slice(0, 10)).toEqual(Array(10).fill(0));
    // 600/min = one every 100 ms after the burst: 20 more take 2,000 ms.
    expect(times[29]).toBe(2000);
    expect((times[11] as number) - (times[10] as number)).toBe(100);
  });

  it('waits out a pause (after a 429) before handing out tokens', async () => {
    const clock = fakeClock();
    const bucket = new TokenBucket(60, clock.now, clock.sleep);
    bucket.pause(5000);
    await bucket.take();
    expect(clock.at()).toBe(5000);
  });
});

describe('parseRateLimit: the one parser of --rate-limit (apply and emulator)', () => {
  it.each([
    ['60,600', { writesPerMinute: 60, readsPerMinute: 600 }],
    [' 5 , 10 ', { writesPerMinute: 5, readsPerMinute: 10 }],
    ['0.5,1.5', { writesPerMinute: 0.5, readsPerMinute: 1.5 }],
    ['5', undefined],
    ['0,10', undefined],
    ['10,0', undefined],
    ['a,b', undefined],
    ['-1,5', undefined],
    ['5,10,15', undefined],
    ['', undefined],
  ])('%j → %j', (text, expected) => {
    expect(parseRateLimit(text)).toEqual(expected);
  });
});

describe('Refill: the refill maths both buckets use', () => {
  it('hands out its capacity at once, then says how long until the next token', () => {
    const refill = new Refill(2, 1 / 1000, 0);
    expect([refill.tryTake(0), refill.tryTake(0), refill.tryTake(0)]).toEqual([0, 0, 1000]);
    expect(refill.tryTake(400)).toBe(600);
    expect(refill.tryTake(1000)).toBe(0);
  });

  it('never holds more than its capacity, and a clock that steps back does not drain it', () => {
    const refill = new Refill(1, 1 / 1000, 0);
    expect(refill.tryTake(1_000_000)).toBe(0);
    expect(refill.tryTake(1_000_000)).toBe(1000);
    expect(refill.tryTake(500)).toBe(1000);
  });
});

describe('bounded waits and an echoed key', () => {
  it('derives every bound from one timeout: 90 s by default, attempts of 30 s, a retry-after honoured up to 60 s', () => {
    expect(patience()).toEqual({ callMs: 90_000, attemptMs: 30_000, retryAfterCapMs: 60_000 });
    expect(patience(3000)).toEqual({ callMs: 3000, attemptMs: 1000, retryAfterCapMs: 2000 });
  });

  it('reads retry-after in ms, in seconds and as an HTTP date', () => {
    const at = Date.parse('2026-11-01T00:00:00Z');
    expect(retryAfterMs(new Headers({ 'retry-after-ms': '250' }), at)).toBe(250);
    expect(retryAfterMs(new Headers({ 'retry-after': '2' }), at)).toBe(2000);
    expect(retryAfterMs(new Headers({ 'retry-after': 'Sun, 01 Nov 2026 00:00:05 GMT' }), at)).toBe(5000);
    expect(retryAfterMs(new Headers({ 'retry-after': 'soon' }), at)).toBeUndefined();
  });

  it("removes the key from an error body that echoes the request's headers, whatever the CLI does", async () => {
    const key = 'sk-secret-echoed-123456';
    const server = createServer((req, res) => {
      res.writeHead(400, { 'content-type': 'application/json', 'request-id': 'req_echo' });
      res.end(
        JSON.stringify({
          type: 'error',
          error: { type: 'invalid_request_error', message: `you sent ${req.headers.authorization}` },
        }),
      );
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const api = createApiClient({
        baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        apiKey: key,
        reporter: silentReporter,
      });
      const e = await api.retrieve('env_x').catch((x: unknown) => x);
      expect((e as Error).message).toBe(
        'retrieve env_x: 400 invalid_request_error: you sent Bearer [redacted]',
      );
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
