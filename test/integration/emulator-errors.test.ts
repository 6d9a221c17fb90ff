// Every error the emulator answers, as the official SDK sees it: class, status, type, error_code, message, headers.

import Anthropic from '@anthropic-ai/sdk';
import {
  BetaEnvironmentArchivedError,
  BetaInvalidConfigTypeChangeError,
  BetaInvalidMetadataError,
} from '@anthropic-ai/sdk/resources/beta/environments/environments';
import { describe, expect, it } from 'vitest';
import { closeEmulatorsAfterEach, emulator, expectApiError, raw, sdk } from '../helpers/emulator-harness.js';

closeEmulatorsAfterEach();

const many = (n: number, prefix = 'k') =>
  Object.fromEntries(Array.from({ length: n }, (_, i) => [`${prefix}${i}`, 'v']));

/** [what, body, message fragment (the field path), error_code]: each create body is wrong in exactly one way. */
const BAD_CREATES: Array<[string, unknown, string, string | null]> = [
  ['no name', {}, 'name: required', null],
  ['empty name', { name: '' }, 'name: must not be empty', null],
  ['long name', { name: 'x'.repeat(257) }, 'name: must be at most 256', null],
  ['name not a string', { name: 7 }, 'name: must be a string', null],
  ['unknown top-level field', { name: 'a', lifecycle: {} }, 'lifecycle: unknown field', null],
  [
    'long description',
    { name: 'a', description: 'x'.repeat(1025) },
    'description: must be at most 1024',
    null,
  ],
  ['description not a string', { name: 'a', description: 5 }, 'description: must be a string', null],
  ['metadata not an object', { name: 'a', metadata: [] }, 'metadata: must be an object', 'invalid_metadata'],
  [
    '17 metadata keys',
    { name: 'a', metadata: many(17) },
    'metadata: must have at most 16 keys',
    'invalid_metadata',
  ],
  [
    'long metadata key',
    { name: 'a', metadata: { ['k'.repeat(65)]: 'v' } },
    'key must be at most 64',
    'invalid_metadata',
  ],
  [
    'long metadata value',
    { name: 'a', metadata: { k: 'v'.repeat(513) } },
    'metadata.k: must be at most 512',
    'invalid_metadata',
  ],
  [
    'number metadata value',
    { name: 'a', metadata: { k: 1 } },
    'metadata.k: must be a string',
    'invalid_metadata',
  ],
  [
    'null metadata value on create',
    { name: 'a', metadata: { k: null } },
    'metadata.k: must be a string',
    'invalid_metadata',
  ],
  ['config without type', { name: 'a', config: {} }, 'config.type: required', null],
  ['unknown config type', { name: 'a', config: { type: 'docker' } }, 'config.type: must be one of', null],
  [
    'self_hosted with packages',
    { name: 'a', config: { type: 'self_hosted', packages: {} } },
    'config.packages: unknown field',
    null,
  ],
  [
    'unknown package manager',
    { name: 'a', config: { type: 'cloud', packages: { brew: ['x'] } } },
    'config.packages.brew: unknown field',
    null,
  ],
  [
    'package list not an array',
    { name: 'a', config: { type: 'cloud', packages: { pip: 'pandas' } } },
    'config.packages.pip: must be an array',
    null,
  ],
  [
    'package not a string',
    { name: 'a', config: { type: 'cloud', packages: { npm: ['a', 3] } } },
    'config.packages.npm[1]: must be a string',
    null,
  ],
  [
    'wrong packages.type',
    { name: 'a', config: { type: 'cloud', packages: { type: 'pkgs' } } },
    'config.packages.type: must be one of',
    null,
  ],
  [
    'networking without type',
    { name: 'a', config: { type: 'cloud', networking: {} } },
    'config.networking.type: required',
    null,
  ],
  [
    'unrestricted with hosts',
    { name: 'a', config: { type: 'cloud', networking: { type: 'unrestricted', allowed_hosts: [] } } },
    'config.networking.allowed_hosts: unknown field',
    null,
  ],
  [
    'host not a string',
    { name: 'a', config: { type: 'cloud', networking: { type: 'limited', allowed_hosts: ['a', 'b', 3] } } },
    'config.networking.allowed_hosts[2]: must be a string',
    null,
  ],
  [
    'allow flag not a boolean',
    { name: 'a', config: { type: 'cloud', networking: { type: 'limited', allow_mcp_servers: 'yes' } } },
    'config.networking.allow_mcp_servers: must be a boolean',
    null,
  ],
  [
    'unknown networking field',
    { name: 'a', config: { type: 'cloud', networking: { type: 'limited', allow_all: true } } },
    'config.networking.allow_all: unknown field',
    null,
  ],
  [
    'packages under limited networking without package managers',
    { name: 'a', config: { type: 'cloud', packages: { pip: ['x'] }, networking: { type: 'limited' } } },
    'config.networking.allow_package_managers: must be true',
    null,
  ],
  ['unknown scope', { name: 'a', scope: 'team' }, 'scope: must be one of', null],
];

describe('emulator: create body validation', () => {
  it.each(BAD_CREATES)('rejects %s with a 400 naming the field', async (_what, body, message, errorCode) => {
    const emu = await emulator();
    const client = sdk(emu);
    await expectApiError(client.beta.environments.create(body as never), Anthropic.BadRequestError, {
      status: 400,
      type: 'invalid_request_error',
      errorCode,
      message,
      shouldRetryFalse: true,
    });
    // x-should-retry: false means the SDK did not retry it, and nothing was created.
    expect(emu.stats().byRoute['POST /v1/environments']).toBe(1);
    expect((await client.beta.environments.list()).data).toEqual([]);
  });

  it('maps invalid metadata to the SDK class for its error_code', async () => {
    const client = sdk(await emulator());
    await expectApiError(
      client.beta.environments.create({ name: 'a', metadata: many(17) }),
      BetaInvalidMetadataError,
      { status: 400, type: 'invalid_request_error', errorCode: 'invalid_metadata' },
    );
  });

  it('accepts exactly the limits: 256-char name, 1024-char description, 16 keys of 64/512 chars', async () => {
    const client = sdk(await emulator());
    const metadata = Object.fromEntries(
      Array.from({ length: 16 }, (_, i) => [
        `${String(i).padStart(2, '0')}${'k'.repeat(62)}`,
        'v'.repeat(512),
      ]),
    );
    const env = await client.beta.environments.create({
      name: 'n'.repeat(256),
      description: 'd'.repeat(1024),
      metadata,
    });
    expect(Object.keys(env.metadata)).toHaveLength(16);
  });
});

describe('emulator: update errors', () => {
  it('refuses to change config.type with invalid_config_type_change', async () => {
    const client = sdk(await emulator());
    const env = await client.beta.environments.create({ name: 'a' });
    await expectApiError(
      client.beta.environments.update(env.id, { config: { type: 'self_hosted' } }),
      BetaInvalidConfigTypeChangeError,
      {
        status: 400,
        type: 'invalid_request_error',
        errorCode: 'invalid_config_type_change',
        shouldRetryFalse: true,
      },
    );
  });

  it('refuses to update an archived environment with environment_archived', async () => {
    const client = sdk(await emulator());
    const env = await client.beta.environments.create({ name: 'a' });
    await client.beta.environments.archive(env.id);
    await expectApiError(
      client.beta.environments.update(env.id, { description: 'x' }),
      BetaEnvironmentArchivedError,
      {
        status: 400,
        type: 'invalid_request_error',
        errorCode: 'environment_archived',
      },
    );
  });

  it('counts metadata keys after the patch', async () => {
    const client = sdk(await emulator());
    const env = await client.beta.environments.create({ name: 'a', metadata: many(10) });
    await expectApiError(
      client.beta.environments.update(env.id, { metadata: many(7, 'new') }),
      Anthropic.BadRequestError,
      { status: 400, type: 'invalid_request_error', errorCode: 'invalid_metadata', message: '17 keys' },
    );
    const ok = await client.beta.environments.update(env.id, { metadata: { ...many(7, 'new'), k0: null } });
    expect(Object.keys(ok.metadata)).toHaveLength(16);
  });

  it('checks packages against limited networking on the merged config', async () => {
    const client = sdk(await emulator());
    const env = await client.beta.environments.create({
      name: 'a',
      config: { type: 'cloud', packages: { pip: ['x'] } },
    });
    await expectApiError(
      client.beta.environments.update(env.id, { config: { type: 'cloud', networking: { type: 'limited' } } }),
      Anthropic.BadRequestError,
      { status: 400, type: 'invalid_request_error', message: 'config.networking.allow_package_managers' },
    );
    expect((await client.beta.environments.retrieve(env.id)).config).toMatchObject({
      networking: { type: 'unrestricted' },
    });
  });

  it('rejects unknown fields and bad types in an update body', async () => {
    const client = sdk(await emulator());
    const env = await client.beta.environments.create({ name: 'a' });
    await expectApiError(
      client.beta.environments.update(env.id, { id: 'x' } as never),
      Anthropic.BadRequestError,
      {
        status: 400,
        type: 'invalid_request_error',
        message: 'id: unknown field',
      },
    );
    await expectApiError(
      client.beta.environments.update(env.id, { metadata: { k: 5 } } as never),
      Anthropic.BadRequestError,
      { status: 400, type: 'invalid_request_error', errorCode: 'invalid_metadata', message: 'metadata.k' },
    );
  });

  it('answers 409 with x-should-retry: false on a rename to a taken name, and the SDK does not retry it', async () => {
    const emu = await emulator();
    const client = sdk(emu);
    await client.beta.environments.create({ name: 'one' });
    const two = await client.beta.environments.create({ name: 'two' });
    emu.resetStats();
    await expectApiError(client.beta.environments.update(two.id, { name: 'one' }), Anthropic.ConflictError, {
      status: 409,
      type: 'conflict_error',
      message: '"one"',
      shouldRetryFalse: true,
    });
    await expectApiError(client.beta.environments.create({ name: 'two' }), Anthropic.ConflictError, {
      status: 409,
      type: 'conflict_error',
      shouldRetryFalse: true,
    });
    expect(emu.stats().requests).toBe(2);
    expect(emu.stats().status).toEqual({ '409': 2 });
  });
});

describe('emulator: unknown ids and routes', () => {
  it.each(['retrieve', 'update', 'archive', 'delete'] as const)(
    '%s of an unknown id is 404',
    async (call) => {
      const client = sdk(await emulator());
      const id = 'env_000000000000000000000000';
      const calls = {
        retrieve: () => client.beta.environments.retrieve(id),
        update: () => client.beta.environments.update(id, { name: 'x' }),
        archive: () => client.beta.environments.archive(id),
        delete: () => client.beta.environments.delete(id),
      };
      await expectApiError(calls[call](), Anthropic.NotFoundError, {
        status: 404,
        type: 'not_found_error',
        message: id,
      });
    },
  );

  it('answers unknown routes and methods with 404 not_found_error', async () => {
    const emu = await emulator();
    for (const [method, path] of [
      ['GET', '/v1/agents'],
      ['PUT', '/v1/environments'],
      ['GET', '/v1/environments/env_x/archive'],
      ['POST', '/v1/environments/env_x/unarchive'],
    ] as const) {
      const res = await raw(emu, path, { method, body: method === 'GET' ? undefined : '{}' });
      expect(res.status).toBe(404);
      expect(res.json).toMatchObject({ type: 'error', error: { type: 'not_found_error' } });
      expect(res.headers.get('request-id')).toMatch(/^req_/);
    }
    expect(emu.stats().byRoute.unmatched).toBe(4);
  });
});

describe('emulator: malformed requests', () => {
  it('answers malformed JSON, an empty body and a non-object body with 400', async () => {
    const emu = await emulator();
    for (const [body, message] of [
      ['{"name": ', 'malformed JSON'],
      ['', 'a JSON object is required'],
      ['["name"]', 'must be a JSON object'],
      ['null', 'must be a JSON object'],
    ] as const) {
      const res = await raw(emu, '/v1/environments', { method: 'POST', body });
      expect(res.status).toBe(400);
      expect(res.headers.get('x-should-retry')).toBe('false');
      expect(res.json).toMatchObject({ type: 'error', error: { type: 'invalid_request_error' } });
      expect((res.json as { error: { message: string } }).error.message).toContain(message);
    }
  });

  it('answers a body over 1 MiB with 413', async () => {
    const emu = await emulator();
    const res = await raw(emu, '/v1/environments', {
      method: 'POST',
      body: JSON.stringify({ name: 'a', description: 'x'.repeat(1_100_000) }),
    });
    expect(res.status).toBe(413);
    expect(res.json).toMatchObject({ error: { type: 'request_too_large' } });
  });

  it.each([
    ['limit=0', 'limit'],
    ['limit=1001', 'limit'],
    ['limit=1.5', 'limit'],
    ['limit=abc', 'limit'],
    ['limit=', 'limit'],
    ['include_archived=yes', 'include_archived'],
    ['page=nonsense', 'page'],
    ['page=page_eHl6', 'page'],
  ])('rejects the list query %s', async (query, field) => {
    const emu = await emulator();
    const res = await raw(emu, `/v1/environments?${query}`);
    expect(res.status).toBe(400);
    expect((res.json as { error: { message: string } }).error.message).toMatch(new RegExp(`^${field}: `));
  });

  it('rejects a bad limit through the SDK too', async () => {
    const client = sdk(await emulator());
    await expectApiError(client.beta.environments.list({ limit: 1001 }), Anthropic.BadRequestError, {
      status: 400,
      type: 'invalid_request_error',
      message: 'limit',
    });
  });
});

describe('emulator: authentication and headers', () => {
  it('answers 401 without an API key, and accepts x-api-key or a bearer token', async () => {
    const emu = await emulator();
    const none = await raw(emu, '/v1/environments', { headers: { 'x-api-key': undefined } });
    expect(none.status).toBe(401);
    expect(none.json).toMatchObject({ type: 'error', error: { type: 'authentication_error' } });
    const bearer = await raw(emu, '/v1/environments', {
      headers: { 'x-api-key': undefined, authorization: 'Bearer any-key' },
    });
    expect(bearer.status).toBe(200);
    expect((await raw(emu, '/v1/environments')).status).toBe(200);
  });

  it('with apiKey set, accepts only that key', async () => {
    const emu = await emulator({ apiKey: 'right' });
    await expectApiError(
      sdk(emu, { apiKey: 'wrong' }).beta.environments.list(),
      Anthropic.AuthenticationError,
      {
        status: 401,
        type: 'authentication_error',
      },
    );
    expect((await sdk(emu, { apiKey: 'right' }).beta.environments.list()).data).toEqual([]);
    expect((await raw(emu, '/v1/environments', { headers: { 'x-api-key': 'right' } })).status).toBe(200);
  });

  it('requires the managed-agents beta in anthropic-beta, among others if need be', async () => {
    const emu = await emulator();
    const missing = await raw(emu, '/v1/environments', { headers: { 'anthropic-beta': undefined } });
    expect(missing.status).toBe(400);
    expect(missing.json).toMatchObject({ error: { type: 'invalid_request_error' } });
    expect(JSON.stringify(missing.json)).toContain('managed-agents-2026-04-01');
    const other = await raw(emu, '/v1/environments', {
      headers: { 'anthropic-beta': 'files-api-2025-04-14' },
    });
    expect(other.status).toBe(400);
    const list = await raw(emu, '/v1/environments', {
      headers: { 'anthropic-beta': 'files-api-2025-04-14, managed-agents-2026-04-01' },
    });
    expect(list.status).toBe(200);
  });

  it('accepts anthropic-version 2023-06-01 and 2026-10-21 only', async () => {
    const emu = await emulator();
    for (const version of ['2023-06-01', '2026-10-21']) {
      expect((await raw(emu, '/v1/environments', { headers: { 'anthropic-version': version } })).status).toBe(
        200,
      );
    }
    for (const version of ['2024-01-01', undefined]) {
      const res = await raw(emu, '/v1/environments', { headers: { 'anthropic-version': version } });
      expect(res.status).toBe(400);
      expect(JSON.stringify(res.json)).toContain('anthropic-version');
    }
  });
});
