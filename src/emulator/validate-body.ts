// Checks create and update bodies the way the API does: unknown fields, types and lengths, each error naming its field.

import { type LooseConfig, PACKAGE_MANAGERS, type Scope } from '../model.js';
import { invalidRequest } from './errors.js';

export interface CreateInput {
  name: string;
  description: string | null;
  metadata: Record<string, string>;
  /** null: the body had none (or null), so the defaults apply. */
  config: LooseConfig | null;
  scope: Scope | null;
}

/** Every field optional; a null name, config or scope means "keep", like an omitted one. */
export interface UpdateInput {
  name?: string;
  description?: string | null;
  /** A null or "" value deletes the key. */
  metadata?: Record<string, string | null>;
  config?: LooseConfig;
  scope?: Scope;
}

export const LIMITS = {
  name: 256,
  description: 1024,
  metadataKeys: 16,
  metadataKey: 64,
  metadataValue: 512,
} as const;

export type Obj = Record<string, unknown>;

export function at(path: string, key: string): string {
  return path ? `${path}.${key}` : key;
}

export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return `a ${typeof value}`;
}

export function fail(path: string, message: string, errorCode?: string): never {
  throw invalidRequest(`${path}: ${message}`, errorCode);
}

export function isObject(value: unknown): value is Obj {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function object(value: unknown, path: string, errorCode?: string): Obj {
  if (!isObject(value)) fail(path, `must be an object, got ${describe(value)}`, errorCode);
  return value;
}

export function onlyKeys(obj: Obj, allowed: readonly string[], path: string): void {
  for (const key of Object.keys(obj)) {
    if (!allowed.includes(key)) {
      fail(at(path, key), `unknown field (expected one of: ${allowed.join(', ')})`);
    }
  }
}

/** Lengths count characters (code points), not UTF-16 units. */
function length(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}

export function string(value: unknown, path: string, min: number, max: number, errorCode?: string): string {
  if (typeof value !== 'string') fail(path, `must be a string, got ${describe(value)}`, errorCode);
  const n = length(value);
  if (n < min) fail(path, min === 1 ? 'must not be empty' : `must be at least ${min} characters`, errorCode);
  if (n > max) fail(path, `must be at most ${max} characters (got ${n})`, errorCode);
  return value;
}

export function oneOf<T extends string>(value: unknown, path: string, choices: readonly T[]): T {
  if (typeof value !== 'string' || !(choices as readonly string[]).includes(value)) {
    fail(path, `must be one of ${choices.map((c) => JSON.stringify(c)).join(', ')}`);
  }
  return value as T;
}

export function stringList(value: unknown, path: string): string[] | null {
  if (value === null) return null;
  if (!Array.isArray(value)) fail(path, `must be an array of strings or null, got ${describe(value)}`);
  return value.map((item, i) => {
    if (typeof item !== 'string') fail(`${path}[${i}]`, 'must be a string');
    if (item.length === 0) fail(`${path}[${i}]`, 'must not be empty');
    return item;
  });
}

function booleanOrNull(value: unknown, path: string): boolean | null {
  if (value !== null && typeof value !== 'boolean')
    fail(path, `must be a boolean or null, got ${describe(value)}`);
  return value;
}

const PACKAGE_KEYS = [...PACKAGE_MANAGERS, 'type'] as const;

function packages(value: unknown, path: string): LooseConfig['packages'] {
  if (value === null) return null;
  const obj = object(value, path);
  onlyKeys(obj, PACKAGE_KEYS, path);
  const out: NonNullable<LooseConfig['packages']> = {};
  for (const manager of PACKAGE_MANAGERS) {
    if (obj[manager] !== undefined) out[manager] = stringList(obj[manager], at(path, manager));
  }
  if (obj.type !== undefined) out.type = oneOf(obj.type, at(path, 'type'), ['packages']);
  return out;
}

function networking(value: unknown, path: string): LooseConfig['networking'] {
  if (value === null) return null;
  const obj = object(value, path);
  if (obj.type === undefined) fail(at(path, 'type'), 'required');
  const type = oneOf(obj.type, at(path, 'type'), ['unrestricted', 'limited']);
  if (type === 'unrestricted') {
    onlyKeys(obj, ['type'], path);
    return { type };
  }
  onlyKeys(obj, ['type', 'allowed_hosts', 'allow_mcp_servers', 'allow_package_managers'], path);
  const out: NonNullable<LooseConfig['networking']> = { type };
  if (obj.allowed_hosts !== undefined)
    out.allowed_hosts = stringList(obj.allowed_hosts, at(path, 'allowed_hosts'));
  for (const key of ['allow_mcp_servers', 'allow_package_managers'] as const) {
    if (obj[key] !== undefined) out[key] = booleanOrNull(obj[key], at(path, key));
  }
  return out;
}

export function checkConfig(value: unknown, path = 'config'): LooseConfig {
  const obj = object(value, path);
  if (obj.type === undefined) fail(at(path, 'type'), 'required');
  const type = oneOf(obj.type, at(path, 'type'), ['cloud', 'self_hosted']);
  if (type === 'self_hosted') {
    onlyKeys(obj, ['type'], path);
    return { type };
  }
  onlyKeys(obj, ['type', 'packages', 'networking'], path);
  const out: LooseConfig = { type };
  if (obj.packages !== undefined) out.packages = packages(obj.packages, at(path, 'packages'));
  if (obj.networking !== undefined) out.networking = networking(obj.networking, at(path, 'networking'));
  return out;
}

export function metadata<V extends string | null>(value: unknown, allowNull: boolean): Record<string, V> {
  const code = 'invalid_metadata';
  const obj = object(value, 'metadata', code);
  const keys = Object.keys(obj);
  if (keys.length > LIMITS.metadataKeys) {
    fail('metadata', `must have at most ${LIMITS.metadataKeys} keys (got ${keys.length})`, code);
  }
  const out: Record<string, V> = {};
  for (const key of keys) {
    if (length(key) === 0) fail('metadata', 'keys must not be empty', code);
    if (length(key) > LIMITS.metadataKey) {
      fail(`metadata.${key}`, `key must be at most ${LIMITS.metadataKey} characters`, code);
    }
    const v = obj[key];
    if (v === null && allowNull) {
      out[key] = v as V;
      continue;
    }
    out[key] = string(v, `metadata.${key}`, 0, LIMITS.metadataValue, code) as V;
  }
  return out;
}

export function description(value: unknown): string | null {
  return value === null ? null : string(value, 'description', 0, LIMITS.description);
}

const SCOPES = ['organization', 'account'] as const;

export function body(raw: unknown): Obj {
  if (!isObject(raw)) throw invalidRequest(`body: must be a JSON object, got ${describe(raw)}`);
  return raw;
}

export function checkCreateBody(raw: unknown): CreateInput {
  const obj = body(raw);
  onlyKeys(obj, ['name', 'description', 'metadata', 'config', 'scope'], '');
  if (obj.name === undefined) fail('name', 'required');
  return {
    name: string(obj.name, 'name', 1, LIMITS.name),
    description: obj.description === undefined ? null : description(obj.description),
    metadata: obj.metadata === undefined ? {} : metadata<string>(obj.metadata, false),
    config: obj.config === undefined || obj.config === null ? null : checkConfig(obj.config),
    scope: obj.scope === undefined || obj.scope === null ? null : oneOf(obj.scope, 'scope', SCOPES),
  };
}

export function checkUpdateBody(raw: unknown): UpdateInput {
  const obj = body(raw);
  onlyKeys(obj, ['name', 'description', 'metadata', 'config', 'scope'], '');
  const out: UpdateInput = {};
  if (obj.name !== undefined && obj.name !== null) out.name = string(obj.name, 'name', 1, LIMITS.name);
  if (obj.description !== undefined) out.description = description(obj.description);
  if (obj.metadata !== undefined) out.metadata = metadata<string | null>(obj.metadata, true);
  if (obj.config !== undefined && obj.config !== null) out.config = checkConfig(obj.config);
  if (obj.scope !== undefined && obj.scope !== null) out.scope = oneOf(obj.scope, 'scope', SCOPES);
  return out;
}

/** JSON.parse with the API's answer to a body that is not JSON. */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw invalidRequest(`body: malformed JSON (${e instanceof Error ? e.message : String(e)})`);
  }
}

/** A JSON body that must be there (creates, updates). */
export function jsonBody(text: string): unknown {
  if (text.trim() === '') throw invalidRequest('body: a JSON object is required');
  return parseJson(text);
}
