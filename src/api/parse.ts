// Every answer from the API parsed into envsync's typed shapes at the edge: nothing downstream casts, and an
// item that does not parse is reported as unreadable (which field, and why) instead of being defaulted.

import {
  type ApiConfig,
  type ApiOrigin,
  type DeploymentSummary,
  type LiveEnvironment,
  type Networking,
  PACKAGE_MANAGERS,
  type Packages,
  type Scope,
  type SessionSummary,
  type UnreadableItem,
} from '../model.js';

export type Parsed<T> = { ok: true; value: T } | { ok: false; field: string; problem: string };

/** Why a value failed, and where: thrown inside the parsers, caught once per item. */
class Refused {
  constructor(
    readonly field: string,
    readonly problem: string,
  ) {}
}

const refuse = (field: string, problem: string): never => {
  throw new Refused(field, problem);
};

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'missing';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'string') return `the text ${JSON.stringify(value.slice(0, 40))}`;
  return `a ${typeof value}`;
}

function record(value: unknown, field: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return refuse(field, `expected an object, got ${describe(value)}`);
  return value as Record<string, unknown>;
}

function text(value: unknown, field: string): string {
  return typeof value === 'string' ? value : refuse(field, `expected text, got ${describe(value)}`);
}

function nonEmpty(value: unknown, field: string): string {
  const s = text(value, field);
  return s === '' ? refuse(field, 'is empty') : s;
}

function nullableText(value: unknown, field: string): string | null {
  return value === null ? null : text(value, field);
}

function bool(value: unknown, field: string): boolean {
  return typeof value === 'boolean' ? value : refuse(field, `expected true or false, got ${describe(value)}`);
}

function time(value: unknown, field: string): string {
  const s = text(value, field);
  return Number.isNaN(Date.parse(s)) ? refuse(field, `is not a time (${JSON.stringify(s)})`) : s;
}

function nullableTime(value: unknown, field: string): string | null {
  return value === null ? null : time(value, field);
}

/** IDs become file names, command lines and HTML: letters, digits, `_` and `-` only. */
function id(value: unknown, field: string, prefix: string): string {
  const s = text(value, field);
  if (!/^[A-Za-z0-9_-]{1,128}$/.test(s) || !s.startsWith(prefix))
    refuse(field, `is not an ID of the form ${prefix}… (${JSON.stringify(s.slice(0, 40))})`);
  return s;
}

/**
 * A list of texts, checked member by member and kept as it came: an answer's values are fresh from
 * `JSON.parse` and nothing changes them, so the parsed item shares them instead of copying (a 1,000-item page
 * holds several thousand of these lists, and the copies were most of what a list allocated).
 */
function textList(value: unknown, field: string): string[] {
  if (!Array.isArray(value)) return refuse(field, `expected a list, got ${describe(value)}`);
  for (let i = 0; i < value.length; i++)
    if (typeof value[i] !== 'string') refuse(`${field}[${i}]`, `expected text, got ${describe(value[i])}`);
  return value as string[];
}

function onlyKeys(obj: Record<string, unknown>, allowed: ReadonlySet<string>, field: string): void {
  for (const key in obj)
    if (!allowed.has(key))
      refuse(`${field}.${key}`, 'a field envsync does not know: it cannot tell what the config holds');
}

const PACKAGES_KEYS: ReadonlySet<string> = new Set([...PACKAGE_MANAGERS, 'type']);
const TYPE_ONLY: ReadonlySet<string> = new Set(['type']);
const LIMITED_KEYS: ReadonlySet<string> = new Set([
  'type',
  'allowed_hosts',
  'allow_mcp_servers',
  'allow_package_managers',
]);
const CLOUD_KEYS: ReadonlySet<string> = new Set(['type', 'packages', 'networking']);

function packages(value: unknown): Packages {
  const obj = record(value, 'config.packages');
  onlyKeys(obj, PACKAGES_KEYS, 'config.packages');
  if (obj.type !== undefined && obj.type !== 'packages')
    refuse('config.packages.type', `expected "packages", got ${describe(obj.type)}`);
  const out = {} as Packages;
  for (const manager of PACKAGE_MANAGERS) out[manager] = textList(obj[manager], `config.packages.${manager}`);
  return out;
}

function networking(value: unknown): Networking {
  const obj = record(value, 'config.networking');
  if (obj.type === 'unrestricted') {
    onlyKeys(obj, TYPE_ONLY, 'config.networking');
    return { type: 'unrestricted' };
  }
  if (obj.type !== 'limited')
    return refuse('config.networking.type', `a networking type envsync does not know: ${describe(obj.type)}`);
  onlyKeys(obj, LIMITED_KEYS, 'config.networking');
  return {
    type: 'limited',
    allowed_hosts: textList(obj.allowed_hosts, 'config.networking.allowed_hosts'),
    allow_mcp_servers: bool(obj.allow_mcp_servers, 'config.networking.allow_mcp_servers'),
    allow_package_managers: bool(obj.allow_package_managers, 'config.networking.allow_package_managers'),
  };
}

function config(value: unknown): ApiConfig {
  const obj = record(value, 'config');
  if (obj.type === 'self_hosted') {
    onlyKeys(obj, TYPE_ONLY, 'config');
    return { type: 'self_hosted' };
  }
  if (obj.type !== 'cloud')
    return refuse('config.type', `a config type envsync does not know: ${describe(obj.type)}`);
  onlyKeys(obj, CLOUD_KEYS, 'config');
  return { type: 'cloud', packages: packages(obj.packages), networking: networking(obj.networking) };
}

/**
 * Kept as it came, as `textList` is: every value checked to be text. A key `__proto__` is refused: a plain
 * object cannot hold it as its own everywhere envsync copies metadata (the changelog, the diff, the patch), so
 * envsync could neither show it nor record it truly.
 */
function metadata(value: unknown): Record<string, string> {
  const obj = record(value, 'metadata');
  for (const k in obj) {
    if (k === '__proto__') refuse('metadata.__proto__', 'a key envsync cannot hold as its own');
    if (typeof obj[k] !== 'string') refuse(`metadata.${k}`, `expected text, got ${describe(obj[k])}`);
  }
  return obj as Record<string, string>;
}

function scope(value: unknown): Scope | undefined {
  if (value === undefined || value === null) return undefined;
  return value === 'organization' || value === 'account'
    ? value
    : refuse('scope', `a scope envsync does not know: ${describe(value)}`);
}

function attempt<T>(parse: () => T): Parsed<T> {
  try {
    return { ok: true, value: parse() };
  } catch (e) {
    if (e instanceof Refused) return { ok: false, field: e.field, problem: e.problem };
    throw e;
  }
}

/** An environment object as DESIGN §1 describes it; every field present and typed, the config one envsync knows. */
export function parseEnvironment(value: unknown): Parsed<LiveEnvironment> {
  return attempt(() => {
    const obj = record(value, '(the environment)');
    if (obj.type !== 'environment') refuse('type', `expected "environment", got ${describe(obj.type)}`);
    const s = scope(obj.scope);
    return {
      id: id(obj.id, 'id', 'env_'),
      type: 'environment' as const,
      name: nonEmpty(obj.name, 'name'),
      description: nullableText(obj.description, 'description'),
      metadata: metadata(obj.metadata),
      config: config(obj.config),
      ...(s === undefined ? {} : { scope: s }),
      created_at: time(obj.created_at, 'created_at'),
      updated_at: time(obj.updated_at, 'updated_at'),
      archived_at: nullableTime(obj.archived_at, 'archived_at'),
    };
  });
}

/** What can still be said of an item that did not parse: its ID and name when those are readable. */
export function unreadableItem(
  value: unknown,
  failure: { field: string; problem: string },
  requestId: string | null,
): UnreadableItem {
  const obj = typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
  const readable = (v: unknown) => (typeof v === 'string' && v !== '' ? v : null);
  const meta = typeof obj.metadata === 'object' && obj.metadata !== null ? obj.metadata : {};
  return {
    id: typeof obj.id === 'string' && /^[A-Za-z0-9_-]{1,128}$/.test(obj.id) ? obj.id : null,
    name: readable(obj.name),
    owner: readable((meta as Record<string, unknown>).envsync_managed),
    field: failure.field,
    problem: failure.problem,
    request_id: requestId,
  };
}

/** A list page: `{data: [...], next_page: string | null}`; the items are parsed one by one by the caller. */
export function parsePage(value: unknown): Parsed<{ data: unknown[]; next: string | null }> {
  return attempt(() => {
    const obj = record(value, '(the page)');
    if (!Array.isArray(obj.data)) refuse('data', `expected a list, got ${describe(obj.data)}`);
    const next = obj.next_page;
    if (next !== null && next !== undefined && (typeof next !== 'string' || next === ''))
      refuse('next_page', `expected a cursor or null, got ${describe(next)}`);
    return { data: obj.data as unknown[], next: typeof next === 'string' ? next : null };
  });
}

export function parseSession(value: unknown): Parsed<SessionSummary> {
  return attempt(() => {
    const obj = record(value, '(the session)');
    const deployment = obj.deployment_id;
    return {
      id: id(obj.id, 'id', 'sesn_'),
      environment_id: id(obj.environment_id, 'environment_id', 'env_'),
      created_at: time(obj.created_at, 'created_at'),
      status: obj.status === undefined ? null : nullableText(obj.status, 'status'),
      archived_at: obj.archived_at === undefined ? null : nullableTime(obj.archived_at, 'archived_at'),
      deployment_id:
        deployment === undefined || deployment === null ? null : id(deployment, 'deployment_id', 'depl_'),
    };
  });
}

export function parseDeployment(value: unknown): Parsed<DeploymentSummary> {
  return attempt(() => {
    const obj = record(value, '(the deployment)');
    const status = obj.status;
    if (status !== 'active' && status !== 'paused')
      refuse('status', `a deployment status envsync does not know: ${describe(status)}`);
    return {
      id: id(obj.id, 'id', 'depl_'),
      name: text(obj.name, 'name'),
      environment_id: id(obj.environment_id, 'environment_id', 'env_'),
      status: status as 'active' | 'paused',
      archived_at: nullableTime(obj.archived_at, 'archived_at'),
    };
  });
}

/**
 * The organization and workspace an answer names in its headers (`anthropic-organization-id`,
 * `anthropic-workspace-id`): absent is null (the API did not say), present but not an ID is refused.
 */
export function parseOrigin(headers: Headers): Parsed<ApiOrigin> {
  return attempt(() => {
    const header = (name: string, pattern: RegExp) => {
      const raw = headers.get(name);
      if (raw === null) return null;
      return pattern.test(raw) ? raw : refuse(name, `expected an ID, got ${describe(raw)}`);
    };
    return {
      organization_id: header('anthropic-organization-id', /^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$/),
      workspace_id: header('anthropic-workspace-id', /^wrkspc_[A-Za-z0-9_-]{1,128}$/),
    };
  });
}
