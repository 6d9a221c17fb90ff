// The emulator's other errors through the SDK and raw fetch: update rules, 404s, malformed requests, auth, headers.

import Anthropic from '@anthropic-ai/sdk';
import {
  BetaEnvironmentArchivedError,
  BetaInvalidConfigTypeChangeError,
} from '@anthropic-ai/sdk/resources/beta/environments/environments';
import { describe, expect, it } from 'vitest';
import { closeEmulatorsAfterEach, emulator, expectApiError, raw, sdk } from '../helpers/emulator-harness.js';

closeEmulatorsAfterEach();

const many = (n: number, prefix = 'k') =>
  Object.fromEntries(Array.from({ length: n }, (_, i) => [`${prefix}${i}`, 'v']));

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
      ['GET', '/v1/vaults'],
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
