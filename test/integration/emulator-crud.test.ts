// The emulator's happy paths through the official SDK: shapes, defaults, update merging, archive, delete, names.

import { describe, expect, it } from 'vitest';
import { closeEmulatorsAfterEach, emulator, listAll, raw, sdk } from '../helpers/emulator-harness.js';

closeEmulatorsAfterEach();

const EMPTY_PACKAGES = { apt: [], cargo: [], gem: [], go: [], npm: [], pip: [], type: 'packages' };

describe('emulator: create and retrieve', () => {
  it('fills every default the API fills for a bare name', async () => {
    const client = sdk(await emulator());
    const env = await client.beta.environments.create({ name: 'bare' });
    expect(env).toEqual({
      id: expect.stringMatching(/^env_[0-9A-Za-z]{24}$/),
      type: 'environment',
      name: 'bare',
      description: null,
      metadata: {},
      config: { type: 'cloud', packages: EMPTY_PACKAGES, networking: { type: 'unrestricted' } },
      scope: 'organization',
      created_at: expect.any(String),
      updated_at: env.created_at,
      archived_at: null,
    });
    expect(new Date(env.created_at).toISOString()).toBe(env.created_at);
    expect(await client.beta.environments.retrieve(env.id)).toEqual(env);
  });

  it('keeps what was sent, in the order sent, and fills the rest of limited networking', async () => {
    const client = sdk(await emulator());
    const env = await client.beta.environments.create({
      name: 'full',
      description: 'data stack',
      metadata: { team: 'research', tier: '1' },
      scope: 'account',
      config: {
        type: 'cloud',
        packages: { pip: ['pandas==2.2.0', 'numpy==2.1.3'], npm: null },
        networking: {
          type: 'limited',
          allowed_hosts: ['b.example.com', 'a.example.com'],
          allow_package_managers: true,
        },
      },
    });
    expect(env).toMatchObject({
      name: 'full',
      description: 'data stack',
      metadata: { team: 'research', tier: '1' },
      scope: 'account',
      config: {
        type: 'cloud',
        packages: { ...EMPTY_PACKAGES, pip: ['pandas==2.2.0', 'numpy==2.1.3'] },
        networking: {
          type: 'limited',
          allowed_hosts: ['b.example.com', 'a.example.com'],
          allow_mcp_servers: false,
          allow_package_managers: true,
        },
      },
    });
  });

  it('stores a self-hosted config as just its type, and null config as the cloud default', async () => {
    const client = sdk(await emulator());
    const selfHosted = await client.beta.environments.create({ name: 'sh', config: { type: 'self_hosted' } });
    expect(selfHosted.config).toEqual({ type: 'self_hosted' });
    const nullConfig = await client.beta.environments.create({ name: 'nc', config: null, description: null });
    expect(nullConfig.config).toEqual({
      type: 'cloud',
      packages: EMPTY_PACKAGES,
      networking: { type: 'unrestricted' },
    });
  });

  it('sends a request-id header on successes and accepts the ?beta=true the SDK adds', async () => {
    const emu = await emulator();
    const { response, data } = await sdk(emu).beta.environments.create({ name: 'rid' }).withResponse();
    expect(response.headers.get('request-id')).toMatch(/^req_[0-9A-Za-z]{24}$/);
    const plain = await raw(emu, `/v1/environments/${data.id}`);
    const withBeta = await raw(emu, `/v1/environments/${data.id}?beta=true`);
    expect(plain.status).toBe(200);
    expect(withBeta.json).toEqual(plain.json);
  });
});

describe('emulator: update', () => {
  it('changes only the fields sent and moves updated_at forward on every update', async () => {
    const client = sdk(await emulator());
    const created = await client.beta.environments.create({
      name: 'u',
      description: 'before',
      metadata: { a: '1', b: '2', c: '3' },
      config: { type: 'cloud', packages: { pip: ['x'], apt: ['curl'] } },
    });
    const renamed = await client.beta.environments.update(created.id, { name: 'u2' });
    expect(renamed).toEqual({ ...created, name: 'u2', updated_at: renamed.updated_at });
    const stamps = [created.updated_at, renamed.updated_at];
    for (let i = 0; i < 10; i++) {
      stamps.push((await client.beta.environments.update(created.id, { description: `d${i}` })).updated_at);
    }
    for (let i = 1; i < stamps.length; i++)
      expect((stamps[i] as string) > (stamps[i - 1] as string)).toBe(true);
    const final = await client.beta.environments.retrieve(created.id);
    expect(final.created_at).toBe(created.created_at);
    expect(final.description).toBe('d9');
  });

  it('gives every one of many parallel updates its own, later updated_at', async () => {
    const client = sdk(await emulator());
    const env = await client.beta.environments.create({ name: 'par' });
    const results = await Promise.all(
      Array.from({ length: 40 }, (_, i) => client.beta.environments.update(env.id, { description: `p${i}` })),
    );
    const stamps = results.map((r) => r.updated_at);
    expect(new Set(stamps).size).toBe(40);
    for (const stamp of stamps) expect(stamp > env.updated_at).toBe(true);
    const archived = await client.beta.environments.archive(env.id);
    expect(stamps.every((stamp) => (archived.updated_at as string) > stamp)).toBe(true);
  });

  it('patches metadata key by key: null and "" delete, other keys stay', async () => {
    const client = sdk(await emulator());
    const env = await client.beta.environments.create({ name: 'm', metadata: { a: '1', b: '2', c: '3' } });
    const updated = await client.beta.environments.update(env.id, {
      metadata: { a: null, b: '', c: '30', d: '4' },
    });
    expect(updated.metadata).toEqual({ c: '30', d: '4' });
  });

  it('clears the description with null and stores an empty string as one', async () => {
    const client = sdk(await emulator());
    const env = await client.beta.environments.create({ name: 'd', description: 'x' });
    expect((await client.beta.environments.update(env.id, { description: '' })).description).toBe('');
    expect((await client.beta.environments.update(env.id, { description: null })).description).toBeNull();
  });

  it('merges config: omitted packages, lists and networking fields are kept', async () => {
    const client = sdk(await emulator());
    const env = await client.beta.environments.create({
      name: 'c',
      config: {
        type: 'cloud',
        packages: { pip: ['a'], npm: ['b'] },
        networking: { type: 'limited', allowed_hosts: ['h.example.com'], allow_package_managers: true },
      },
    });
    const onlyPip = await client.beta.environments.update(env.id, {
      config: { type: 'cloud', packages: { pip: ['c', 'a'] } },
    });
    expect(onlyPip.config).toEqual({
      type: 'cloud',
      packages: { ...EMPTY_PACKAGES, pip: ['c', 'a'], npm: ['b'] },
      networking: {
        type: 'limited',
        allowed_hosts: ['h.example.com'],
        allow_mcp_servers: false,
        allow_package_managers: true,
      },
    });
    const mcp = await client.beta.environments.update(env.id, {
      config: { type: 'cloud', networking: { type: 'limited', allow_mcp_servers: true } },
    });
    expect(mcp.config).toMatchObject({
      networking: { allowed_hosts: ['h.example.com'], allow_mcp_servers: true, allow_package_managers: true },
    });
    const listNull = await client.beta.environments.update(env.id, {
      config: { type: 'cloud', packages: { npm: null } },
    });
    expect(listNull.config).toMatchObject({ packages: { pip: ['c', 'a'], npm: [] } });
  });

  it('resets packages and networking to the defaults when they are sent as null', async () => {
    const client = sdk(await emulator());
    const env = await client.beta.environments.create({
      name: 'n',
      config: {
        type: 'cloud',
        packages: { pip: ['a'] },
        networking: { type: 'limited', allow_package_managers: true },
      },
    });
    const reset = await client.beta.environments.update(env.id, {
      config: { type: 'cloud', packages: null, networking: null },
    });
    expect(reset.config).toEqual({
      type: 'cloud',
      packages: EMPTY_PACKAGES,
      networking: { type: 'unrestricted' },
    });
  });

  it('accepts an empty update and a self-hosted config that repeats its type', async () => {
    const client = sdk(await emulator());
    const env = await client.beta.environments.create({ name: 's', config: { type: 'self_hosted' } });
    const same = await client.beta.environments.update(env.id, { config: { type: 'self_hosted' } });
    const empty = await client.beta.environments.update(env.id, {});
    expect(empty).toEqual({ ...env, updated_at: empty.updated_at });
    expect(empty.updated_at > same.updated_at).toBe(true);
  });
});

describe('emulator: archive and delete', () => {
  it('archives once, then answers the same environment unchanged', async () => {
    const client = sdk(await emulator());
    const env = await client.beta.environments.create({ name: 'a' });
    const archived = await client.beta.environments.archive(env.id);
    expect(archived.archived_at).not.toBeNull();
    expect(archived.updated_at).toBe(archived.archived_at);
    expect(archived.updated_at > env.updated_at).toBe(true);
    expect(await client.beta.environments.archive(env.id)).toEqual(archived);
    expect(await client.beta.environments.retrieve(env.id)).toEqual(archived);
  });

  it('hides archived environments from lists unless include_archived is true', async () => {
    const client = sdk(await emulator());
    const keep = await client.beta.environments.create({ name: 'keep' });
    const gone = await client.beta.environments.create({ name: 'gone' });
    await client.beta.environments.archive(gone.id);
    expect((await listAll(client)).map((e) => e.id)).toEqual([keep.id]);
    expect((await listAll(client, { include_archived: false })).map((e) => e.id)).toEqual([keep.id]);
    expect((await listAll(client, { include_archived: true })).map((e) => e.id).sort()).toEqual(
      [keep.id, gone.id].sort(),
    );
  });

  it('deletes: answers environment_deleted, then the id is unknown and the name free', async () => {
    const client = sdk(await emulator());
    const env = await client.beta.environments.create({ name: 'del' });
    await client.beta.environments.archive(env.id);
    expect(await client.beta.environments.delete(env.id)).toEqual({
      id: env.id,
      type: 'environment_deleted',
    });
    await expect(client.beta.environments.retrieve(env.id)).rejects.toBeInstanceOf(Error);
    const again = await client.beta.environments.create({ name: 'del' });
    expect(again.id).not.toBe(env.id);
  });

  it('lists newest first with a default page of 20', async () => {
    const client = sdk(await emulator());
    const made = [];
    for (let i = 0; i < 25; i++) made.push(await client.beta.environments.create({ name: `p${i}` }));
    const page = await client.beta.environments.list();
    expect(page.data.map((e) => e.name)).toEqual(
      made
        .slice(5)
        .reverse()
        .map((e) => e.name),
    );
    expect(page.next_page).toEqual(expect.any(String));
    const rest = await page.getNextPage();
    expect(rest.data.map((e) => e.name)).toEqual(['p4', 'p3', 'p2', 'p1', 'p0']);
    expect(rest.next_page).toBeNull();
  });
});

describe('emulator: name uniqueness', () => {
  it('keeps the names of archived environments taken by default', async () => {
    const client = sdk(await emulator(), { maxRetries: 0 });
    const env = await client.beta.environments.create({ name: 'taken' });
    await client.beta.environments.archive(env.id);
    await expect(client.beta.environments.create({ name: 'taken' })).rejects.toMatchObject({ status: 409 });
  });

  it("with nameScope 'active', frees a name when its environment is archived", async () => {
    const client = sdk(await emulator({ nameScope: 'active' }), { maxRetries: 0 });
    const first = await client.beta.environments.create({ name: 'reuse' });
    await expect(client.beta.environments.create({ name: 'reuse' })).rejects.toMatchObject({ status: 409 });
    await client.beta.environments.archive(first.id);
    const second = await client.beta.environments.create({ name: 'reuse' });
    expect(second.name).toBe('reuse');
    const third = await client.beta.environments.create({ name: 'other' });
    await expect(client.beta.environments.update(third.id, { name: 'reuse' })).rejects.toMatchObject({
      status: 409,
    });
  });

  it('lets an environment be renamed to its own name, and frees the old name on rename', async () => {
    const client = sdk(await emulator(), { maxRetries: 0 });
    const env = await client.beta.environments.create({ name: 'self' });
    expect((await client.beta.environments.update(env.id, { name: 'self' })).name).toBe('self');
    await client.beta.environments.update(env.id, { name: 'moved' });
    expect((await client.beta.environments.create({ name: 'self' })).name).toBe('self');
  });
});
