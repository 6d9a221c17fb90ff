// Version orders that have no npm library here (Debian, RubyGems, Go), the Go and apt queries, and the parsers
// of the registry answers that hold more than one thing per line (go.mod retractions, checksum database, apt).

import { describe, expect, it } from 'vitest';
import { compareDebian } from '../../../src/packages/grammar/debian.js';
import { compareGo, isGoVersion } from '../../../src/packages/grammar/go.js';
import { compareGem } from '../../../src/packages/grammar/rubygems.js';
import { parsePackagesIndex } from '../../../src/packages/registries/apt.js';
import { indexPath } from '../../../src/packages/registries/crates.js';
import {
  escapeGoPath,
  h1From,
  moduleCandidates,
  retractions,
} from '../../../src/packages/registries/goproxy.js';
import type { PackageRecord, VersionRecord } from '../../../src/packages/registries/record.js';
import { resolveSpec } from '../../../src/packages/resolve.js';

const sign = (n: number) => Math.sign(n);

describe('Debian version order (dpkg --compare-versions)', () => {
  it.each([
    ['1.0', '1.0', 0],
    ['1.0~rc1', '1.0', -1],
    ['1.0', '1.0+deb12u1', -1],
    ['1:0.9', '2.0', 1],
    ['7.88.1-10+deb12u5', '7.88.1-10+deb12u8', -1],
    ['131.0.6778.85-1~deb12u1', '131.0.6778.85-1', -1],
    ['1.0-1', '1.0-1a', -1],
    ['1.10', '1.9', 1],
    ['1.0a', '1.0+', -1],
  ])('%s vs %s', (a, b, expected) => {
    expect(sign(compareDebian(a, b))).toBe(expected);
    expect(sign(compareDebian(b, a))).toBe(expected === 0 ? 0 : -expected);
  });
});

describe('RubyGems version order (Gem::Version)', () => {
  it.each([
    ['7.1', '7.1.0', 0],
    ['7.2.0.beta1', '7.2.0', -1],
    ['7.2.0.beta1', '7.1.9', 1],
    ['1.10', '1.9', 1],
    ['1.0.a', '1.0.b', -1],
  ])('%s vs %s', (a, b, expected) => {
    expect(sign(compareGem(a, b))).toBe(expected);
  });
});

describe('Go module versions and paths', () => {
  it('orders semantic versions, pseudo-versions below their release', () => {
    const sorted = [
      'v1.10.0',
      'v1.2.0',
      'v1.2.0-rc.1',
      'v0.0.0-20240102150405-abcdef123456',
      'v2.0.0+incompatible',
    ].sort(compareGo);
    expect(sorted).toEqual([
      'v0.0.0-20240102150405-abcdef123456',
      'v1.2.0-rc.1',
      'v1.2.0',
      'v1.10.0',
      'v2.0.0+incompatible',
    ]);
    expect(['v1', 'v1.2', '1.2.3', 'v1.2.3.4'].some(isGoVersion)).toBe(false);
  });

  it('escapes upper case for the proxy and finds the module of a package path', () => {
    expect(escapeGoPath('github.com/BurntSushi/toml')).toBe('github.com/!burnt!sushi/toml');
    expect(moduleCandidates('github.com/spf13/cobra/doc')).toEqual(['github.com/spf13/cobra']);
    expect(moduleCandidates('github.com/go-yaml/yaml/v3/x')).toEqual(['github.com/go-yaml/yaml/v3']);
    expect(moduleCandidates('golang.org/x/tools/cmd/goimports')).toEqual([
      'golang.org/x/tools/cmd/goimports',
      'golang.org/x/tools/cmd',
      'golang.org/x/tools',
      'golang.org/x',
      'golang.org',
    ]);
  });

  it('reads retractions in every form go.mod writes them, comments aside', () => {
    const mod = [
      'module example.com/m',
      'retract v1.0.0 // oops',
      'retract [v1.1.0, v1.1.9]',
      'retract (',
      '  v1.2.0 // bad',
      '  [v1.3.0, v1.3.5]',
      ')',
    ].join('\n');
    expect(retractions(mod)).toEqual(
      expect.arrayContaining([
        ['v1.2.0', 'v1.2.0'],
        ['v1.3.0', 'v1.3.5'],
        ['v1.0.0', 'v1.0.0'],
        ['v1.1.0', 'v1.1.9'],
      ]),
    );
    expect(retractions(mod)).toHaveLength(4);
  });

  it('takes the zip hash (not the go.mod one) from a checksum database answer', () => {
    const answer =
      '1234\nm.example/x v1.0.0 h1:zip=\nm.example/x v1.0.0/go.mod h1:mod=\n\ngo.sum database tree\n';
    expect(h1From(answer, 'm.example/x', 'v1.0.0')).toBe('h1:zip=');
    expect(h1From(answer, 'm.example/x', 'v1.0.1')).toBeNull();
  });
});

const v = (version: string, yanked = false): VersionRecord => ({
  version,
  published: null,
  digest: null,
  yanked,
  deprecated: null,
});

describe('Go queries', () => {
  const record: PackageRecord = {
    versions: [v('v0.1.0'), v('v0.24.0'), v('v0.25.0', true), v('v0.26.0'), v('v0.27.0-rc.1')],
    tags: {},
    query: async (q) => (q === 'abcdef123456' ? v('v0.26.1-0.20240102150405-abcdef123456') : null),
  };
  const resolve = async (spec: string) => {
    const r = await resolveSpec('go', spec, record, 'the proxy');
    return r.kind === 'resolved' ? r.version.version : r.kind === 'problem' ? r.message : r.reason;
  };

  it.each([
    ['golang.org/x/tools', 'v0.26.0'],
    ['golang.org/x/tools@latest', 'v0.26.0'],
    ['golang.org/x/tools@v0.24.0', 'v0.24.0'],
    ['golang.org/x/tools@v0', 'v0.26.0'],
    ['golang.org/x/tools@v0.24', 'v0.24.0'],
    ['golang.org/x/tools@abcdef123456', 'v0.26.1-0.20240102150405-abcdef123456'],
    ['golang.org/x/tools@v0.25.0', 'version v0.25.0 of golang.org/x/tools is retracted on the proxy'],
    ['golang.org/x/tools@v9.0.0', 'the proxy has no version v9.0.0 of golang.org/x/tools'],
    ['golang.org/x/tools@main2', 'the proxy knows no version main2 of golang.org/x/tools'],
  ])('%s → %s', async (spec, expected) => {
    expect(await resolve(spec)).toBe(expected);
  });

  it('latest of a module with no tag is what the proxy says', async () => {
    const untagged: PackageRecord = {
      versions: [],
      tags: {},
      query: async (q) => (q === 'latest' ? v('v0.0.0-20240102150405-abcdef123456') : null),
    };
    const r = await resolveSpec('go', 'example.com/untagged', untagged, 'the proxy');
    expect(r).toMatchObject({ kind: 'resolved', version: { version: 'v0.0.0-20240102150405-abcdef123456' } });
  });
});

describe('apt', () => {
  const index = parsePackagesIndex(
    [
      `Package: curl\nVersion: 7.88.1-10+deb12u8\nArchitecture: amd64\nSHA256: ${'a'.repeat(64)}`,
      'Package: curl\nVersion: 7.88.1-10+deb12u5\nArchitecture: amd64\nDescription: x\n continued: not a field',
      'Package: curl\nVersion: 8.0.0-1\nArchitecture: arm64',
    ].join('\n\n'),
  );

  it('reads stanzas, continuation lines skipped', () => {
    expect(index.get('curl')?.map((p) => [p.version, p.architecture, p.sha256 !== null])).toEqual([
      ['7.88.1-10+deb12u8', 'amd64', true],
      ['7.88.1-10+deb12u5', 'amd64', false],
      ['8.0.0-1', 'arm64', false],
    ]);
  });

  it.each([
    ['curl', '8.0.0-1'],
    ['curl=7.88.1-10+deb12u5', '7.88.1-10+deb12u5'],
    ['curl=7.88.1-10+deb12u6', 'the index has no version 7.88.1-10+deb12u6 of curl'],
    [
      'curl/bookworm-backports',
      'curl/bookworm-backports picks a release (/bookworm-backports); the index is one suite',
    ],
  ])('%s → %s', async (spec, expected) => {
    const record: PackageRecord = {
      versions: (index.get('curl') ?? []).map((p) => v(p.version)),
      tags: {},
    };
    const r = await resolveSpec('apt', spec, record, 'the index');
    expect(r.kind === 'resolved' ? r.version.version : r.kind === 'problem' ? r.message : r.reason).toBe(
      expected,
    );
  });
});

describe('crates sparse index paths', () => {
  it.each([
    ['a', '1/a'],
    ['ab', '2/ab'],
    ['abc', '3/a/abc'],
    ['Serde', 'se/rd/serde'],
  ])('%s → %s', (name, expected) => {
    expect(indexPath(name)).toBe(expected);
  });
});
