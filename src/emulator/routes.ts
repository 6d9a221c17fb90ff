// The route table: which request goes where, and what each Environments API route does to its workspace.

export type { RouteRequest, RouteResult, RouteSpec } from './route-spec.js';

import { booleanParam, pageRequest } from './list-query.js';
import type { RequestClass } from './rate-limit.js';
import type { RouteRequest, RouteSpec } from './route-spec.js';
import { REFERENCE_ROUTES } from './routes-refs.js';
import { checkCreateBody, checkUpdateBody, jsonBody } from './validate-body.js';

export interface RouteDeps {
  /** Resolves once the current state is durable (at once when there is no state file). */
  commit: () => Promise<void>;
}

export interface Route {
  /** The stats key, e.g. `POST /v1/environments/{id}`. */
  key: string;
  kind: RequestClass;
  /** Runs the request and returns the JSON body of its 200 answer; throws HttpFailure otherwise. */
  run: (request: Omit<RouteRequest, 'id'>) => Promise<string | Buffer>;
}

const ENV = '/v1/environments';

const ENVIRONMENT_ROUTES: RouteSpec[] = [
  {
    method: 'GET',
    path: ENV,
    run: ({ query, workspace }) =>
      workspace.environments.list({
        ...pageRequest(query),
        includeArchived: booleanParam(query, 'include_archived') ?? false,
      }),
  },
  {
    method: 'POST',
    path: ENV,
    run: ({ body, workspace }) => workspace.environments.create(checkCreateBody(jsonBody(body))),
  },
  { method: 'GET', path: `${ENV}/{id}`, run: ({ id, workspace }) => workspace.environments.retrieve(id) },
  {
    method: 'POST',
    path: `${ENV}/{id}`,
    run: ({ id, body, workspace }) => workspace.environments.update(id, checkUpdateBody(jsonBody(body))),
  },
  { method: 'DELETE', path: `${ENV}/{id}`, run: ({ id, workspace }) => workspace.deleteEnvironment(id) },
  {
    method: 'POST',
    path: `${ENV}/{id}/archive`,
    run: ({ id, workspace }) => workspace.environments.archive(id),
  },
];

const ROUTES: RouteSpec[] = [...ENVIRONMENT_ROUTES, ...REFERENCE_ROUTES];

/** The route for a method and path, or undefined (the server answers 404). */
export function matchRoute(method: string, pathname: string, deps: RouteDeps): Route | undefined {
  const segments = pathname.split('/');
  for (const spec of ROUTES) {
    if (spec.method !== method) continue;
    const id = matchPath(spec.path, segments);
    if (id === undefined) continue;
    const kind: RequestClass = method === 'GET' ? 'read' : 'write';
    return {
      key: `${method} ${spec.path}`,
      kind,
      run: async (request) => {
        const result = spec.run({ ...request, id });
        if (typeof result === 'string' || Buffer.isBuffer(result)) {
          if (kind === 'write') await deps.commit();
          return result;
        }
        if (result.changed) await deps.commit();
        return result.json;
      },
    };
  }
  return undefined;
}

/** The decoded `{id}` segment ('' when the pattern has none), or undefined when the path does not match. */
function matchPath(pattern: string, segments: string[]): string | undefined {
  const parts = pattern.split('/');
  if (parts.length !== segments.length) return undefined;
  let id = '';
  for (const [i, part] of parts.entries()) {
    const segment = segments[i] as string;
    if (part !== '{id}') {
      if (part !== segment) return undefined;
      continue;
    }
    const decoded = decode(segment);
    if (decoded === undefined || decoded === '') return undefined;
    id = decoded;
  }
  return id;
}

function decode(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}
