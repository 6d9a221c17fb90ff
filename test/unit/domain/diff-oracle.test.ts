// diffEnvironment walks its own views (it is on the audit page's hot path: one diff per recorded step). It
// used to hand the views to deep-diff; this test keeps that implementation as an oracle and checks, over
// thousands of generated pairs, that the walker reports exactly the same changes in the same order.

import deepDiff from 'deep-diff';
import { describe, expect, it } from 'vitest';
import { type DiffSide, diffEnvironment } from '../../../src/domain/diff.js';
import { userMetadata } from '../../../src/domain/ownership.js';
import { packageIdentity } from '../../../src/domain/package-spec.js';
import { normalizeConfig } from '../../../src/hash/config-hash.js';
import {
  type FieldChange,
  isReservedKey,
  type NormalConfig,
  PACKAGE_MANAGERS,
  type PackageManager,
} from '../../../src/model.js';
import { compareCodeUnits } from '../../../src/util/order.js';

// ---- the oracle: the deep-diff implementation as it was --------------------------------------------------

type Path = readonly (string | number)[];
type Leaf = string | number | boolean | null;

const asSet = (items: readonly string[]) => Object.fromEntries([...items].sort().map((item) => [item, true]));
const sortedRecord = <T>(record: Record<string, T>) =>
  Object.fromEntries(Object.entries(record).sort(([a], [b]) => compareCodeUnits(a, b)));

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

const view = (side: DiffSide, withScope: boolean) => ({
  description: side.description,
  metadata: sortedRecord(
    Object.fromEntries(Object.entries(userMetadata(side.metadata)).filter(([, v]) => v !== '')),
  ),
  ...(withScope ? { scope: side.scope } : {}),
  config: configView(side.config),
});

function isSetPath(path: Path): boolean {
  if (path[0] !== 'config') return false;
  if (path[1] === 'packages') return path.length === 3;
  return path[1] === 'networking' && path[2] === 'allowed_hosts' && path.length === 3;
}
const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null;

function expand(path: Path, value: unknown, side: 'before' | 'after'): FieldChange[] {
  const parent = path.slice(0, -1);
  if (isSetPath(parent))
    return [{ op: side === 'after' ? 'add' : 'remove', path: parent.join('.'), value: String(path.at(-1)) }];
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
      return [];
  }
}

const skipReserved = (path: unknown[], key: unknown): boolean =>
  path.length === 1 && path[0] === 'metadata' && typeof key === 'string' && isReservedKey(key);

function oracle(before: DiffSide | null, after: DiffSide): FieldChange[] {
  const withScope = after.scope !== null;
  const lhs = before === null ? {} : view(before, withScope);
  const diffs = deepDiff.diff<unknown, unknown>(lhs, view(after, withScope), skipReserved) ?? [];
  return pairedVersions(diffs.flatMap(fromDeepDiff).filter((c) => c.op !== 'set' || c.before !== c.after));
}

/**
 * Added since deep-diff: in a package list, a package removed once and added once (the same name, another
 * version) is one `set` at the removal's place. Written here apart from src/, member by member.
 */
function pairedVersions(changes: FieldChange[]): FieldChange[] {
  const members = (op: 'add' | 'remove', path: string) =>
    changes.flatMap((c) => (c.op === op && c.path === path ? [c.value] : []));
  const managerOf = (path: string) =>
    /^config\.packages\.(\w+)$/.exec(path)?.[1] as PackageManager | undefined;
  const partner = (c: FieldChange): string | undefined => {
    const manager = c.op === 'remove' || c.op === 'add' ? managerOf(c.path) : undefined;
    if (manager === undefined || c.op === 'set') return undefined;
    const id = packageIdentity(manager, c.value);
    const same = (op: 'add' | 'remove') =>
      members(op, c.path).filter((v) => packageIdentity(manager, v) === id);
    const removed = same('remove');
    const added = same('add');
    return removed.length === 1 && added.length === 1 ? (added[0] as string) : undefined;
  };
  return changes.flatMap((c): FieldChange[] => {
    const after = partner(c);
    if (after === undefined) return [c];
    return c.op === 'remove' ? [{ op: 'set', path: c.path, before: c.value, after }] : [];
  });
}

// ---- generated sides ---------------------------------------------------------------------------------------

/** mulberry32: a small seeded generator, so a failure reproduces. */
function generator(seed: number) {
  let a = seed;
  const next = () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)] as T;
  const some = <T>(items: readonly T[]): T[] => items.filter(() => next() < 0.4);
  return { next, pick, some };
}

const POOL = ['a==1', 'b==2', 'c', 'Zed@1', 'zed@1', 'é-pkg', 'b==3'];
const HOSTS = ['api.example.com', 'b.example.com', '*.example.org', 'https://c.example.com:8443'];

function sideFrom(g: ReturnType<typeof generator>): DiffSide {
  const metadata: Record<string, string> = {};
  for (const key of g.some(['team', 'owner', 'Team', 'note', 'envsync_managed', 'envsync_config_hash', 'zz']))
    metadata[key] = g.pick(['x', 'y', '']);
  const packages = Object.fromEntries(PACKAGE_MANAGERS.map((m) => [m, g.some(POOL)]));
  const networking =
    g.next() < 0.5
      ? { type: 'unrestricted' as const }
      : {
          type: 'limited' as const,
          allowed_hosts: g.some(HOSTS),
          allow_mcp_servers: g.next() < 0.5,
          allow_package_managers: g.next() < 0.5,
        };
  let config: NormalConfig = normalizeConfig(
    g.next() < 0.15 ? { type: 'self_hosted' } : { type: 'cloud', packages, networking },
  );
  // Now and then lists that are not in normal form (out of order, repeated): both sides must sort them.
  if (config.type === 'cloud' && g.next() < 0.2)
    config = { ...config, packages: { ...config.packages, pip: ['b==2', 'a==1', 'b==2'] } };
  return {
    description: g.pick([null, 'one', 'two', '']),
    metadata,
    scope: g.pick([null, null, 'organization', 'account'] as const),
    config,
  };
}

describe('diffEnvironment matches the deep-diff implementation it replaced', () => {
  it('on 5,000 generated pairs (and creates), change for change and in order', () => {
    const g = generator(20261127);
    let changed = 0;
    for (let i = 0; i < 5000; i++) {
      const before = g.next() < 0.1 ? null : sideFrom(g);
      const after = g.next() < 0.3 && before ? { ...before, description: 'edited' } : sideFrom(g);
      const expected = oracle(before, after);
      expect(diffEnvironment(before, after), `pair ${i}`).toEqual(expected);
      if (expected.length > 0) changed++;
    }
    // The generator must produce real differences, not only equal pairs.
    expect(changed).toBeGreaterThan(4000);
  });

  it('a type change, in both directions, lists what went and what came', () => {
    const cloud: DiffSide = {
      description: null,
      metadata: {},
      scope: null,
      config: normalizeConfig({
        packages: { pip: ['a==1'] },
        networking: { type: 'limited', allowed_hosts: ['x.example.com'], allow_package_managers: true },
      }),
    };
    const selfHosted: DiffSide = { ...cloud, config: { type: 'self_hosted' } };
    for (const [a, b] of [
      [cloud, selfHosted],
      [selfHosted, cloud],
    ] as const) {
      expect(diffEnvironment(a, b)).toEqual(oracle(a, b));
      expect(diffEnvironment(a, b).length).toBeGreaterThan(3);
    }
  });
});
