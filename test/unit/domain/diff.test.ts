// Field-level diffs (sets by member, metadata per key, reserved keys hidden) and network widening.

import { describe, expect, it } from 'vitest';
import { type DiffSide, diffConfig, diffEnvironment, wideningOf } from '../../../src/domain/diff.js';
import { normalizeConfig } from '../../../src/hash/config-hash.js';
import type { LooseConfig, WideningReason } from '../../../src/model.js';

function side(o: Partial<Omit<DiffSide, 'config'>> & { config?: LooseConfig } = {}): DiffSide {
  return {
    description: o.description ?? null,
    metadata: o.metadata ?? {},
    scope: o.scope ?? null,
    config: normalizeConfig(o.config),
  };
}

const limited = (hosts: string[], pm = false, mcp = false): LooseConfig => ({
  networking: { type: 'limited', allowed_hosts: hosts, allow_package_managers: pm, allow_mcp_servers: mcp },
});

describe('diffEnvironment', () => {
  it('reports package lists as set additions and removals, not index edits', () => {
    const before = side({ config: { packages: { pip: ['a==1', 'b==1', 'c==1'], npm: ['x@1'] } } });
    const after = side({ config: { packages: { pip: ['c==1', 'a==1', 'd==1'], npm: [] } } });
    expect(diffEnvironment(before, after)).toEqual([
      { op: 'remove', path: 'config.packages.npm', value: 'x@1' },
      { op: 'remove', path: 'config.packages.pip', value: 'b==1' },
      { op: 'add', path: 'config.packages.pip', value: 'd==1' },
    ]);
  });

  it("shows a package whose version alone changed as one change, in its manager's identity", () => {
    const before = side({
      config: {
        packages: {
          pip: ['pandas==2.2.2', 'Requests[socks]==2.31.0', 'numpy==1.0'],
          npm: ['@scope/x@1.0.0', 'left@1'],
          apt: ['curl:amd64=7.88'],
        },
      },
    });
    const after = side({
      config: {
        packages: {
          // REQUESTS is the same PEP 503 name; numpy listed twice stays as two additions.
          pip: ['pandas==2.2.3', 'REQUESTS[socks]==2.32.0', 'numpy==1.1', 'numpy==1.2'],
          npm: ['@scope/x@1.1.0', 'right@1'],
          // Another architecture is another package.
          apt: ['curl:arm64=7.88'],
        },
      },
    });
    expect(diffEnvironment(before, after)).toEqual([
      { op: 'remove', path: 'config.packages.apt', value: 'curl:amd64=7.88' },
      { op: 'add', path: 'config.packages.apt', value: 'curl:arm64=7.88' },
      { op: 'set', path: 'config.packages.npm', before: '@scope/x@1.0.0', after: '@scope/x@1.1.0' },
      { op: 'remove', path: 'config.packages.npm', value: 'left@1' },
      { op: 'add', path: 'config.packages.npm', value: 'right@1' },
      {
        op: 'set',
        path: 'config.packages.pip',
        before: 'Requests[socks]==2.31.0',
        after: 'REQUESTS[socks]==2.32.0',
      },
      { op: 'remove', path: 'config.packages.pip', value: 'numpy==1.0' },
      { op: 'set', path: 'config.packages.pip', before: 'pandas==2.2.2', after: 'pandas==2.2.3' },
      { op: 'add', path: 'config.packages.pip', value: 'numpy==1.1' },
      { op: 'add', path: 'config.packages.pip', value: 'numpy==1.2' },
    ]);
  });

  it('finds nothing when only the order of a set differs', () => {
    expect(
      diffEnvironment(side({ config: limited(['b', 'a']) }), side({ config: limited(['a', 'b', 'a']) })),
    ).toEqual([]);
  });

  it('compares metadata key by key and hides envsync keys', () => {
    const before = side({
      metadata: { team: 'a', gone: 'x', envsync_managed: 'true', envsync_config_hash: 'h' },
    });
    const after = side({ metadata: { team: 'b', added: 'y', EnvSync_other: 'z' } });
    expect(diffEnvironment(before, after)).toEqual([
      { op: 'set', path: 'metadata.gone', before: 'x', after: null },
      { op: 'set', path: 'metadata.team', before: 'a', after: 'b' },
      { op: 'set', path: 'metadata.added', before: null, after: 'y' },
    ]);
  });

  it('treats an empty metadata value as no key: the API deletes a key set to "" on update', () => {
    expect(diffEnvironment(side({ metadata: {} }), side({ metadata: { note: '' } }))).toEqual([]);
    expect(diffEnvironment(side({ metadata: { note: '' } }), side({ metadata: {} }))).toEqual([]);
    expect(diffEnvironment(side({ metadata: { note: '' } }), side({ metadata: { note: 'x' } }))).toEqual([
      { op: 'set', path: 'metadata.note', before: null, after: 'x' },
    ]);
  });

  it('sets description, including clearing it', () => {
    expect(diffEnvironment(side({ description: 'old' }), side({ description: null }))).toEqual([
      { op: 'set', path: 'description', before: 'old', after: null },
    ]);
  });

  it('compares scope only when the desired side sets it', () => {
    expect(diffEnvironment(side({ scope: 'organization' }), side({ scope: null }))).toEqual([]);
    expect(diffEnvironment(side({ scope: 'organization' }), side({ scope: 'account' }))).toEqual([
      { op: 'set', path: 'scope', before: 'organization', after: 'account' },
    ]);
  });

  it('expands networking unrestricted → limited into flags and host additions', () => {
    expect(diffEnvironment(side(), side({ config: limited(['api.example.com'], true) }))).toEqual([
      { op: 'set', path: 'config.networking.type', before: 'unrestricted', after: 'limited' },
      { op: 'add', path: 'config.networking.allowed_hosts', value: 'api.example.com' },
      { op: 'set', path: 'config.networking.allow_mcp_servers', before: null, after: false },
      { op: 'set', path: 'config.networking.allow_package_managers', before: null, after: true },
    ]);
  });

  it('sets allow_* flags', () => {
    expect(
      diffEnvironment(
        side({ config: limited([], false, false) }),
        side({ config: limited([], false, true) }),
      ),
    ).toEqual([{ op: 'set', path: 'config.networking.allow_mcp_servers', before: false, after: true }]);
  });

  it('diffs a create from nothing, skipping empty sets and null fields', () => {
    expect(diffEnvironment(null, side({ config: { packages: { apt: ['curl'] } } }))).toEqual([
      { op: 'set', path: 'config.type', before: null, after: 'cloud' },
      { op: 'add', path: 'config.packages.apt', value: 'curl' },
      { op: 'set', path: 'config.networking.type', before: null, after: 'unrestricted' },
    ]);
  });

  it('diffConfig keeps to config paths', () => {
    expect(diffConfig(normalizeConfig({}), normalizeConfig({ type: 'self_hosted' }))).toEqual([
      { op: 'set', path: 'config.type', before: 'cloud', after: 'self_hosted' },
      { op: 'set', path: 'config.networking.type', before: 'unrestricted', after: null },
    ]);
  });
});

describe('wideningOf', () => {
  const reasons = (before: LooseConfig | null, after: LooseConfig): WideningReason[] =>
    wideningOf(before === null ? null : normalizeConfig(before), normalizeConfig(after)).map((w) => w.reason);

  it.each<[string, LooseConfig | null, LooseConfig, WideningReason[]]>([
    ['limited → unrestricted', limited(['a']), {}, ['network_unrestricted']],
    ['a new allowed host', limited(['a']), limited(['a', 'b']), ['host_added']],
    ['two new hosts, one each', limited([]), limited(['a', 'b']), ['host_added', 'host_added']],
    ['package managers turned on', limited(['a']), limited(['a'], true), ['package_managers_allowed']],
    ['MCP servers turned on', limited(['a']), limited(['a'], false, true), ['mcp_servers_allowed']],
    ['unrestricted → limited is narrowing', {}, limited(['a'], true, true), []],
    ['a removed host is narrowing', limited(['a', 'b']), limited(['a']), []],
    ['package managers turned off is narrowing', limited(['a'], true), limited(['a']), []],
    ['unrestricted stays unrestricted', {}, { packages: { pip: ['x'] } }, []],
    ['create with unrestricted networking', null, {}, ['network_unrestricted']],
    ['create with a bare allow-list', null, limited(['a']), []],
    [
      'create with both flags',
      null,
      limited(['a'], true, true),
      ['package_managers_allowed', 'mcp_servers_allowed'],
    ],
    ['self_hosted → cloud counts as from nothing', { type: 'self_hosted' }, {}, ['network_unrestricted']],
    ['cloud → self_hosted is not judged', {}, { type: 'self_hosted' }, []],
  ])('%s', (_name, before, after, expected) => {
    expect(reasons(before, after)).toEqual(expected);
  });

  it('names the host in the detail', () => {
    expect(wideningOf(normalizeConfig(limited([])), normalizeConfig(limited(['api.example.com'])))).toEqual([
      {
        reason: 'host_added',
        path: 'config.networking.allowed_hosts',
        detail: 'new allowed host api.example.com',
      },
    ]);
  });
});
