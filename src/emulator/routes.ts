// The six Environments API routes: which request goes where, and what each one does to the store.

import { invalidRequest } from './errors.js';
import type { RequestClass } from './rate-limit.js';
import type { EnvironmentStore, ListQuery } from './store.js';
import { checkCreateBody, checkUpdateBody, parseJson } from './validate-body.js';

export interface RouteRequest {
  body: string;
  query: URLSearchParams;
}

export interface RouteDeps {
  store: EnvironmentStore;
  /** Resolves once the store's current state is durable (at once when there is no state file). */
  commit: () => Promise<void>;
}

export interface Route {
  /** The stats key, e.g. `POST /v1/environments/{id}`. */
  key: string;
  kind: RequestClass;
  /** Runs the request and returns the JSON body of its 200 answer; throws HttpFailure otherwise. */
  run: (request: RouteRequest) => Promise<string>;
}

const BASE = '/v1/environments';

function jsonBody(text: string): unknown {
  if (text.trim() === '') throw invalidRequest('body: a JSON object is required');
  return parseJson(text);
}

const MAX_LIMIT = 1000;

function listQuery(query: URLSearchParams): ListQuery {
  const rawLimit = query.get('limit');
  let limit = 20;
  if (rawLimit !== null) {
    limit = /^[0-9]{1,7}$/.test(rawLimit) ? Number(rawLimit) : Number.NaN;
    if (!(limit >= 1 && limit <= MAX_LIMIT)) {
      throw invalidRequest(
        `limit: must be an integer from 1 to ${MAX_LIMIT}, got ${JSON.stringify(rawLimit)}`,
      );
    }
  }
  const rawArchived = query.get('include_archived');
  if (rawArchived !== null && rawArchived !== 'true' && rawArchived !== 'false') {
    throw invalidRequest(`include_archived: must be true or false, got ${JSON.stringify(rawArchived)}`);
  }
  const page = query.get('page');
  return { limit, page: page === null || page === '' ? null : page, includeArchived: rawArchived === 'true' };
}

/** The route for a method and path, or undefined (the server answers 404). */
export function matchRoute(method: string, pathname: string, deps: RouteDeps): Route | undefined {
  const { store, commit } = deps;
  if (pathname === BASE) {
    if (method === 'GET') {
      return { key: `GET ${BASE}`, kind: 'read', run: async (r) => store.list(listQuery(r.query)) };
    }
    if (method === 'POST') {
      return {
        key: `POST ${BASE}`,
        kind: 'write',
        run: async (r) => {
          const json = store.create(checkCreateBody(jsonBody(r.body)));
          await commit();
          return json;
        },
      };
    }
    return undefined;
  }
  if (!pathname.startsWith(`${BASE}/`)) return undefined;
  const rest = pathname.slice(BASE.length + 1).split('/');
  const id = decode(rest[0] ?? '');
  if (id === undefined || id === '') return undefined;
  if (rest.length === 1) {
    if (method === 'GET') {
      return { key: `GET ${BASE}/{id}`, kind: 'read', run: async () => store.retrieve(id) };
    }
    if (method === 'POST') {
      return {
        key: `POST ${BASE}/{id}`,
        kind: 'write',
        run: async (r) => {
          const json = store.update(id, checkUpdateBody(jsonBody(r.body)));
          await commit();
          return json;
        },
      };
    }
    if (method === 'DELETE') {
      return {
        key: `DELETE ${BASE}/{id}`,
        kind: 'write',
        run: async () => {
          const json = store.delete(id);
          await commit();
          return json;
        },
      };
    }
    return undefined;
  }
  if (rest.length === 2 && rest[1] === 'archive' && method === 'POST') {
    return {
      key: `POST ${BASE}/{id}/archive`,
      kind: 'write',
      // The API takes no body here; like it, the emulator ignores whatever is sent.
      run: async () => {
        const { json, changed } = store.archive(id);
        if (changed) await commit();
        return json;
      },
    };
  }
  return undefined;
}

function decode(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}
