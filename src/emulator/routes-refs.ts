// The routes of what references environments, as the SDK calls them: agents, sessions and deployments.

import { invalidRequest } from './errors.js';
import { booleanParam, createdAtFilter, listParam, pageRequest, stringParam } from './list-query.js';
import type { RouteSpec } from './route-spec.js';
import { SESSION_STATUSES } from './sessions.js';
import { jsonBody } from './validate-body.js';
import {
  checkAgentBody,
  checkDeploymentBody,
  checkDeploymentPatch,
  checkSessionBody,
} from './validate-refs.js';

function integerParam(query: URLSearchParams, name: string): number | undefined {
  const raw = query.get(name);
  if (raw === null) return undefined;
  if (!/^[1-9][0-9]{0,8}$/.test(raw)) {
    throw invalidRequest(`${name}: must be a positive integer, got ${JSON.stringify(raw)}`);
  }
  return Number(raw);
}

const AGENT_ROUTES: RouteSpec[] = [
  {
    method: 'POST',
    path: '/v1/agents',
    run: ({ body, workspace }) => workspace.agents.create(checkAgentBody(jsonBody(body))),
  },
  {
    method: 'GET',
    path: '/v1/agents',
    run: ({ query, workspace }) =>
      workspace.agents.list({
        ...pageRequest(query),
        includeArchived: booleanParam(query, 'include_archived') ?? false,
        createdAt: createdAtFilter(query, ['gte', 'lte']),
      }),
  },
  {
    method: 'GET',
    path: '/v1/agents/{id}',
    run: ({ id, query, workspace }) => workspace.agents.retrieve(id, query.get('version')),
  },
];

const SESSION_ROUTES: RouteSpec[] = [
  {
    method: 'POST',
    path: '/v1/sessions',
    run: ({ body, workspace }) => workspace.createSession(checkSessionBody(jsonBody(body))),
  },
  {
    method: 'GET',
    path: '/v1/sessions',
    run: ({ query, workspace }) =>
      workspace.sessions.list({
        ...pageRequest(query, true),
        includeArchived: booleanParam(query, 'include_archived') ?? false,
        createdAt: createdAtFilter(query, ['gt', 'gte', 'lt', 'lte']),
        agentId: stringParam(query, 'agent_id'),
        agentVersion: integerParam(query, 'agent_version'),
        deploymentId: stringParam(query, 'deployment_id'),
        memoryStoreId: stringParam(query, 'memory_store_id'),
        statuses: listParam(query, 'statuses', SESSION_STATUSES),
      }),
  },
  { method: 'GET', path: '/v1/sessions/{id}', run: ({ id, workspace }) => workspace.sessions.retrieve(id) },
  {
    method: 'POST',
    path: '/v1/sessions/{id}/archive',
    run: ({ id, workspace }) => workspace.sessions.archive(id),
  },
  { method: 'DELETE', path: '/v1/sessions/{id}', run: ({ id, workspace }) => workspace.sessions.delete(id) },
];

const DEPLOYMENT_ROUTES: RouteSpec[] = [
  {
    method: 'POST',
    path: '/v1/deployments',
    run: ({ body, workspace }) => workspace.createDeployment(checkDeploymentBody(jsonBody(body))),
  },
  {
    method: 'GET',
    path: '/v1/deployments',
    run: ({ query, workspace }) => {
      const includeArchived = booleanParam(query, 'include_archived') ?? false;
      const status = listParam(query, 'status', ['active', 'paused'] as const);
      if (status && status.length > 1) throw invalidRequest('status: give one status, active or paused');
      if (status && includeArchived) {
        throw invalidRequest('status: cannot be combined with include_archived=true');
      }
      return workspace.deployments.list({
        ...pageRequest(query),
        includeArchived,
        createdAt: createdAtFilter(query, ['gte', 'lte']),
        agentId: stringParam(query, 'agent_id'),
        status: status?.[0],
      });
    },
  },
  {
    method: 'GET',
    path: '/v1/deployments/{id}',
    run: ({ id, workspace }) => workspace.deployments.retrieve(id),
  },
  {
    method: 'POST',
    path: '/v1/deployments/{id}',
    run: ({ id, body, workspace }) => workspace.updateDeployment(id, checkDeploymentPatch(jsonBody(body))),
  },
  {
    method: 'POST',
    path: '/v1/deployments/{id}/archive',
    run: ({ id, workspace }) => workspace.deployments.archive(id),
  },
  {
    method: 'POST',
    path: '/v1/deployments/{id}/pause',
    run: ({ id, workspace }) => workspace.deployments.setStatus(id, 'paused'),
  },
  {
    method: 'POST',
    path: '/v1/deployments/{id}/run',
    run: ({ id, workspace }) => workspace.runDeployment(id),
  },
  {
    method: 'POST',
    path: '/v1/deployments/{id}/unpause',
    run: ({ id, workspace }) => workspace.deployments.setStatus(id, 'active'),
  },
];

export const REFERENCE_ROUTES: RouteSpec[] = [...AGENT_ROUTES, ...SESSION_ROUTES, ...DEPLOYMENT_ROUTES];
