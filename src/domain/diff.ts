// Field-level diffs between two environments (sets by member, scalars by value) and the changes that widen network access.

import deepDiff from 'deep-diff';
import type { FieldChange, NormalConfig, Scope, Widening } from '../model.js';
import { isReservedKey } from '../model.js';
import { compareCodeUnits } from '../util/order.js';
import { userMetadata } from './ownership.js';

/** The fields of an environment that a plan compares; name is matched, never diffed here. */
export interface DiffSide {
  description: string | null;
  metadata: Record<string, string>;
  /** null: not compared (the file leaves scope to the API). */
  scope: Scope | null;
  config: NormalConfig;
}

type Path = readonly (string | number)[];
type Leaf = string | number | boolean | null;

/** A set becomes an object keyed by member, so deep-diff reports members added and removed, not indexes. */
function asSet(items: readonly string[]): Record<string, true> {
  return Object.fromEntries([...items].sort().map((item) => [item, true]));
}

function sortedRecord<T>(record: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => compareCodeUnits(a, b)));
}

function configView(config: NormalConfig): Record<string, unknown> {
  if (config.type === 'self_hosted') return { type: 'self_hosted' };
  const packages = sortedRecord(
    Object.fromEntries(Object.entries(config.packages).map(([manager, list]) => [manager, asSet(list)])),
  );
  const net = config.networking;
  const networking =
    net.type === 'unrestricted'
      ? { type: 'unrestricted' }
      : {
          type: 'limited',
          allowed_hosts: asSet(net.allowed_hosts),
          allow_mcp_servers: net.allow_mcp_servers,
          allow_package_managers: net.allow_package_managers,
        };
  return { type: 'cloud', packages, networking };
}

function view(side: DiffSide, withScope: boolean): Record<string, unknown> {
  return {
    description: side.description,
    // The API deletes a key set to "" on update, so an empty value can never be kept: it means no key.
    metadata: sortedRecord(
      Object.fromEntries(Object.entries(userMetadata(side.metadata)).filter(([, value]) => value !== '')),
    ),
    ...(withScope ? { scope: side.scope } : {}),
    config: configView(side.config),
  };
}

/** `config.packages.<manager>` and `config.networking.allowed_hosts` hold sets. */
function isSetPath(path: Path): boolean {
  if (path[0] !== 'config') return false;
  if (path[1] === 'packages') return path.length === 3;
  return path[1] === 'networking' && path[2] === 'allowed_hosts' && path.length === 3;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

/** Every change that a value appearing (side 'after') or disappearing (side 'before') at path amounts to. */
function expand(path: Path, value: unknown, side: 'before' | 'after'): FieldChange[] {
  const parent = path.slice(0, -1);
  if (isSetPath(parent)) {
    // One member of a set, reported on its own.
    return [{ op: side === 'after' ? 'add' : 'remove', path: parent.join('.'), value: String(path.at(-1)) }];
  }
  const dotted = path.join('.');
  if (isSetPath(path) && isObject(value)) {
    const op = side === 'after' ? 'add' : 'remove';
    return Object.keys(value).map((member) => ({ op, path: dotted, value: member }));
  }
  if (isObject(value)) return Object.entries(value).flatMap(([k, v]) => expand([...path, k], v, side));
  const leaf = (value ?? null) as Leaf;
  if (leaf === null) return [];
  return [
    side === 'after'
      ? { op: 'set', path: dotted, before: null, after: leaf }
      : { op: 'set', path: dotted, before: leaf, after: null },
  ];
}

function fromDeepDiff(d: deepDiff.Diff<unknown, unknown>): FieldChange[] {
  const path: Path = d.path ?? [];
  switch (d.kind) {
    case 'N':
      return expand(path, d.rhs, 'after');
    case 'D':
      return expand(path, d.lhs, 'before');
    case 'E':
      if (isObject(d.lhs) || isObject(d.rhs))
        return [...expand(path, d.lhs, 'before'), ...expand(path, d.rhs, 'after')];
      return [{ op: 'set', path: path.join('.'), before: d.lhs ?? null, after: d.rhs ?? null }];
    case 'A':
      // Views hold no arrays (sets became objects), so deep-diff never reports array edits.
      return [];
  }
}

/** Reserved metadata keys stay out of every diff, whatever the caller passed in. */
const skipReserved = (path: unknown[], key: unknown): boolean =>
  path.length === 1 && path[0] === 'metadata' && typeof key === 'string' && isReservedKey(key);

/**
 * The field-level changes that turn `before` into `after` (before null: nothing exists yet, as for a create).
 * Package lists and allowed_hosts change by member (`add`/`remove`); everything else is a `set`, with
 * metadata compared key by key. Scope is compared only when `after.scope` is set.
 */
export function diffEnvironment(before: DiffSide | null, after: DiffSide): FieldChange[] {
  const withScope = after.scope !== null;
  const lhs = before === null ? {} : view(before, withScope);
  const rhs = view(after, withScope);
  const diffs = deepDiff.diff<unknown, unknown>(lhs, rhs, skipReserved) ?? [];
  return diffs.flatMap(fromDeepDiff).filter((c) => c.op !== 'set' || c.before !== c.after);
}

/** The changes between two configs alone, with paths under `config.`. */
export function diffConfig(before: NormalConfig | null, after: NormalConfig): FieldChange[] {
  const side = (config: NormalConfig): DiffSide => ({ description: null, metadata: {}, scope: null, config });
  return diffEnvironment(before === null ? null : side(before), side(after)).filter((c) =>
    c.path.startsWith('config.'),
  );
}

const UNRESTRICTED: Widening = {
  reason: 'network_unrestricted',
  path: 'config.networking.type',
  detail: 'networking becomes unrestricted',
};
const PACKAGE_MANAGERS: Widening = {
  reason: 'package_managers_allowed',
  path: 'config.networking.allow_package_managers',
  detail: 'package managers allowed',
};
const MCP_SERVERS: Widening = {
  reason: 'mcp_servers_allowed',
  path: 'config.networking.allow_mcp_servers',
  detail: 'MCP servers allowed',
};

/**
 * What `after` lets a container reach that `before` did not. `before` null (a create) or not a cloud
 * config counts as "nothing": then unrestricted networking and each allow_* flag that is true widen, but a
 * limited allow-list does not (it is narrower than the API's unrestricted default). Narrowing is not reported.
 */
export function wideningOf(before: NormalConfig | null, after: NormalConfig): Widening[] {
  if (after.type !== 'cloud') return [];
  const to = after.networking;
  const from = before?.type === 'cloud' ? before.networking : null;
  if (to.type === 'unrestricted') {
    if (from === null) return [{ ...UNRESTRICTED, detail: 'networking is unrestricted' }];
    return from.type === 'unrestricted' ? [] : [UNRESTRICTED];
  }
  if (from?.type === 'unrestricted') return [];
  const out: Widening[] = [];
  if (from !== null) {
    const known = new Set(from.allowed_hosts);
    for (const host of to.allowed_hosts) {
      if (!known.has(host))
        out.push({
          reason: 'host_added',
          path: 'config.networking.allowed_hosts',
          detail: `new allowed host ${host}`,
        });
    }
  }
  if (to.allow_package_managers && !from?.allow_package_managers) out.push(PACKAGE_MANAGERS);
  if (to.allow_mcp_servers && !from?.allow_mcp_servers) out.push(MCP_SERVERS);
  return out;
}
