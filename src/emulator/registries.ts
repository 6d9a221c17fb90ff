// Local package registries served from a folder of fixtures in each registry's real response shapes (PyPI JSON,
// npm packuments, a crates sparse index, RubyGems' versions API, a Go module proxy with its checksum database,
// an apt Packages index) and OSV (`/osv/v1/...`), with ETags and Cache-Control as the public ones send; never the internet.

import { createHash } from 'node:crypto';
import { readFileSync, realpathSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { EnvsyncError } from '../errors.js';
import { serveOsv } from './osv.js';

/** What a test can make a request meet instead of its answer. */
export type RegistryFault =
  /** Redirects to itself, for ever. */
  | 'loop'
  /** Streams a body with no end (until the client hangs up). */
  | 'huge'
  /** Sends the headers and a first byte, then nothing. */
  | 'stall'
  | { status: number; retryAfter?: number };

export interface RegistryServerOptions {
  /** The fixture folder: pypi/, npm/, crates/, rubygems/, go/, apt/ (see test/fixtures/registries/). */
  root: string;
  port?: number;
  /** Seconds an answer stays fresh (Cache-Control max-age), as the public registries send; default 300. */
  maxAge?: number;
  /** Asked for every request: a fault to meet instead of the answer, or undefined. */
  fault?: (path: string) => RegistryFault | undefined;
}

export interface RunningRegistries {
  /** The server's base; each manager's registry is `${url}/${manager}` (`registryUrls`). */
  url: string;
  /** Every request's path, in order (tests and the benchmark count them). */
  readonly requests: string[];
  close(): Promise<void>;
}

/** Each manager's base URL on a server at `url`: what `registries:` in envsync.yaml names. */
export function registryUrls(url: string): Record<'pip' | 'npm' | 'cargo' | 'gem' | 'go' | 'apt', string> {
  return {
    pip: `${url}/pip`,
    npm: `${url}/npm`,
    cargo: `${url}/cargo`,
    gem: `${url}/gem`,
    go: `${url}/go`,
    apt: `${url}/apt/dists/bookworm/main/binary-amd64/Packages.gz`,
  };
}

/** The OSV API's base on a server at `url`: what `registries: {osv: URL}` names. */
export function osvUrl(url: string): string {
  return `${url}/osv`;
}

/** PEP 503's normal form: what PyPI redirects every other spelling to. */
function pep503(name: string): string {
  return name.toLowerCase().replace(/[-_.]+/g, '-');
}

/** The sparse index's folder for a crate name, as crates.io lays it out. */
function cratePrefix(name: string): string {
  if (name.length <= 2) return String(name.length);
  if (name.length === 3) return `3/${name[0]}`;
  return `${name.slice(0, 2)}/${name.slice(2, 4)}`;
}

type Route = { file: string; type: string } | { redirect: string } | null;

/** Which fixture file answers a path (null: 404), or where the registry redirects it. */
function route(urlPath: string): Route {
  const json = 'application/json';
  let m = /^\/pip\/pypi\/([^/]+)\/json\/?$/.exec(urlPath);
  if (m) {
    const name = decodeURIComponent(m[1] as string);
    if (pep503(name) !== name) return { redirect: `/pip/pypi/${encodeURIComponent(pep503(name))}/json` };
    return { file: `pypi/${name}.json`, type: json };
  }
  m = /^\/npm\/(@[^/]+(?:%2[fF]|\/)[^/]+|[^/@][^/]*)$/.exec(urlPath);
  if (m) return { file: `npm/${decodeURIComponent(m[1] as string)}.json`, type: json };
  if (urlPath === '/cargo/config.json') return null;
  m = /^\/cargo\/(.+)\/([^/]+)$/.exec(urlPath);
  if (m) {
    const name = m[2] as string;
    // The index answers only at the right folder, in lower case.
    if (name !== name.toLowerCase() || m[1] !== cratePrefix(name)) return null;
    return { file: `crates/${name}`, type: 'text/plain' };
  }
  m = /^\/gem\/api\/v1\/versions\/([^/]+)\.json$/.exec(urlPath);
  if (m) return { file: `rubygems/${decodeURIComponent(m[1] as string)}.json`, type: json };
  if (urlPath.startsWith('/go/')) {
    const rel = decodeURIComponent(urlPath.slice(1));
    const type = /\.info$|@latest$/.test(rel) ? json : 'text/plain; charset=utf-8';
    return { file: rel, type };
  }
  if (urlPath.startsWith('/apt/')) {
    const rel = decodeURIComponent(urlPath.slice(1));
    return { file: rel, type: rel.endsWith('.gz') ? 'application/gzip' : 'text/plain' };
  }
  return null;
}

/** A fixture file inside root, or null: never a path that leaves it. */
function readInside(root: string, rel: string): Buffer | null {
  const file = path.resolve(root, rel);
  const inside = path.relative(root, file);
  if (inside.startsWith('..') || path.isAbsolute(inside)) return null;
  try {
    if (!statSync(file).isFile()) return null;
    const real = realpathSync(file);
    const realRel = path.relative(root, real);
    if (realRel.startsWith('..') || path.isAbsolute(realRel)) return null;
    return readFileSync(real);
  } catch {
    return null;
  }
}

function notFound(res: ServerResponse, urlPath: string, maxAge: number): void {
  // Registries let "not found" be cached a while too.
  res.writeHead(404, { 'content-type': 'application/json', 'cache-control': `public, max-age=${maxAge}` });
  res.end(JSON.stringify({ message: 'Not Found', path: urlPath }));
}

function meetFault(fault: RegistryFault, req: IncomingMessage, res: ServerResponse): void {
  if (fault === 'loop') {
    res.writeHead(302, { location: req.url ?? '/' });
    res.end();
  } else if (fault === 'huge') {
    res.writeHead(200, { 'content-type': 'application/json' });
    const chunk = Buffer.alloc(64 * 1024, 0x20);
    const pump = () => {
      while (!res.destroyed && res.write(chunk));
      if (!res.destroyed) res.once('drain', pump);
    };
    res.on('close', () => res.removeAllListeners('drain'));
    pump();
  } else if (fault === 'stall') {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.write('{');
  } else {
    res.writeHead(fault.status, {
      'content-type': 'application/json',
      ...(fault.retryAfter === undefined ? {} : { 'retry-after': String(fault.retryAfter) }),
    });
    res.end(JSON.stringify({ message: `fault ${fault.status}` }));
  }
}

export async function startRegistries(options: RegistryServerOptions): Promise<RunningRegistries> {
  const root = realpathSync(options.root);
  const maxAge = options.maxAge ?? 300;
  const requests: string[] = [];
  const server = createServer((req, res) => {
    const urlPath = (req.url ?? '/').split('?')[0] ?? '/';
    requests.push(urlPath);
    const fault = options.fault?.(urlPath);
    if (fault !== undefined) {
      meetFault(fault, req, res);
      return;
    }
    if (serveOsv(root, urlPath, req, res)) return;
    const found = route(urlPath);
    if (found === null) return notFound(res, urlPath, maxAge);
    if ('redirect' in found) {
      res.writeHead(301, { location: found.redirect });
      res.end();
      return;
    }
    const body = readInside(root, found.file);
    if (body === null) return notFound(res, urlPath, maxAge);
    const etag = `"${createHash('sha256').update(body).digest('hex').slice(0, 32)}"`;
    const headers = { etag, 'cache-control': `public, max-age=${maxAge}` };
    if (req.headers['if-none-match'] === etag) {
      res.writeHead(304, headers);
      res.end();
      return;
    }
    res.writeHead(200, { ...headers, 'content-type': found.type, 'content-length': String(body.length) });
    res.end(body);
  });
  // A stalled or endless answer must not keep close() waiting.
  const sockets = new Set<import('node:net').Socket>();
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (e) =>
      reject(
        new EnvsyncError('emulator_listen_failed', `cannot listen for the local registries: ${e.message}`),
      ),
    );
    server.listen(options.port ?? 0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
