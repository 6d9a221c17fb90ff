// Field-level diffs between two environments (sets by member, scalars by value) and the changes that widen network access.

import type { FieldChange, NormalConfig, PackageManager, Scope, Widening } from '../model.js';
import { isReservedKey } from '../model.js';
import { compareCodeUnits } from '../util/order.js';
import { packageIdentity } from './package-spec.js';

/** The fields of an environment that a plan compares; name is matched, never diffed here. */
export interface DiffSide {
  description: string | null;
  metadata: Record<string, string>;
  /** null: not compared (the file leaves scope to the API). */
  scope: Scope | null;
  config: NormalConfig;
}

type Leaf = string | number | boolean | null;

/** A package list or allow-list: compared by member, so a change reads "added x, removed y", never by index. */
class MemberSet {
  /** Sorted (code units), each member once. */
  readonly members: string[];
  constructor(items: readonly string[]) {
    // A normal config's lists are sorted and unique already (hash/config-hash.ts): then no copy is needed.
    this.members = ascending(items) ? (items as string[]) : [...new Set(items)].sort();
  }
}

/** What is compared: objects of scalars, objects and member sets; keys in a fixed order. */
type View = { [key: string]: View | MemberSet | Leaf };

/** Strictly ascending in code units: sorted, each once. */
function ascending(items: readonly string[]): boolean {
  for (let i = 1; i < items.length; i++) if ((items[i - 1] as string) >= (items[i] as string)) return false;
  return true;
}

/** The record's entries that `keep`, mapped, in key order (code units). */
function sortedRecord<T, U>(
  record: Record<string, T>,
  map: (value: T) => U,
  keep: (key: string, value: T) => boolean = () => true,
): Record<string, U> {
  const keys = Object.keys(record).filter((key) => keep(key, record[key] as T));
  if (!ascending(keys)) keys.sort(compareCodeUnits);
  const out: Record<string, U> = {};
  for (const key of keys) out[key] = map(record[key] as T);
  return out;
}

function configView(config: NormalConfig): View {
  if (config.type === 'self_hosted') return { type: 'self_hosted' };
  const packages = sortedRecord(config.packages, (list) => new MemberSet(list));
  const net = config.networking;
  const networking: View =
    net.type === 'unrestricted'
      ? { type: 'unrestricted' }
      : {
          type: 'limited',
          allowed_hosts: new MemberSet(net.allowed_hosts),
          allow_mcp_servers: net.allow_mcp_servers,
          allow_package_managers: net.allow_package_managers,
        };
  return { type: 'cloud', packages, networking };
}

/**
 * Views already made, per side object: a timeline compares each record with the one before it and then the
 * one after, so each side is viewed once rather than twice. Sides are values; nobody changes one after making it.
 */
const views = [new WeakMap<DiffSide, View>(), new WeakMap<DiffSide, View>()];

function view(side: DiffSide, withScope: boolean): View {
  const cache = views[withScope ? 1 : 0] as WeakMap<DiffSide, View>;
  const known = cache.get(side);
  if (known) return known;
  const made: View = {
    description: side.description,
    // The API deletes a key set to "" on update, so an empty value can never be kept: it means no key.
    // Reserved keys stay out of every diff, whatever the caller passed in.
    metadata: sortedRecord(
      side.metadata,
      (value) => value,
      (key, value) => value !== '' && !isReservedKey(key),
    ),
    ...(withScope ? { scope: side.scope } : {}),
    config: configView(side.config),
  };
  cache.set(side, made);
  return made;
}

const isView = (value: View[string] | undefined): value is View =>
  typeof value === 'object' && value !== null && !(value instanceof MemberSet);

const join = (path: string, key: string) => (path === '' ? key : `${path}.${key}`);

/** Every change that a value appearing (side 'after') or disappearing (side 'before') at path amounts to. */
function expand(
  path: string,
  value: View[string] | undefined,
  side: 'before' | 'after',
  out: FieldChange[],
): void {
  if (value instanceof MemberSet) {
    const op = side === 'after' ? 'add' : 'remove';
    for (const member of value.members) out.push({ op, path, value: member });
  } else if (isView(value)) {
    for (const key of Object.keys(value)) expand(join(path, key), value[key], side, out);
  } else if (value !== null && value !== undefined) {
    out.push(
      side === 'after'
        ? { op: 'set', path, before: null, after: value }
        : { op: 'set', path, before: value, after: null },
    );
  }
}

/** Two sorted member lists: first what left (in order), then what came. */
function compareMembers(
  path: string,
  lhs: readonly string[],
  rhs: readonly string[],
  out: FieldChange[],
): void {
  const added: string[] = [];
  let i = 0;
  let j = 0;
  while (i < lhs.length || j < rhs.length) {
    const a = lhs[i];
    const b = rhs[j];
    if (b === undefined || (a !== undefined && a < b)) {
      out.push({ op: 'remove', path, value: a as string });
      i++;
    } else if (a === undefined || b < a) {
      added.push(b);
      j++;
    } else {
      i++;
      j++;
    }
  }
  for (const member of added) out.push({ op: 'add', path, value: member });
}

const PACKAGE_LIST = /^config\.packages\.(apt|cargo|gem|go|npm|pip)$/;

/**
 * A package list's changes with each package whose version alone changed as one `set` (`"pandas==2.2.2"`
 * → `"pandas==2.2.3"`), as a lock update reads: a package removed and added once under one identity.
 */
function pairVersions(path: string, changes: FieldChange[]): FieldChange[] {
  const manager = PACKAGE_LIST.exec(path)?.[1] as PackageManager | undefined;
  if (manager === undefined || changes.length < 2) return changes;
  const count = new Map<string, number>();
  const identity = (c: FieldChange) => (c.op === 'set' ? '' : `${c.op} ${packageIdentity(manager, c.value)}`);
  for (const c of changes) count.set(identity(c), (count.get(identity(c)) ?? 0) + 1);
  const added = new Map<string, string>();
  for (const c of changes) {
    if (c.op !== 'add') continue;
    const id = packageIdentity(manager, c.value);
    if (count.get(`add ${id}`) === 1 && count.get(`remove ${id}`) === 1) added.set(id, c.value);
  }
  if (added.size === 0) return changes;
  const out: FieldChange[] = [];
  for (const c of changes) {
    if (c.op === 'set') out.push(c);
    else {
      const after = added.get(packageIdentity(manager, c.value));
      if (after === undefined) out.push(c);
      else if (c.op === 'remove') out.push({ op: 'set', path, before: c.value, after });
    }
  }
  return out;
}

/** A value present on both sides: views key by key, member sets by member, anything else by value. */
function compare(path: string, lhs: View[string], rhs: View[string], out: FieldChange[]): void {
  if (isView(lhs) && isView(rhs)) walk(path, lhs, rhs, out);
  else if (lhs instanceof MemberSet && rhs instanceof MemberSet) {
    const changes: FieldChange[] = [];
    compareMembers(path, lhs.members, rhs.members, changes);
    out.push(...pairVersions(path, changes));
  } else if (lhs === rhs) return;
  else if (isView(lhs) || isView(rhs) || lhs instanceof MemberSet || rhs instanceof MemberSet) {
    // A value became a different kind of value (a config type change): what went, then what came.
    expand(path, lhs, 'before', out);
    expand(path, rhs, 'after', out);
  } else out.push({ op: 'set', path, before: lhs, after: rhs });
}

/** First each key of the before side in its order (changed or gone), then the keys only the after side has. */
function walk(path: string, lhs: View, rhs: View, out: FieldChange[]): void {
  for (const key of Object.keys(lhs)) {
    if (Object.hasOwn(rhs, key))
      compare(join(path, key), lhs[key] as View[string], rhs[key] as View[string], out);
    else expand(join(path, key), lhs[key], 'before', out);
  }
  for (const key of Object.keys(rhs))
    if (!Object.hasOwn(lhs, key)) expand(join(path, key), rhs[key], 'after', out);
}

/**
 * The field-level changes that turn `before` into `after` (before null: nothing exists yet, as for a create).
 * Package lists and allowed_hosts change by member (`add`/`remove`); everything else is a `set`, with
 * metadata compared key by key. Scope is compared only when `after.scope` is set.
 */
export function diffEnvironment(before: DiffSide | null, after: DiffSide): FieldChange[] {
  const withScope = after.scope !== null;
  const out: FieldChange[] = [];
  walk('', before === null ? {} : view(before, withScope), view(after, withScope), out);
  return out;
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
