import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadDesired } from '../../../src/config/load.js';
import { canonicalJson } from '../../../src/hash/canonical-json.js';
import { configHash, normalizeConfig, normalJson, sortedSet } from '../../../src/hash/config-hash.js';
import type { LooseConfig } from '../../../src/model.js';
import { ROOT } from '../../helpers/cli.js';

const base: LooseConfig = {
  type: 'cloud',
  packages: { pip: ['pandas==2.2.0', 'numpy==2.1.3'], npm: ['express@4.18.0'] },
  networking: {
    type: 'limited',
    allowed_hosts: ['b.example.com', 'a.example.com'],
    allow_package_managers: true,
  },
};

describe('canonicalJson (RFC 8785)', () => {
  it.each([
    [{ b: 1, a: [true, null, 'x'] }, '{"a":[true,null,"x"],"b":1}'],
    [{ '\u20ac': 1, '\r': 2, '1': 3, a: 4 }, '{"\\r":2,"1":3,"a":4,"\u20ac":1}'],
    [
      { numbers: [333333333.3333333, 1e30, 4.5, 0.002, 1e-27] },
      '{"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27]}',
    ],
    [{ s: '\u2028\u0007"\\' }, '{"s":"\u2028\\u0007\\"\\\\"}'],
    [{ nested: { z: {}, y: [] }, u: undefined }, '{"nested":{"y":[],"z":{}}}'],
  ])('%j', (value, expected) => {
    expect(canonicalJson(value)).toBe(expected);
  });

  it('sorts by UTF-16 code units, not code points', () => {
    // U+1F600 (surrogates D83D DE00) sorts before U+FB01 in UTF-16 order though its code point is larger.
    expect(canonicalJson({ '\ufb01': 1, '\u{1f600}': 2 })).toBe('{"\u{1f600}":2,"\ufb01":1}');
  });
});

describe('configHash', () => {
  const h = configHash(base);

  it('ignores the order of keys, package lists and hosts, and duplicates in them', () => {
    const reordered: LooseConfig = {
      networking: {
        allow_package_managers: true,
        allowed_hosts: ['a.example.com', 'b.example.com', 'a.example.com'],
        type: 'limited',
      },
      packages: { npm: ['express@4.18.0'], pip: ['numpy==2.1.3', 'pandas==2.2.0', 'numpy==2.1.3'] },
      type: 'cloud',
    };
    expect(configHash(reordered)).toBe(h);
  });

  it('treats spelled-out defaults as absent', () => {
    const spelled: LooseConfig = {
      ...base,
      packages: { type: 'packages', apt: [], cargo: [], gem: [], go: [], ...base.packages },
      networking: { ...base.networking, type: 'limited', allow_mcp_servers: false },
    };
    expect(configHash(spelled)).toBe(h);
    expect(configHash(undefined)).toBe(
      configHash({ type: 'cloud', networking: { type: 'unrestricted' }, packages: {} }),
    );
    expect(configHash(null)).toBe(configHash({ type: 'cloud' }));
  });

  it.each<[string, LooseConfig]>([
    ['a package added', { ...base, packages: { ...base.packages, apt: ['curl=7.88.1'] } }],
    [
      'a version changed',
      { ...base, packages: { ...base.packages, pip: ['pandas==2.2.1', 'numpy==2.1.3'] } },
    ],
    [
      'a package moved to another manager',
      { ...base, packages: { npm: ['express@4.18.0', 'pandas==2.2.0'], pip: ['numpy==2.1.3'] } },
    ],
    [
      'a host removed',
      {
        ...base,
        networking: { type: 'limited', allowed_hosts: ['a.example.com'], allow_package_managers: true },
      },
    ],
    [
      'mcp servers allowed',
      {
        ...base,
        networking: {
          type: 'limited',
          allowed_hosts: ['a.example.com', 'b.example.com'],
          allow_package_managers: true,
          allow_mcp_servers: true,
        },
      },
    ],
    ['networking unrestricted', { ...base, networking: { type: 'unrestricted' } }],
    ['self-hosted', { type: 'self_hosted' }],
  ])('changes when %s', (_what, changed) => {
    expect(configHash(changed)).not.toBe(h);
  });

  it('normal form fills every field and drops packages.type', () => {
    expect(
      normalizeConfig({
        type: 'cloud',
        packages: { type: 'packages', pip: ['b', 'a'] },
        networking: { type: 'limited' },
      }),
    ).toEqual({
      type: 'cloud',
      packages: { apt: [], cargo: [], gem: [], go: [], npm: [], pip: ['a', 'b'] },
      networking: {
        type: 'limited',
        allowed_hosts: [],
        allow_mcp_servers: false,
        allow_package_managers: false,
      },
    });
  });

  // Computed independently: sha256sum over the canonical JSON written out by hand.
  it('pins golden hashes for three fixtures', () => {
    const { environments, diagnostics } = loadDesired(path.join(ROOT, 'test/fixtures/hash'), {
      cwd: ROOT,
      strict: false,
    });
    expect(diagnostics).toEqual([]);
    const byName = Object.fromEntries(environments.map((e) => [e.name, e.config_hash]));
    expect(byName).toEqual({
      minimal: 'sha256:a6a26ea905f611d1dd0d41836a8328cbf62b489a612e46a02d7f419137fa961b',
      python: 'sha256:e0a827551157fe953f9b94bb8b26d518747b2ef1e6ca2eb3bd86349b6cc57764',
      runners: 'sha256:409f5efa6fc7ddd64dd81cf046226400775d1e271ad45d938ce5eeabbcc0e2ef',
    });
  });
});

describe('normalJson', () => {
  // The hash is written from the normal form's known shape; it must be canonicalJson of that form, always.
  const configs: Array<[string, LooseConfig | null]> = [
    ['absent', null],
    ['self-hosted', { type: 'self_hosted' }],
    ['unrestricted, no packages', { type: 'cloud' }],
    ['the base config', base],
    [
      'every manager, unsorted and repeated, with escapes',
      {
        type: 'cloud',
        packages: {
          apt: ['z', 'a', 'a'],
          cargo: ['serde@1'],
          gem: ['rails:7', 'q"uote'],
          go: ['example.com/x@v1', 'back\\slash'],
          npm: ['\u2028line', '\u0007bell', 'caf\u00e9'],
          pip: ['\u{1f600}', '\ufb01'],
        },
        networking: {
          type: 'limited',
          allowed_hosts: ['B.example.com', 'a.example.com'],
          allow_mcp_servers: true,
          allow_package_managers: false,
        },
      },
    ],
    ['limited with no hosts', { type: 'cloud', networking: { type: 'limited' } }],
  ];
  it.each(configs)('%s', (_label, config) => {
    const normal = normalizeConfig(config);
    expect(normalJson(normal)).toBe(canonicalJson(normal));
  });
});

describe('sortedSet', () => {
  it.each([
    [[], []],
    [['a'], ['a']],
    [
      ['a', 'b', 'c'],
      ['a', 'b', 'c'],
    ],
    [
      ['b', 'a'],
      ['a', 'b'],
    ],
    [['a', 'a'], ['a']],
    [
      ['a', 'b', 'b'],
      ['a', 'b'],
    ],
    [
      ['\ufb01', '\u{1f600}'],
      ['\u{1f600}', '\ufb01'],
    ],
  ])('%j', (items, expected) => {
    const out = sortedSet(items);
    expect(out).toEqual(expected);
    // A copy, never the caller's list: the normal form is built from files and answers that stay in use.
    if (items.length > 0) expect(out).not.toBe(items);
  });

  it('sorts members that are not text as sort() does, even when they look ascending', () => {
    // Only a changelog line written by hand can hold them; it must not read as normal when it is not.
    expect(sortedSet([9, 10] as unknown as string[])).toEqual([10, 9]);
    expect(sortedSet(['a', 2] as unknown as string[])).toEqual([2, 'a']);
  });
});
