// Answers parsed at the edge: what reads as an environment, and the field and reason for what does not.

import { describe, expect, it } from 'vitest';
import { parseDeployment, parseEnvironment, parseSession } from '../../../src/api/parse.js';

const good = {
  id: 'env_1',
  type: 'environment',
  name: 'a',
  description: null,
  metadata: { team: 'x' },
  config: {
    type: 'cloud',
    packages: { type: 'packages', apt: [], cargo: [], gem: [], go: [], npm: [], pip: ['pandas'] },
    networking: {
      type: 'limited',
      allowed_hosts: ['x.example'],
      allow_mcp_servers: false,
      allow_package_managers: true,
    },
  },
  scope: 'organization',
  created_at: '2026-11-01T00:00:00Z',
  updated_at: '2026-11-02T00:00:00Z',
  archived_at: null,
  some_new_top_level_field: { ignored: true },
};

describe('parseEnvironment', () => {
  it('reads a full environment, and a self-hosted one, keeping only the fields envsync knows at the top', () => {
    const r = parseEnvironment(good);
    const { type: _marker, ...packages } = good.config.packages;
    expect(r.ok && r.value.config).toEqual({ ...good.config, packages });
    expect(r.ok && 'some_new_top_level_field' in r.value).toBe(false);
    expect(parseEnvironment({ ...good, config: { type: 'self_hosted' } }).ok).toBe(true);
  });

  it.each<[string, Record<string, unknown>, string, string]>([
    [
      'an unknown config type',
      { config: { type: 'sandbox_v2' } },
      'config.type',
      'a config type envsync does not know',
    ],
    ['no config', { config: undefined }, 'config', 'expected an object, got missing'],
    ['name null', { name: null }, 'name', 'expected text, got null'],
    ['an empty name', { name: '' }, 'name', 'is empty'],
    ['no description field', { description: undefined }, 'description', 'expected text, got missing'],
    ['metadata that is not text', { metadata: { a: 1 } }, 'metadata.a', 'expected text, got a number'],
    ['an ID with escapes', { id: 'env_\u001b[31m' }, 'id', 'is not an ID of the form env_'],
    ['an ID of another kind', { id: 'sesn_1' }, 'id', 'is not an ID of the form env_'],
    ['a time that is not one', { updated_at: 'yesterday' }, 'updated_at', 'is not a time'],
    ['an unknown scope', { scope: 'galaxy' }, 'scope', 'a scope envsync does not know'],
    ['archived_at missing', { archived_at: undefined }, 'archived_at', 'expected text, got missing'],
    [
      'a seventh package manager',
      { config: { ...good.config, packages: { ...good.config.packages, conda: ['x'] } } },
      'config.packages.conda',
      'a field envsync does not know',
    ],
    [
      'a new networking flag',
      { config: { ...good.config, networking: { ...good.config.networking, allow_web: true } } },
      'config.networking.allow_web',
      'a field envsync does not know',
    ],
    [
      'a package list missing',
      { config: { ...good.config, packages: { apt: [], cargo: [], gem: [], go: [], npm: [] } } },
      'config.packages.pip',
      'expected a list, got missing',
    ],
    ['a type that is not environment', { type: 'agent' }, 'type', 'expected "environment"'],
  ])('refuses %s, naming the field', (_t, change, field, problem) => {
    const r = parseEnvironment({ ...good, ...change });
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.field).toBe(field);
      expect(r.problem).toContain(problem);
    }
  });

  it('refuses a metadata key `__proto__` (no copy of the metadata could keep it), and names a list member that is not text', () => {
    // JSON.parse makes `__proto__` an own key; the changelog, the diff and the patch copy metadata into plain
    // objects, where assigning it does nothing: the key would be lost from the history and never settle.
    expect(parseEnvironment({ ...good, metadata: JSON.parse('{"team": "y", "__proto__": "x"}') })).toEqual({
      ok: false,
      field: 'metadata.__proto__',
      problem: 'a key envsync cannot hold as its own',
    });
    const r = parseEnvironment({ ...good, metadata: JSON.parse('{"team": "y", "constructor": "z"}') });
    expect(r.ok && Object.entries(r.value.metadata)).toEqual([
      ['team', 'y'],
      ['constructor', 'z'],
    ]);
    const bad = parseEnvironment({
      ...good,
      config: { ...good.config, packages: { ...good.config.packages, pip: ['a', 2] } },
    });
    expect(bad).toEqual({
      ok: false,
      field: 'config.packages.pip[1]',
      problem: 'expected text, got a number',
    });
  });

  it('refuses what is not an object at all', () => {
    expect(parseEnvironment(null)).toMatchObject({ ok: false, field: '(the environment)' });
    expect(parseEnvironment([good])).toMatchObject({ ok: false, problem: 'expected an object, got a list' });
  });
});

describe('sessions and deployments', () => {
  it('reads what envsync uses of them, and refuses a deployment status it does not know', () => {
    const s = parseSession({
      id: 'sesn_1',
      environment_id: 'env_1',
      created_at: '2026-11-01T00:00:00Z',
      status: 'idle',
    });
    expect(s).toEqual({
      ok: true,
      value: {
        id: 'sesn_1',
        environment_id: 'env_1',
        created_at: '2026-11-01T00:00:00Z',
        status: 'idle',
        archived_at: null,
        deployment_id: null,
      },
    });
    const d = { id: 'depl_1', name: 'nightly', environment_id: 'env_1', status: 'active', archived_at: null };
    expect(parseDeployment(d).ok).toBe(true);
    expect(parseDeployment({ ...d, status: 'running' })).toMatchObject({ ok: false, field: 'status' });
    expect(parseSession({ id: 'sesn_1', created_at: '2026-11-01T00:00:00Z' })).toMatchObject({
      ok: false,
      field: 'environment_id',
    });
  });
});
