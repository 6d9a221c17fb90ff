// Checks agent, session and deployment bodies: the fields the SDK sends, types and lengths, each error naming its field.

import { invalidRequest } from './errors.js';
import {
  body,
  describe,
  fail,
  LIMITS,
  metadata,
  type Obj,
  object,
  oneOf,
  onlyKeys,
  string,
} from './validate-body.js';

/** `agent` in a session or deployment body: an ID (latest version) or `{type: "agent", id, version?}`. */
export interface AgentRef {
  id: string;
  version: number | undefined;
}

export interface AgentInput {
  name: string;
  description: string | null;
  model: Obj;
  system: string | null;
  tools: unknown[];
  mcp_servers: unknown[];
  skills: unknown[];
  metadata: Record<string, string>;
  multiagent: Obj | null;
  execution_identity: Obj;
}

export interface SessionInput {
  agent: AgentRef;
  environment_id: string;
  title: string | null;
  metadata: Record<string, string>;
  vault_ids: string[];
  budget: Obj | null;
}

export interface Schedule {
  type: 'cron';
  expression: string;
  timezone: string;
}

export interface DeploymentInput {
  agent: AgentRef;
  environment_id: string;
  name: string;
  description: string | null;
  initial_events: Obj[];
  metadata: Record<string, string>;
  schedule: Schedule | null;
  vault_ids: string[];
  budget: Obj | null;
}

/** Every field optional (omitted: kept); `metadata` is a patch, `null` deleting a key. */
export type DeploymentPatch = Partial<Omit<DeploymentInput, 'metadata'>> & {
  metadata?: Record<string, string | null>;
};

function nullableText(value: unknown, path: string): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string') fail(path, `must be a string or null, got ${describe(value)}`);
  return value;
}

function objects(value: unknown, path: string, min = 0, max = Number.POSITIVE_INFINITY): Obj[] {
  if (!Array.isArray(value)) fail(path, `must be an array, got ${describe(value)}`);
  if (value.length < min) fail(path, `must hold at least ${min} item${min === 1 ? '' : 's'}`);
  if (value.length > max) fail(path, `must hold at most ${max} items (got ${value.length})`);
  return value.map((item, i) => object(item, `${path}[${i}]`));
}

function ids(value: unknown, path: string): string[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) fail(path, `must be an array of strings, got ${describe(value)}`);
  return value.map((item, i) => string(item, `${path}[${i}]`, 1, 256));
}

function optionalObject(value: unknown, path: string): Obj | null {
  return value === undefined || value === null ? null : object(value, path);
}

function agentRef(value: unknown): AgentRef {
  if (typeof value === 'string') return { id: string(value, 'agent', 1, 256), version: undefined };
  const obj = object(value, 'agent');
  onlyKeys(obj, ['type', 'id', 'version'], 'agent');
  oneOf(obj.type, 'agent.type', ['agent']);
  const id = string(obj.id, 'agent.id', 1, 256);
  if (obj.version === undefined || obj.version === null) return { id, version: undefined };
  if (typeof obj.version !== 'number' || !Number.isSafeInteger(obj.version) || obj.version < 1) {
    fail('agent.version', `must be an integer of at least 1, got ${JSON.stringify(obj.version)}`);
  }
  return { id, version: obj.version };
}

/** Sessions and deployments here never mount anything, so a resource would be silently dropped: refuse it. */
function noResources(value: unknown): void {
  if (value === undefined || value === null) return;
  if (Array.isArray(value) && value.length === 0) return;
  throw invalidRequest('resources: the envsync emulator does not mount session resources; send none');
}

function model(value: unknown): Obj {
  if (typeof value === 'string') return { id: string(value, 'model', 1, 256) };
  const obj = object(value, 'model');
  string(obj.id, 'model.id', 1, 256);
  return obj;
}

function schedule(value: unknown): Schedule | null {
  if (value === undefined || value === null) return null;
  const obj = object(value, 'schedule');
  onlyKeys(obj, ['type', 'expression', 'timezone'], 'schedule');
  oneOf(obj.type, 'schedule.type', ['cron']);
  const expression = string(obj.expression, 'schedule.expression', 1, 256);
  if (expression.trim().split(/\s+/).length !== 5) {
    fail('schedule.expression', 'must be a 5-field cron expression such as "0 9 * * 1-5"');
  }
  return { type: 'cron', expression, timezone: string(obj.timezone, 'schedule.timezone', 1, 64) };
}

function required(obj: Obj, keys: readonly string[]): void {
  for (const key of keys) if (obj[key] === undefined) fail(key, 'required');
}

export function checkAgentBody(raw: unknown): AgentInput {
  const obj = body(raw);
  const keys = ['name', 'model', 'description', 'system', 'tools', 'mcp_servers', 'skills'] as const;
  onlyKeys(obj, [...keys, 'metadata', 'multiagent', 'execution_identity'], '');
  required(obj, ['name', 'model']);
  const list = (key: 'tools' | 'mcp_servers' | 'skills') =>
    obj[key] === undefined ? [] : objects(obj[key], key);
  return {
    name: string(obj.name, 'name', 1, LIMITS.name),
    description: nullableText(obj.description, 'description'),
    model: model(obj.model),
    system: nullableText(obj.system, 'system'),
    tools: list('tools'),
    mcp_servers: list('mcp_servers'),
    skills: list('skills'),
    metadata: obj.metadata === undefined ? {} : metadata<string>(obj.metadata, false),
    multiagent: optionalObject(obj.multiagent, 'multiagent'),
    execution_identity: optionalObject(obj.execution_identity, 'execution_identity') ?? {
      type: 'service_account',
    },
  };
}

export function checkSessionBody(raw: unknown): SessionInput {
  const obj = body(raw);
  onlyKeys(
    obj,
    ['agent', 'environment_id', 'budget', 'initial_events', 'metadata', 'resources', 'title', 'vault_ids'],
    '',
  );
  required(obj, ['agent', 'environment_id']);
  // Sessions never run here, so initial events are checked for shape and then have nowhere to go.
  if (obj.initial_events !== undefined) objects(obj.initial_events, 'initial_events', 0, 50);
  noResources(obj.resources);
  return {
    agent: agentRef(obj.agent),
    environment_id: string(obj.environment_id, 'environment_id', 1, 256),
    title: nullableText(obj.title, 'title'),
    metadata: obj.metadata === undefined ? {} : metadata<string>(obj.metadata, false),
    vault_ids: ids(obj.vault_ids, 'vault_ids'),
    budget: optionalObject(obj.budget, 'budget'),
  };
}

const DEPLOYMENT_KEYS = [
  'agent',
  'environment_id',
  'initial_events',
  'name',
  'budget',
  'description',
  'metadata',
  'resources',
  'schedule',
  'vault_ids',
] as const;

export function checkDeploymentBody(raw: unknown): DeploymentInput {
  const obj = body(raw);
  onlyKeys(obj, DEPLOYMENT_KEYS, '');
  required(obj, ['agent', 'environment_id', 'initial_events', 'name']);
  noResources(obj.resources);
  return {
    agent: agentRef(obj.agent),
    environment_id: string(obj.environment_id, 'environment_id', 1, 256),
    name: string(obj.name, 'name', 1, LIMITS.name),
    description: nullableText(obj.description, 'description'),
    initial_events: objects(obj.initial_events, 'initial_events', 1, 50),
    metadata: obj.metadata === undefined ? {} : metadata<string>(obj.metadata, false),
    schedule: schedule(obj.schedule),
    vault_ids: ids(obj.vault_ids, 'vault_ids'),
    budget: optionalObject(obj.budget, 'budget'),
  };
}

export function checkDeploymentPatch(raw: unknown): DeploymentPatch {
  const obj = body(raw);
  onlyKeys(obj, DEPLOYMENT_KEYS, '');
  noResources(obj.resources);
  const out: DeploymentPatch = {};
  const has = (key: string) => obj[key] !== undefined;
  if (has('agent')) out.agent = agentRef(obj.agent);
  if (has('environment_id')) out.environment_id = string(obj.environment_id, 'environment_id', 1, 256);
  if (has('name')) out.name = string(obj.name, 'name', 1, LIMITS.name);
  // "Send empty string or null to clear."
  if (has('description')) out.description = nullableText(obj.description, 'description') || null;
  if (has('initial_events')) out.initial_events = objects(obj.initial_events, 'initial_events', 1, 50);
  if (has('metadata') && obj.metadata !== null) out.metadata = metadata<string | null>(obj.metadata, true);
  if (has('schedule')) out.schedule = schedule(obj.schedule);
  if (has('vault_ids')) out.vault_ids = ids(obj.vault_ids, 'vault_ids');
  if (has('budget')) out.budget = optionalObject(obj.budget, 'budget');
  return out;
}
