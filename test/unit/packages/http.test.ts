// The bounded GET and the fetcher over real HTTP on 127.0.0.1: a registry that loops, answers without end,
// stalls, redirects off https or to another origin ends with a clear error; the cache revalidates with ETags.

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startRegistries } from '../../../src/emulator/registries.js';
import { EnvsyncError } from '../../../src/errors.js';
import type { RegistrySetting } from '../../../src/model.js';
import { RegistryFetcher } from '../../../src/packages/fetcher.js';
import { ROOT, tempDir } from '../../helpers/cli.js';

const FIX = path.join(ROOT, 'test/fixtures/registries');
const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

async function serve(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<string> {
  const server: Server = createServer(handler);
  const sockets = new Set<import('node:net').Socket>();
  server.on('connection', (s) => sockets.add(s));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  closers.push(
    () =>
      new Promise((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  );
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const registry = (url: string, token_env: string | null = null): RegistrySetting => ({
  url,
  token_env,
  checksum_db: null,
  setAt: null,
});

function fetcher(
  o: {
    cacheDir?: string | null;
    offline?: boolean;
    env?: Record<string, string>;
    now?: () => number;
    limits?: object;
  } = {},
) {
  return new RegistryFetcher({
    offline: o.offline ?? false,
    cacheDir: o.cacheDir ?? null,
    env: o.env ?? {},
    now: o.now ?? Date.now,
    limits: { retries: 1, maxRetryWaitMs: 0, ...o.limits },
  });
}

async function failure(p: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await p;
  } catch (e) {
    if (e instanceof EnvsyncError) return { code: e.code, message: e.message };
    throw e;
  }
  throw new Error('expected a failure');
}

describe('a registry that misbehaves ends the request with a clear error', () => {
  it('a redirect loop', async () => {
    const regs = await startRegistries({ root: FIX, fault: () => 'loop' });
    closers.push(regs.close);
    const url = `${regs.url}/pip/pypi/pandas/json`;
    expect(await failure(fetcher().fetch(registry(`${regs.url}/pip`), url, 'PyPI for pandas'))).toEqual({
      code: 'http_redirects',
      message: `PyPI for pandas: redirects in a loop (back to ${url})`,
    });
  });

  it('a body past the size cap, streamed without end', async () => {
    const regs = await startRegistries({ root: FIX, fault: () => 'huge' });
    closers.push(regs.close);
    const f = fetcher({ limits: { maxBytes: 1024 * 1024 } });
    expect(
      await failure(f.fetch(registry(`${regs.url}/npm`), `${regs.url}/npm/express`, 'npm for express')),
    ).toEqual({
      code: 'http_too_large',
      message: expect.stringMatching(
        /^npm for express: the answer is larger than the 1 MiB limit \(cut off after \d+ bytes\)$/,
      ),
    });
  });

  it('a declared length past the cap is refused before reading', async () => {
    const url = await serve((_req, res) => {
      res.writeHead(200, { 'content-length': String(10 * 1024 * 1024) });
      res.write('{');
    });
    const f = fetcher({ limits: { maxBytes: 1024 * 1024 } });
    expect((await failure(f.fetch(registry(url), `${url}/x`, 'x'))).message).toBe(
      `x: the answer is larger than the 1 MiB limit (it declares ${10 * 1024 * 1024} bytes)`,
    );
  });

  it('a body that stalls after its headers: the deadline covers the body', async () => {
    const regs = await startRegistries({ root: FIX, fault: () => 'stall' });
    closers.push(regs.close);
    const f = fetcher({ limits: { deadlineMs: 300 } });
    expect(
      await failure(
        f.fetch(
          registry(`${regs.url}/gem`),
          `${regs.url}/gem/api/v1/versions/rails.json`,
          'RubyGems for rails',
        ),
      ),
    ).toEqual({
      code: 'http_timeout',
      message: 'RubyGems for rails: no complete answer within 300 ms',
    });
  });

  it('a redirect from loopback to plain http elsewhere is refused', async () => {
    const url = await serve((_req, res) => {
      res.writeHead(302, { location: 'http://registry.example.com/pypi/x/json' });
      res.end();
    });
    expect(await failure(fetcher().fetch(registry(url), `${url}/pypi/x/json`, 'PyPI for x'))).toEqual({
      code: 'insecure_base_url',
      message:
        'PyPI for x: redirected to http://registry.example.com/pypi/x/json: refusing to send registry requests over plain http:// to registry.example.com',
    });
  });

  it('a status the protocol does not expect; 429 is waited out first', async () => {
    let calls = 0;
    const url = await serve((_req, res) => {
      calls++;
      res.writeHead(calls === 1 ? 429 : 500, { 'retry-after': '0' });
      res.end();
    });
    expect(await failure(fetcher().fetch(registry(url), `${url}/a`, 'npm for a'))).toEqual({
      code: 'registry_error',
      message: 'npm for a: the registry answered 500',
    });
    expect(calls).toBe(2);
  });
});

describe('tokens', () => {
  it("go to the registry's origin only, and a missing variable is named", async () => {
    const seen: Array<string | undefined> = [];
    const other = await serve((req, res) => {
      seen.push(`other ${req.headers.authorization ?? 'none'}`);
      res.writeHead(200);
      res.end('{}');
    });
    const url = await serve((req, res) => {
      seen.push(`own ${req.headers.authorization ?? 'none'}`);
      if (req.url === '/moved') {
        res.writeHead(302, { location: `${other}/x` });
        res.end();
        return;
      }
      res.writeHead(200);
      res.end('{}');
    });
    const f = fetcher({ env: { NPM_TOKEN: 'tok-123' } });
    await f.fetch(registry(url, 'NPM_TOKEN'), `${url}/pkg`, 'npm');
    await f.fetch(registry(url, 'NPM_TOKEN'), `${url}/moved`, 'npm');
    await f.fetch(registry(url, 'NPM_TOKEN'), `${other}/direct`, 'checksum database');
    expect(seen).toEqual(['own Bearer tok-123', 'own Bearer tok-123', 'other none', 'other none']);
    const missing = await failure(fetcher().fetch(registry(url, 'NPM_TOKEN'), `${url}/pkg`, 'npm'));
    expect(missing).toEqual({ code: 'registry_token_missing', message: 'NPM_TOKEN is not set' });
  });
});

describe('the cache', () => {
  it('answers fresh entries without asking, revalidates stale ones with If-None-Match, and works offline', async () => {
    const regs = await startRegistries({ root: FIX, maxAge: 60 });
    closers.push(regs.close);
    const cacheDir = tempDir();
    let now = 1_000_000;
    const make = (offline = false) => fetcher({ cacheDir, offline, now: () => now });
    const url = `${regs.url}/pip/pypi/pandas/json`;
    const reg = registry(`${regs.url}/pip`);
    const first = make();
    const body = await first.fetch(reg, url, 'pandas');
    expect(first.stats).toEqual({ requests: 1, fromCache: 0 });
    const again = make();
    expect(await again.fetch(reg, url, 'pandas')).toEqual(body);
    expect(again.stats).toEqual({ requests: 0, fromCache: 1 });
    now += 61_000;
    const later = make();
    expect(await later.fetch(reg, url, 'pandas')).toEqual(body);
    expect(later.stats).toEqual({ requests: 1, fromCache: 0 });
    expect(regs.requests).toEqual(['/pip/pypi/pandas/json', '/pip/pypi/pandas/json']);
    // Offline: any age, never the network; what the cache lacks is said to be missing from it.
    now += 10 ** 9;
    const offline = make(true);
    expect(await offline.fetch(reg, url, 'pandas')).toEqual(body);
    expect(await offline.fetch(reg, `${regs.url}/pip/pypi/numpy/json`, 'numpy')).toEqual({
      kind: 'uncached',
    });
    expect(regs.requests).toHaveLength(2);
  });

  it('a stale entry is asked again with its ETag, and a 304 keeps the cached body', async () => {
    const seen: Array<string | undefined> = [];
    const url = await serve((req, res) => {
      const tag = req.headers['if-none-match'];
      seen.push(tag);
      res.writeHead(tag === '"v1"' ? 304 : 200, { etag: '"v1"', 'cache-control': 'max-age=0' });
      res.end(tag === '"v1"' ? '' : '{"releases": {}}');
    });
    const cacheDir = tempDir();
    const first = await fetcher({ cacheDir }).fetch(registry(url), `${url}/p`, 'p');
    const second = await fetcher({ cacheDir }).fetch(registry(url), `${url}/p`, 'p');
    expect(seen).toEqual([undefined, '"v1"']);
    expect(second).toEqual(first);
    expect(first).toEqual({ kind: 'ok', body: Buffer.from('{"releases": {}}') });
  });

  it('one request per URL however often a run asks', async () => {
    const regs = await startRegistries({ root: FIX });
    closers.push(regs.close);
    const f = fetcher();
    const reg = registry(`${regs.url}/npm`);
    await Promise.all([1, 2, 3].map(() => f.fetch(reg, `${regs.url}/npm/express`, 'express')));
    expect(regs.requests).toEqual(['/npm/express']);
  });
});
