// diffEnvironment walks views of its own making (it is on the audit page's hot path: one diff per recorded
// step). This oracle shares none of that: it reads the two environments as the API spells them (DESIGN §1),
// puts them in the normal form DESIGN §4 describes, and lists the changes field by field, by name, in the
// order the plan shows them. So a view that drops, renames or mis-sorts a field makes the two disagree.
// deep-diff (the library diffEnvironment replaced) diffs the oracle's same views as a second engine.
// A second test enumerates every field of a full live environment and fails when one is neither compared
// nor on an explicit list of fields the diff leaves to other rules.

import deepDiff from 'deep-diff';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiClient } from '../../../src/api/client.js';
import { type DiffSide, diffEnvironment } from '../../../src/domain/diff.js';
import { packageIdentity } from '../../../src/domain/package-spec.js';
import { type RunningEmulator, startEmulator } from '../../../src/emulator/index.js';
import { normalizeConfig } from '../../../src/hash/config-hash.js';
import { normalizeHost } from '../../../src/hash/host.js';
import {
  type ApiConfig,
  type FieldChange,
  type LiveEnvironment,
  PACKAGE_MANAGERS,
  type PackageManager,
  type Scope,
  silentReporter,
} from '../../../src/model.js';
import { liveSide } from '../../../src/plan/decide.js';

// ---- the oracle: DESIGN's rules, written out field by field ------------------------------------------------

/** What the oracle needs of an environment: the fields of the API's environment object that a plan compares. */
interface ApiSide {
  description: string | null;
  metadata: Record<string, string>;
  scope?: Scope | undefined;
  config: ApiConfig;
}

/** DESIGN §4: package lists and allowed_hosts are sets, sorted and de-duplicated (hosts in their normal form). */
const asSet = (items: readonly string[] | undefined) => [...new Set(items ?? [])].sort();

/** DESIGN §1/§3: keys starting with `envsync` are envsync's own tags; the API deletes a key set to "". */
const userKeys = (metadata: Record<string, string>) =>
  Object.keys(metadata)
    .filter((k) => !k.toLowerCase().startsWith('envsync') && metadata[k] !== '')
    .sort();

interface Net {
  type: 'unrestricted' | 'limited';
  hosts: string[];
  mcp: boolean;
  pm: boolean;
}

function netOf(config: ApiConfig): Net {
  if (config.type !== 'cloud' || config.networking.type !== 'limited')
    return { type: 'unrestricted', hosts: [], mcp: false, pm: false };
  const n = config.networking;
  return {
    type: 'limited',
    hosts: asSet(n.allowed_hosts.map(normalizeHost)),
    mcp: n.allow_mcp_servers,
    pm: n.allow_package_managers,
  };
}

/** The six lists, `packages.type` (a constant marker) left out. */
function packagesOf(config: ApiConfig): Record<PackageManager, string[]> {
  const out = {} as Record<PackageManager, string[]>;
  for (const m of PACKAGE_MANAGERS) out[m] = config.type === 'cloud' ? asSet(config.packages[m]) : [];
  return out;
}

const MANAGERS = [...PACKAGE_MANAGERS].sort();

function oracle(before: ApiSide | null, after: ApiSide): FieldChange[] {
  const out: FieldChange[] = [];
  const set = (path: string, b: string | boolean | null, a: string | boolean | null) => {
    if (b !== a) out.push({ op: 'set', path, before: b, after: a });
  };
  const members = (op: 'add' | 'remove', path: string, values: readonly string[]) => {
    for (const value of values) out.push({ op, path, value });
  };

  set('description', before?.description ?? null, after.description);

  // Metadata key by key: first the keys the live side has (changed or gone), then the new ones.
  const was = before ? before.metadata : {};
  const wasKeys = userKeys(was);
  const nowKeys = userKeys(after.metadata);
  for (const k of wasKeys)
    set(`metadata.${k}`, was[k] as string, nowKeys.includes(k) ? (after.metadata[k] as string) : null);
  for (const k of nowKeys) if (!wasKeys.includes(k)) set(`metadata.${k}`, null, after.metadata[k] as string);

  // Scope only when the file sets it: otherwise it is the API's to choose.
  if ((after.scope ?? null) !== null) set('scope', before?.scope ?? null, after.scope ?? null);

  const fromType = before ? before.config.type : null;
  set('config.type', fromType, after.config.type);
  const gone = (config: ApiConfig) => {
    const packages = packagesOf(config);
    for (const m of MANAGERS) members('remove', `config.packages.${m}`, packages[m]);
    const net = netOf(config);
    set('config.networking.type', net.type, null);
    if (net.type === 'limited') netFields(net, null);
  };
  const came = (config: ApiConfig) => {
    const packages = packagesOf(config);
    for (const m of MANAGERS) members('add', `config.packages.${m}`, packages[m]);
    const net = netOf(config);
    set('config.networking.type', null, net.type);
    if (net.type === 'limited') netFields(null, net);
  };
  const netFields = (b: Net | null, a: Net | null) => {
    const path = 'config.networking.allowed_hosts';
    members(
      'remove',
      path,
      (b?.hosts ?? []).filter((h) => !a?.hosts.includes(h)),
    );
    members(
      'add',
      path,
      (a?.hosts ?? []).filter((h) => !b?.hosts.includes(h)),
    );
    set('config.networking.allow_mcp_servers', b?.mcp ?? null, a?.mcp ?? null);
    set('config.networking.allow_package_managers', b?.pm ?? null, a?.pm ?? null);
  };

  if (before === null || before.config.type !== after.config.type) {
    // A new environment, or a config of another type: everything of the old one went, all of the new came.
    if (before?.config.type === 'cloud') gone(before.config);
    if (after.config.type === 'cloud') came(after.config);
    return out;
  }
  if (after.config.type !== 'cloud') return out;

  const b = packagesOf(before.config);
  const a = packagesOf(after.config);
  for (const m of MANAGERS) {
    const path = `config.packages.${m}`;
    const removed = (b[m] ?? []).filter((x) => !a[m]?.includes(x));
    const added = (a[m] ?? []).filter((x) => !b[m]?.includes(x));
    // One package removed once and added once under the same identity is a version change: one `set`.
    const once = (list: string[], x: string) =>
      list.filter((y) => packageIdentity(m, y) === packageIdentity(m, x)).length === 1;
    const partner = (x: string) =>
      once(removed, x)
        ? added.find((y) => packageIdentity(m, y) === packageIdentity(m, x) && once(added, y))
        : undefined;
    for (const x of removed) {
      const to = partner(x);
      if (to === undefined) out.push({ op: 'remove', path, value: x });
      else out.push({ op: 'set', path, before: x, after: to });
    }
    const paired = new Set(removed.map(partner).filter((y) => y !== undefined));
    members(
      'add',
      path,
      added.filter((y) => !paired.has(y)),
    );
  }

  const from = netOf(before.config);
  const to = netOf(after.config);
  set('config.networking.type', from.type, to.type);
  netFields(from.type === 'limited' ? from : null, to.type === 'limited' ? to : null);
  return out;
}

// ---- the same views, diffed by deep-diff ------------------------------------------------------------------
// A second engine over the oracle's own normal form: deep-diff walks the two views, and its changes are
// expanded to envsync's field changes. It checks what changed (as a set); the hand-written oracle checks order.

type Path = readonly (string | number)[];
type Leaf = string | number | boolean | null;

/** Sets as objects keyed by member, so deep-diff reports members, not array positions. */
const members = (items: readonly string[]) => Object.fromEntries(items.map((item) => [item, true]));

function viewOf(side: ApiSide, withScope: boolean): Record<string, unknown> {
  const metadata = Object.fromEntries(userKeys(side.metadata).map((k) => [k, side.metadata[k]]));
  const config = side.config;
  let configView: Record<string, unknown> = { type: config.type };
  if (config.type === 'cloud') {
    const packages = packagesOf(config);
    const net = netOf(config);
    configView = {
      type: 'cloud',
      packages: Object.fromEntries(MANAGERS.map((m) => [m, members(packages[m])])),
      networking:
        net.type === 'unrestricted'
          ? { type: 'unrestricted' }
          : {
              type: 'limited',
              allowed_hosts: members(net.hosts),
              allow_mcp_servers: net.mcp,
              allow_package_managers: net.pm,
            },
    };
  }
  return {
    description: side.description,
    metadata,
    ...(withScope ? { scope: side.scope ?? null } : {}),
    config: configView,
  };
}

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

/** In a package list, one removal and one addition of the same package (another version) are one `set`. */
function pairedVersions(changes: FieldChange[]): FieldChange[] {
  const of = (op: 'add' | 'remove', path: string) =>
    changes.flatMap((c) => (c.op === op && c.path === path ? [c.value] : []));
  const partner = (c: FieldChange): string | undefined => {
    const manager = /^config\.packages\.(\w+)$/.exec(c.path)?.[1] as PackageManager | undefined;
    if (manager === undefined || c.op === 'set') return undefined;
    const id = packageIdentity(manager, c.value);
    const same = (op: 'add' | 'remove') => of(op, c.path).filter((v) => packageIdentity(manager, v) === id);
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

function byDeepDiff(before: ApiSide | null, after: ApiSide): FieldChange[] {
  const withScope = (after.scope ?? null) !== null;
  const lhs = before === null ? {} : viewOf(before, withScope);
  const diffs = deepDiff.diff<unknown, unknown>(lhs, viewOf(after, withScope)) ?? [];
  return pairedVersions(diffs.flatMap(fromDeepDiff).filter((c) => c.op !== 'set' || c.before !== c.after));
}

const asSorted = (changes: readonly FieldChange[]) => changes.map((c) => JSON.stringify(c)).sort();

// ---- generated environments, as the API spells them -------------------------------------------------------

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
  const shuffled = <T>(items: readonly T[]): T[] =>
    items
      .map((x) => [next(), x] as const)
      .sort(([p], [q]) => p - q)
      .map(([, x]) => x);
  return { next, pick, some, shuffled };
}

const POOL = ['a==1', 'b==2', 'c', 'Zed@1', 'zed@1', 'é-pkg', 'b==3'];
const HOSTS = [
  'api.example.com',
  'B.example.com',
  '*.example.org',
  'https://c.example.com:8443',
  'https://c.example.com:443',
];

/** An environment as an answer may hold it: lists in any order, repeated, with `packages.type`. */
function apiSideFrom(g: ReturnType<typeof generator>): ApiSide {
  const metadata: Record<string, string> = {};
  for (const key of g.some([
    'team',
    'owner',
    'Team',
    'note',
    'envsync_managed',
    'Envsync_x',
    'envsync_config_hash',
    'zz',
  ]))
    metadata[key] = g.pick(['x', 'y', '']);
  const list = () => {
    const chosen = g.some(POOL);
    return g.shuffled(g.next() < 0.2 ? [...chosen, ...chosen] : chosen);
  };
  const packages = {
    ...(g.next() < 0.3 ? { type: 'packages' as const } : {}),
    apt: list(),
    cargo: list(),
    gem: list(),
    go: list(),
    npm: list(),
    pip: list(),
  };
  const networking =
    g.next() < 0.5
      ? { type: 'unrestricted' as const }
      : {
          type: 'limited' as const,
          allowed_hosts: g.shuffled(g.some(HOSTS)),
          allow_mcp_servers: g.next() < 0.5,
          allow_package_managers: g.next() < 0.5,
        };
  const scope = g.pick([undefined, undefined, 'organization', 'account'] as const);
  return {
    description: g.pick([null, 'one', 'two', '']),
    metadata,
    ...(scope === undefined ? {} : { scope }),
    config: g.next() < 0.15 ? { type: 'self_hosted' } : { type: 'cloud', packages, networking },
  };
}

function liveFrom(side: ApiSide): LiveEnvironment {
  return {
    id: 'env_01',
    type: 'environment',
    name: 'env',
    created_at: '2026-01-01T00:00:00Z',
    updated_at: '2026-01-01T00:00:00Z',
    archived_at: null,
    ...side,
  };
}

/** The desired side, as the loader hands it to the planner: the config in normal form. */
function desiredFrom(side: ApiSide): DiffSide {
  return {
    description: side.description,
    metadata: side.metadata,
    scope: side.scope ?? null,
    config: normalizeConfig(side.config),
  };
}

describe('diffEnvironment against an oracle written from DESIGN', () => {
  it('on 5,000 generated pairs (and creates), change for change and in order; deep-diff over the same views agrees', () => {
    const g = generator(20261127);
    let changed = 0;
    for (let i = 0; i < 5000; i++) {
      const before = g.next() < 0.1 ? null : apiSideFrom(g);
      const after = g.next() < 0.3 && before ? { ...before, description: 'edited' } : apiSideFrom(g);
      const expected = oracle(before, after);
      const actual = diffEnvironment(before === null ? null : liveSide(liveFrom(before)), desiredFrom(after));
      expect(actual, `pair ${i}: ${JSON.stringify({ before, after })}`).toEqual(expected);
      expect(asSorted(actual), `pair ${i} (deep-diff)`).toEqual(asSorted(byDeepDiff(before, after)));
      if (expected.length > 0) changed++;
    }
    // The generator must produce real differences, not only equal pairs.
    expect(changed).toBeGreaterThan(4000);
  });

  it('a type change, in both directions, lists what went and what came', () => {
    const cloud: ApiSide = {
      description: null,
      metadata: {},
      config: {
        type: 'cloud',
        packages: { apt: [], cargo: [], gem: [], go: [], npm: [], pip: ['a==1'] },
        networking: {
          type: 'limited',
          allowed_hosts: ['x.example.com'],
          allow_mcp_servers: false,
          allow_package_managers: true,
        },
      },
    };
    const selfHosted: ApiSide = { ...cloud, config: { type: 'self_hosted' } };
    for (const [a, b] of [
      [cloud, selfHosted],
      [selfHosted, cloud],
    ] as const) {
      const actual = diffEnvironment(liveSide(liveFrom(a)), desiredFrom(b));
      expect(actual).toEqual(oracle(a, b));
      expect(actual.length).toBeGreaterThan(3);
    }
  });
});

// ---- every field of a live environment: compared, or ignored for a stated reason ------------------------------

/**
 * Each top-level field of the live environment type, and whether the diff compares it. A field added to
 * LiveEnvironment does not compile here until someone decides: compared, or ignored (and then says why below).
 */
const TOP_LEVEL: Record<keyof LiveEnvironment, 'compared' | 'ignored'> = {
  id: 'ignored',
  type: 'ignored',
  name: 'ignored',
  description: 'compared',
  metadata: 'compared',
  config: 'compared',
  scope: 'compared',
  created_at: 'ignored',
  updated_at: 'ignored',
  archived_at: 'ignored',
};

/** The fields (as dotted paths) a plan's diff leaves alone, and the rule that looks at each instead. */
const IGNORED: Record<string, string> = {
  id: 'identity: matched through the changelog and the name, never diffed',
  type: "the object's kind, always `environment`",
  name: 'matched, never diffed: a new name is a rename action of its own',
  created_at: 'when it was made: history, not content',
  updated_at: "the stale-plan fingerprint and the changelog's compare-and-swap, not content",
  archived_at: 'an archived environment is never planned against: it only holds its name',
  'metadata.envsync_managed': 'ownership, judged by ownershipOf; put back as a tag change, not a diff',
  'metadata.envsync_config_hash': 'drift, judged against the config itself',
};

/** Every leaf of a value as a dotted path; a list is one leaf (a set, compared by member). */
function leaves(value: unknown, path = ''): string[] {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return [path];
  return Object.entries(value).flatMap(([k, v]) => leaves(v, path === '' ? k : `${path}.${k}`));
}

/** Another valid value in the field's place: the other member of an enum, a list with one more member. */
function mutated(value: unknown): unknown {
  const other: Record<string, string> = {
    cloud: 'self_hosted',
    self_hosted: 'cloud',
    limited: 'unrestricted',
    unrestricted: 'limited',
    organization: 'account',
    account: 'organization',
  };
  if (typeof value === 'string') return other[value] ?? `${value}-changed`;
  if (typeof value === 'boolean') return !value;
  if (Array.isArray(value)) return [...value, 'added.example.com'];
  return 'set';
}

function withLeaf(env: LiveEnvironment, path: string): LiveEnvironment {
  const copy = structuredClone(env) as unknown as Record<string, unknown>;
  const keys = path.split('.');
  let at = copy;
  for (const k of keys.slice(0, -1)) at = at[k] as Record<string, unknown>;
  const last = keys.at(-1) as string;
  at[last] = mutated(at[last]);
  return copy as unknown as LiveEnvironment;
}

describe('every field of a live environment is compared by the diff or ignored for a stated reason', () => {
  let emu: RunningEmulator;
  const fixtures: LiveEnvironment[] = [];
  beforeAll(async () => {
    emu = await startEmulator();
    const api = createApiClient({
      baseUrl: emu.url,
      apiKey: 'sk-ant-test-coverage-1',
      reporter: silentReporter,
    });
    // As full as the API allows: a cloud one with every field set, and a self-hosted one with a scope.
    fixtures.push(
      await api.create({
        name: 'full-cloud',
        description: 'every field set',
        metadata: { team: 'data', envsync_managed: 'p', envsync_config_hash: `sha256:${'0'.repeat(64)}` },
        config: {
          type: 'cloud',
          packages: {
            apt: ['curl'],
            cargo: ['ripgrep@14.1.0'],
            gem: ['rails:7.1.0'],
            go: ['golang.org/x/tools/cmd/goimports@v0.1.0'],
            npm: ['express@4.18.0'],
            pip: ['pandas==2.2.0'],
          },
          networking: {
            type: 'limited',
            allowed_hosts: ['api.example.com'],
            allow_mcp_servers: true,
            allow_package_managers: true,
          },
        },
      }),
      await api.create({ name: 'full-self-hosted', config: { type: 'self_hosted' }, scope: 'organization' }),
    );
  });
  afterAll(() => emu.close());

  it('a change to any compared field shows in the diff; an ignored one never does', () => {
    const paths = new Set(fixtures.flatMap((env) => leaves(env)));
    // The fixtures reach every top-level field the type has, so the table above cannot go stale unseen.
    expect(
      Object.keys(TOP_LEVEL).filter((k) => ![...paths].some((p) => p === k || p.startsWith(`${k}.`))),
    ).toEqual([]);
    const unseen: string[] = [];
    const notIgnored: string[] = [];
    for (const env of fixtures) {
      const desired = liveSide(env);
      expect(diffEnvironment(liveSide(env), desired)).toEqual([]);
      for (const path of leaves(env)) {
        const changes = diffEnvironment(liveSide(withLeaf(env, path)), desired);
        const top = path.split('.')[0] as keyof LiveEnvironment;
        if (IGNORED[path] !== undefined) {
          if (changes.length > 0) notIgnored.push(path);
        } else if (changes.length === 0 || TOP_LEVEL[top] !== 'compared') unseen.push(path);
      }
    }
    // A field here is one the diff does not see: compare it, or list it in IGNORED with the rule that owns it.
    expect(unseen).toEqual([]);
    expect(notIgnored).toEqual([]);
    // Every ignored field is a real one: the list cannot keep a field the API no longer has.
    expect(Object.keys(IGNORED).filter((p) => !paths.has(p))).toEqual([]);
  });
});
