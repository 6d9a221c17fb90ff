// What a route of the emulator is: the request it gets, the answer it gives; shared by every route table.

import type { Workspace } from './workspace.js';

export interface RouteRequest {
  body: string;
  query: URLSearchParams;
  /** The `{id}` path segment, decoded; '' on routes without one. */
  id: string;
  workspace: Workspace;
}

/** A write that may find nothing to change (archive again) says so, and then needs no state write. */
export type RouteResult = string | Buffer | { json: string; changed: boolean };

export interface RouteSpec {
  method: 'GET' | 'POST' | 'DELETE';
  /** The path with `{id}` for the one variable segment; also the stats key after the method. */
  path: string;
  /** Routes without a body (archive, pause) ignore whatever is sent, as the API does. */
  run: (request: RouteRequest) => RouteResult;
}
