// The one adapter that owns HTTP: wraps the official SDK, paces requests, and maps its errors to ApiError.

import Anthropic from '@anthropic-ai/sdk';
import { ApiError, EnvsyncError } from '../errors.js';
import type {
  CreateBody,
  DeploymentSummary,
  EnvironmentsApi,
  ListOptions,
  LiveEnvironment,
  ReferencesApi,
  Reporter,
  SessionSummary,
  UpdateBody,
} from '../model.js';
import { checkBaseUrl } from './base-url.js';
import { type RateLimit, realSleep, type Sleep, TokenBucket, type WaitReason } from './rate-limit.js';

export interface ApiClientOptions {
  baseUrl: string;
  /** From ANTHROPIC_API_KEY (or the workspace's own variable) only; never logged. */
  apiKey: string | undefined;
  /** The variable the key came from, for the message when it is missing. */
  apiKeyEnv?: string;
  /** Sent as `anthropic-workspace-id` on every request; null or absent sends none (the key's own workspace). */
  workspaceId?: string | null;
  /** What the changelog and plans call this API; defaults to the base URL. */
  target?: string;
  /** Absent: no pacing (the server's 429s still slow the run down). */
  rateLimit?: RateLimit | undefined;
  reporter: Reporter;
  /** Per request; the default suits a real API. */
  timeoutMs?: number;
  /** Connection errors and 5xx on idempotent calls are retried this many times by the SDK. */
  maxRetries?: number;
  now?: () => number;
  sleep?: Sleep;
}

/** How many 429s one request may wait out before its caller sees the error. */
const MAX_RATE_LIMIT_WAITS = 20;

function retryAfterMs(headers: Headers): number | undefined {
  const ms = Number(headers.get('retry-after-ms'));
  if (ms > 0) return ms;
  const seconds = Number(headers.get('retry-after'));
  if (seconds > 0) return seconds * 1000;
  return undefined;
}

/** The same response with one header set (a Response's headers cannot be changed in place). */
function withHeader(response: Response, name: string, value: string): Response {
  const headers = new Headers(response.headers);
  headers.set(name, value);
  return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
}

/**
 * A fetch that waits for a rate-limit token before each request, waits out 429s (honouring
 * retry-after, pausing every other request of the same class too), and reports each request.
 */
function pacedFetch(options: ApiClientOptions): typeof fetch {
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? realSleep;
  const onWait = (ms: number, reason: WaitReason) => options.reporter.event({ type: 'waiting', reason, ms });
  const buckets = options.rateLimit
    ? {
        write: new TokenBucket(options.rateLimit.writesPerMinute, now, sleep, onWait),
        read: new TokenBucket(options.rateLimit.readsPerMinute, now, sleep, onWait),
      }
    : undefined;
  return async (input, init) => {
    const method = (init?.method ?? 'GET').toUpperCase();
    const bucket = buckets ? (method === 'GET' ? buckets.read : buckets.write) : undefined;
    const url = new URL(input instanceof Request ? input.url : String(input));
    for (let attempt = 0; ; attempt++) {
      await bucket?.take();
      const start = now();
      const response = await fetch(input, init);
      options.reporter.event({
        type: 'request',
        method,
        path: url.pathname + url.search,
        status: response.status,
        request_id: response.headers.get('request-id'),
        ms: now() - start,
      });
      if (response.status !== 429) return response;
      // This layer owns 429s: once it gives up, the SDK must not retry the same 429 again on top.
      if (attempt >= MAX_RATE_LIMIT_WAITS) return withHeader(response, 'x-should-retry', 'false');
      const wait = retryAfterMs(response.headers) ?? Math.min(500 * 2 ** attempt, 8000);
      await response.body?.cancel();
      if (bucket) bucket.pause(now() + wait);
      else {
        onWait(wait, 'retry_after');
        await sleep(wait);
      }
    }
  };
}

/** The innermost cause of a connection failure, in words: `ECONNREFUSED: connect ECONNREFUSED 127.0.0.1:1`. */
function rootCause(e: unknown): string {
  let deepest: unknown = e;
  for (let c: unknown = e, depth = 0; c instanceof Error && depth < 10; c = c.cause, depth++) deepest = c;
  if (!(deepest instanceof Error)) return String(deepest);
  const code = (deepest as { code?: unknown }).code;
  return typeof code === 'string' && !deepest.message.includes(code)
    ? `${code}: ${deepest.message}`
    : deepest.message;
}

/**
 * Turns whatever the SDK threw into an ApiError; connection-level failures get status null (ambiguous) and
 * name the URL and the cause, so "connection failed" is never all an operator sees.
 */
export function toApiError(e: unknown, what: string, baseURL = 'the API'): EnvsyncError {
  if (e instanceof EnvsyncError) return e;
  if (e instanceof Anthropic.APIError) {
    if (e.status === undefined) {
      const timeout = e instanceof Anthropic.APIConnectionTimeoutError;
      return new ApiError(
        `${what}: ${timeout ? `${baseURL} did not answer in time` : `cannot reach ${baseURL}`} (${rootCause(e)})`,
        { status: null, type: null, errorCode: null, requestId: null },
        {
          hint: 'check the network and the base URL; envsync will reconcile anything half-done on the next run',
          cause: e,
        },
      );
    }
    const message = e.apiMessage ?? e.message;
    return new ApiError(
      `${what}: ${e.status} ${e.type ?? 'error'}${e.errorCode ? ` (${e.errorCode})` : ''}: ${message}`,
      { status: e.status, type: e.type, errorCode: e.errorCode, requestId: e.requestID ?? null },
      { hint: hintFor(e.status), cause: e },
    );
  }
  const message = e instanceof Error ? e.message : String(e);
  return new ApiError(
    `${what}: ${message}`,
    { status: null, type: null, errorCode: null, requestId: null },
    { cause: e },
  );
}

function hintFor(status: number): string | undefined {
  if (status === 401) return 'check ANTHROPIC_API_KEY';
  if (status === 403) return 'the API key lacks permission for Managed Agents environments';
  if (status === 429) return 'the API kept rate-limiting; lower --parallelism or --rate-limit';
  if (status >= 500) return 'the API had a problem; run the command again';
  return undefined;
}

function toLive(env: Anthropic.Beta.Environments.BetaEnvironment): LiveEnvironment {
  return env as LiveEnvironment;
}

export function createApiClient(options: ApiClientOptions): EnvironmentsApi {
  const baseURL = checkBaseUrl(options.baseUrl);
  const target = options.target ?? baseURL;
  if (!options.apiKey) {
    const variable = options.apiKeyEnv ?? 'ANTHROPIC_API_KEY';
    throw new EnvsyncError('no_api_key', `${variable} is not set`, {
      hint: `export ${variable}, or try envsync against the embedded local API with --local`,
    });
  }
  const client = new Anthropic({
    apiKey: options.apiKey,
    authToken: null,
    baseURL,
    maxRetries: options.maxRetries ?? 2,
    timeout: options.timeoutMs ?? 90_000,
    fetch: pacedFetch(options),
    // The SDK has no workspace option: the header is how the API selects a workspace.
    ...(options.workspaceId ? { defaultHeaders: { 'anthropic-workspace-id': options.workspaceId } } : {}),
  });
  const environments = client.beta.environments;
  const call = async <T>(what: string, fn: () => Promise<T>): Promise<T> => {
    try {
      return await fn();
    } catch (e) {
      throw toApiError(e, what, baseURL);
    }
  };

  return {
    target,
    async *listAll(list: ListOptions = {}) {
      const pages = environments.list({
        limit: list.limit ?? 1000,
        include_archived: list.includeArchived ?? false,
      });
      try {
        for await (const env of pages) yield toLive(env);
      } catch (e) {
        throw toApiError(e, 'list environments', baseURL);
      }
    },
    // A create is never retried blindly: a lost response may have created it (DESIGN §7); apply decides.
    create: (body: CreateBody) =>
      call(`create ${body.name}`, async () => toLive(await environments.create(body, { maxRetries: 0 }))),
    retrieve: (id: string) => call(`retrieve ${id}`, async () => toLive(await environments.retrieve(id))),
    update: (id: string, body: UpdateBody) =>
      call(`update ${id}`, async () => toLive(await environments.update(id, body))),
    archive: (id: string) => call(`archive ${id}`, async () => toLive(await environments.archive(id))),
    delete: (id: string) =>
      call(`delete ${id}`, async () => {
        const r = await environments.delete(id);
        return { id: r.id, type: r.type };
      }),
    references: referencesOf(client, call, baseURL),
  };
}

type Call = <T>(what: string, fn: () => Promise<T>) => Promise<T>;

function sessionSummary(s: Anthropic.Beta.Sessions.BetaManagedAgentsSession): SessionSummary {
  return {
    id: s.id,
    environment_id: s.environment_id,
    created_at: s.created_at,
    status: s.status ?? null,
    archived_at: s.archived_at ?? null,
    deployment_id: (s as { deployment_id?: string | null }).deployment_id ?? null,
  };
}

function deploymentSummary(d: Anthropic.Beta.Deployments.BetaManagedAgentsDeployment): DeploymentSummary {
  return {
    id: d.id,
    name: d.name,
    environment_id: d.environment_id,
    status: d.status,
    archived_at: d.archived_at,
  };
}

/** Sessions and deployments through the same client: the same key, workspace, pacing and error mapping. */
function referencesOf(client: Anthropic, call: Call, baseURL: string): ReferencesApi {
  return {
    async *sessionsSince(since: string) {
      // Lists cannot filter by environment (DESIGN §12): page by created_at and let the caller filter.
      const pages = client.beta.sessions.list({
        'created_at[gte]': since,
        include_archived: true,
        order: 'asc',
        limit: 1000,
      });
      try {
        for await (const s of pages) yield sessionSummary(s);
      } catch (e) {
        throw toApiError(e, 'list sessions', baseURL);
      }
    },
    retrieveSession: (id: string) =>
      call(`retrieve session ${id}`, async () => sessionSummary(await client.beta.sessions.retrieve(id))),
    async *listDeployments() {
      const pages = client.beta.deployments.list({ limit: 1000 });
      try {
        for await (const d of pages) yield deploymentSummary(d);
      } catch (e) {
        throw toApiError(e, 'list deployments', baseURL);
      }
    },
    repointDeployment: (id: string, environmentId: string) =>
      call(`repoint deployment ${id}`, async () =>
        deploymentSummary(await client.beta.deployments.update(id, { environment_id: environmentId })),
      ),
  };
}
