// The HTTP side: node:http request pipeline — stats, latency, injected faults, header checks, rate limit, routing.

import type { IncomingMessage, ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { errorBody, HttpFailure, invalidRequest, notFound } from './errors.js';
import type { Faults } from './faults.js';
import type { EmulatorStats } from './options.js';
import type { RateLimiter } from './rate-limit.js';
import { matchRoute, type RouteDeps } from './routes.js';
import type { Workspaces } from './workspace.js';

export const BETA = 'managed-agents-2026-04-01';
/** 2023-06-01 is what the docs and curl examples send; SDK 1.x sends 2026-10-21. */
export const VERSIONS = ['2023-06-01', '2026-10-21'] as const;
const MAX_BODY_BYTES = 1024 * 1024;

export interface HandlerDeps extends RouteDeps {
  workspaces: Workspaces;
  apiKey: string | undefined;
  latencyMs: number;
  faults: Faults;
  limiter: RateLimiter | undefined;
  stats: StatsCounter;
  requestId: () => string;
}

export class StatsCounter {
  private data: EmulatorStats = StatsCounter.empty();

  private static empty(): EmulatorStats {
    return { requests: 0, byRoute: {}, status: {}, rateLimited: 0 };
  }

  request(route: string): void {
    this.data.requests++;
    this.data.byRoute[route] = (this.data.byRoute[route] ?? 0) + 1;
  }

  answered(status: number | 'dropped'): void {
    const key = String(status);
    this.data.status[key] = (this.data.status[key] ?? 0) + 1;
  }

  rateLimited(): void {
    this.data.rateLimited++;
  }

  snapshot(): EmulatorStats {
    return structuredClone(this.data);
  }

  reset(): void {
    this.data = StatsCounter.empty();
  }
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function checkAuth(req: IncomingMessage, expected: string | undefined): void {
  const bearer = /^Bearer\s+(\S.*)$/i.exec(header(req, 'authorization') ?? '')?.[1]?.trim();
  const offered = [header(req, 'x-api-key')?.trim(), bearer].filter((k): k is string => Boolean(k));
  if (offered.length === 0) {
    throw new HttpFailure(
      'authentication_error',
      'missing API key: send it as the x-api-key header or as Authorization: Bearer <key>',
    );
  }
  if (expected !== undefined && !offered.includes(expected)) {
    throw new HttpFailure('authentication_error', 'invalid x-api-key');
  }
}

function checkVersionAndBeta(req: IncomingMessage): void {
  const version = header(req, 'anthropic-version');
  if (version === undefined) {
    throw invalidRequest(`anthropic-version: header is required (use ${VERSIONS[0]})`);
  }
  if (!(VERSIONS as readonly string[]).includes(version.trim())) {
    throw invalidRequest(
      `anthropic-version: ${JSON.stringify(version)} is not a supported version (use ${VERSIONS.join(' or ')})`,
    );
  }
  const betas = (header(req, 'anthropic-beta') ?? '').split(',').map((b) => b.trim());
  if (!betas.includes(BETA)) {
    throw invalidRequest(
      `anthropic-beta: the Environments API is in beta; the anthropic-beta header must include ${BETA}`,
    );
  }
}

/** The whole body, also when it is too large (it is drained, so the answer can be sent on a clean connection). */
async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size <= MAX_BODY_BYTES) chunks.push(chunk as Buffer);
  }
  if (size > MAX_BODY_BYTES) {
    throw new HttpFailure('request_too_large', `request body is larger than ${MAX_BODY_BYTES} bytes`);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * The organization every answer names (`anthropic-organization-id`), as the real API names the key's: the
 * emulator serves one organization, so `import --from-ant` has an origin to check a lock against.
 */
export const EMULATOR_ORGANIZATION_ID = '5e1f0c3a-7d2b-4c8e-9a61-3b2d4f6e8a10';

function send(
  res: ServerResponse,
  status: number,
  json: string | Buffer,
  requestId: string,
  headers: Record<string, string> = {},
): void {
  if (res.headersSent || res.destroyed) return;
  res.writeHead(status, {
    ...headers,
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(json),
    'request-id': requestId,
    'anthropic-organization-id': EMULATOR_ORGANIZATION_ID,
  });
  res.end(json);
}

function rateLimited(waitMs: number, kind: string, perMinute: number): HttpFailure {
  return new HttpFailure(
    'rate_limit_error',
    `rate limit exceeded: ${perMinute} ${kind} requests per minute; retry after ${waitMs} ms`,
    undefined,
    { 'retry-after': String(Math.max(1, Math.ceil(waitMs / 1000))), 'retry-after-ms': String(waitMs) },
  );
}

/** One request, start to end. Every step before the route runs is in the order the real API applies it. */
export async function handleRequest(
  deps: HandlerDeps,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const requestId = deps.requestId();
  const method = req.method ?? 'GET';
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  const route = matchRoute(method, url.pathname, deps);
  deps.stats.request(route?.key ?? 'unmatched');
  const answer = (status: number, json: string | Buffer, headers?: Record<string, string>) => {
    deps.stats.answered(status);
    send(res, status, json, requestId, headers);
  };
  const fail = (failure: HttpFailure) =>
    answer(failure.status, errorBody(failure, requestId), failure.headers);

  let body: string;
  try {
    body = await readBody(req);
  } catch (e) {
    if (e instanceof HttpFailure) fail(e);
    return; // the client went away mid-body: there is nobody to answer
  }
  if (deps.latencyMs > 0) await sleep(deps.latencyMs);

  const fault = deps.faults.failure();
  if (fault !== null) {
    fail(
      fault === 500
        ? new HttpFailure('api_error', 'internal server error (injected by the emulator)')
        : new HttpFailure('overloaded_error', 'overloaded (injected by the emulator)'),
    );
    return;
  }
  const drop = route?.kind === 'write' && deps.faults.drop();

  try {
    checkAuth(req, deps.apiKey);
    checkVersionAndBeta(req);
    if (!route) throw notFound(`no route for ${method} ${url.pathname}`);
    const workspace = deps.workspaces.select(header(req, 'anthropic-workspace-id'));
    if (deps.limiter) {
      const wait = deps.limiter.check(route.kind);
      if (wait > 0) {
        deps.stats.rateLimited();
        const { writesPerMinute, readsPerMinute } = deps.limiter.limits;
        throw route.kind === 'write'
          ? rateLimited(wait, 'write', writesPerMinute)
          : rateLimited(wait, 'read', readsPerMinute);
      }
    }
    const json = await route.run({ body, query: url.searchParams, workspace });
    if (drop) {
      // The write is committed and durable; only the answer is lost, as with a reset after the server acted.
      deps.stats.answered('dropped');
      req.socket.destroy();
      return;
    }
    answer(200, json, { 'anthropic-workspace-id': workspace.id });
  } catch (e) {
    fail(
      e instanceof HttpFailure
        ? e
        : new HttpFailure('api_error', `internal error: ${e instanceof Error ? e.message : String(e)}`),
    );
  }
}
