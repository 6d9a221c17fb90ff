// The one adapter that owns HTTP: the official SDK behind the transport middleware, every answer parsed into
// typed shapes at the edge, every list checked, and the SDK's errors mapped to envsync's.

// The SDK's base client and the three resources envsync calls, not the whole client: the full one loads every
// resource of the API (1.1 MB of code) on every command that talks to it, half of which is never used here.
import { BaseAnthropic } from '@anthropic-ai/sdk/client';
import { Deployments } from '@anthropic-ai/sdk/resources/beta/deployments';
import { Environments } from '@anthropic-ai/sdk/resources/beta/environments';
import { Sessions } from '@anthropic-ai/sdk/resources/beta/sessions';
import { EnvsyncError, UntrustedAnswerError } from '../errors.js';
import type {
  CreateBody,
  DeploymentSummary,
  EnvironmentsApi,
  ListOptions,
  ReferencesApi,
  Reporter,
  SessionSummary,
  UpdateBody,
} from '../model.js';
import { Redactor } from '../text/redact.js';
import type { RateLimit, Sleep } from '../util/rate-limit.js';
import { toApiError } from './api-error.js';
import { checkBaseUrl } from './base-url.js';
import { MAX_LIST_ITEMS, type RawPage, readAllPages } from './pager.js';
import { type Parsed, parseDeployment, parseEnvironment, parseOrigin, parseSession } from './parse.js';
import { DEFAULT_TIMEOUT_MS, patience, ReadAnswer, transport, withBudget } from './transport.js';

export { toApiError };

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
  /** The longest envsync waits on the API for one answer or one whole list (`--timeout`); default 90 s. */
  timeoutMs?: number | undefined;
  /** Connection errors and 5xx on idempotent calls are retried this many times by the SDK. */
  maxRetries?: number;
  /** Where the key is registered, so nothing the server echoes can print it; a fresh one by default. */
  redactor?: Redactor;
  now?: () => number;
  sleep?: Sleep;
}

/** Environments are listed 1,000 to a page (the API's maximum): a plan costs ⌈N/1000⌉ requests. */
const PAGE_SIZE = 1000;

type AsResponse = { asResponse(): Promise<Response> };

/** The JSON of an answer the transport already read whole, with its request id. */
async function jsonOf(promise: AsResponse, what: string): Promise<RawPage> {
  const response = await promise.asResponse();
  const requestId = response.headers.get('request-id');
  const text = response instanceof ReadAnswer ? response.utf8() : await response.text();
  try {
    return { body: JSON.parse(text) as unknown, requestId };
  } catch {
    throw new UntrustedAnswerError(
      'api_unreadable',
      `${what}: the answer is not JSON`,
      requestId,
      'check that the base URL points at the Environments API',
    );
  }
}

/** One answer that must be exactly one item: parsed, or refused as unreadable with the field named. */
function expectOne<T, B = unknown>(
  raw: { body: B; requestId: string | null },
  parse: (v: B) => Parsed<T>,
  what: string,
): T {
  const parsed = parse(raw.body);
  if (parsed.ok) return parsed.value;
  throw new UntrustedAnswerError(
    'api_unreadable',
    `${what}: the answer does not read as expected (${parsed.field}: ${parsed.problem})`,
    raw.requestId,
    'envsync acts on nothing it cannot read; if the API has changed, upgrade envsync',
  );
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
  const redactor = options.redactor ?? new Redactor();
  redactor.add(options.apiKey);
  const now = options.now ?? Date.now;
  const limits = patience(options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  const client = new BaseAnthropic({
    apiKey: options.apiKey,
    authToken: null,
    baseURL,
    maxRetries: options.maxRetries ?? 2,
    // The transport's own deadline (which covers the body) ends an attempt first; this is the SDK's backstop.
    timeout: limits.attemptMs + 1000,
    middleware: [
      transport({
        reporter: options.reporter,
        rateLimit: options.rateLimit,
        patience: limits,
        now,
        ...(options.sleep ? { sleep: options.sleep } : {}),
      }),
    ],
    // The SDK has no workspace option: the header is how the API selects a workspace.
    ...(options.workspaceId ? { defaultHeaders: { 'anthropic-workspace-id': options.workspaceId } } : {}),
  });
  const environments = new Environments(client);
  const call = async <T>(what: string, fn: () => Promise<T>): Promise<T> => {
    try {
      return await withBudget(what, limits.callMs, now, fn);
    } catch (e) {
      throw toApiError(e, what, baseURL, redactor);
    }
  };
  const environment = (what: string, request: () => AsResponse) =>
    call(what, async () => expectOne(await jsonOf(request(), what), parseEnvironment, what));

  return {
    target,
    list: (list: ListOptions = {}) =>
      call('list environments', async () => {
        const limit = list.limit ?? PAGE_SIZE;
        const result = await readAllPages(
          'list environments',
          (cursor, signal) =>
            jsonOf(
              environments.list(
                {
                  limit,
                  include_archived: list.includeArchived ?? false,
                  ...(cursor === null ? {} : { page: cursor }),
                },
                { signal },
              ),
              'list environments',
            ),
          parseEnvironment,
          (env) => env.id,
          { limit, maxItems: MAX_LIST_ITEMS },
          list.onItem,
        );
        return { envs: result.items, unreadable: result.unreadable };
      }),
    // A create is never retried blindly: a lost response may have created it (DESIGN §7); apply decides.
    create: (body: CreateBody) =>
      environment(`create ${body.name}`, () => environments.create(body, { maxRetries: 0 })),
    retrieve: (id: string) => environment(`retrieve ${id}`, () => environments.retrieve(id)),
    update: (id: string, body: UpdateBody) =>
      environment(`update ${id}`, () => environments.update(id, body)),
    archive: (id: string) => environment(`archive ${id}`, () => environments.archive(id)),
    delete: (id: string) =>
      call(`delete ${id}`, async () => {
        const raw = await jsonOf(environments.delete(id), `delete ${id}`);
        const body = raw.body as { id?: unknown; type?: unknown } | null;
        if (body?.id !== id || body.type !== 'environment_deleted')
          throw new UntrustedAnswerError(
            'api_untrusted',
            `delete ${id}: the answer is not the deletion of ${id}`,
            raw.requestId,
            'look the environment up before relying on its deletion',
          );
        return { id, type: 'environment_deleted' as const };
      }),
    references: referencesOf(client, call),
    // The API names the organization and workspace it served in every answer's headers: one small read.
    origin: () =>
      call('read the organization and workspace', async () => {
        const response = await environments.list({ limit: 1 }).asResponse();
        await response.text();
        return expectOne(
          { body: response.headers, requestId: response.headers.get('request-id') },
          parseOrigin,
          'read the organization and workspace',
        );
      }),
  };
}

type Call = <T>(what: string, fn: () => Promise<T>) => Promise<T>;

/** Every item of a list of references, checked like the environments' list; an unreadable one is refused. */
async function referenceList<T extends { id: string }>(
  what: string,
  fetchPage: (cursor: string | null) => Promise<RawPage>,
  parse: (v: unknown) => Parsed<T>,
): Promise<T[]> {
  const result = await readAllPages(what, fetchPage, parse, (item) => item.id, {
    limit: PAGE_SIZE,
    maxItems: MAX_LIST_ITEMS,
  });
  const bad = result.unreadable[0];
  if (bad)
    throw new UntrustedAnswerError(
      'api_unreadable',
      `${what}: ${bad.id ?? 'an item'} does not read as expected (${bad.field}: ${bad.problem})`,
      bad.request_id,
      'envsync decides nothing from references it cannot read; if the API has changed, upgrade envsync',
    );
  return result.items;
}

/** Sessions and deployments through the same client: the same key, workspace, pacing and checks. */
function referencesOf(client: BaseAnthropic, call: Call): ReferencesApi {
  const sessions = new Sessions(client);
  const deployments = new Deployments(client);
  const cursor = (c: string | null) => (c === null ? {} : { page: c });
  return {
    // Lists cannot filter by environment (DESIGN §12): page by created_at and let the caller filter.
    sessionsSince: (since: string) =>
      call('list sessions', () =>
        referenceList<SessionSummary>(
          'list sessions',
          (c) =>
            jsonOf(
              sessions.list({
                'created_at[gte]': since,
                include_archived: true,
                order: 'asc',
                limit: PAGE_SIZE,
                ...cursor(c),
              }),
              'list sessions',
            ),
          parseSession,
        ),
      ),
    retrieveSession: (id: string) =>
      call(`retrieve session ${id}`, async () =>
        expectOne(
          await jsonOf(sessions.retrieve(id), `retrieve session ${id}`),
          parseSession,
          `retrieve session ${id}`,
        ),
      ),
    listDeployments: () =>
      call('list deployments', () =>
        referenceList<DeploymentSummary>(
          'list deployments',
          (c) => jsonOf(deployments.list({ limit: PAGE_SIZE, ...cursor(c) }), 'list deployments'),
          parseDeployment,
        ),
      ),
    repointDeployment: (id: string, environmentId: string) =>
      call(`repoint deployment ${id}`, async () =>
        expectOne(
          await jsonOf(deployments.update(id, { environment_id: environmentId }), `repoint deployment ${id}`),
          parseDeployment,
          `repoint deployment ${id}`,
        ),
      ),
  };
}
