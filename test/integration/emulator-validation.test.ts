// Body validation as the official SDK sees it: every wrong create body is a 400 naming the field, and nothing is created.

import Anthropic from '@anthropic-ai/sdk';
import { BetaInvalidMetadataError } from '@anthropic-ai/sdk/resources/beta/environments/environments';
import { describe, expect, it } from 'vitest';
import { closeEmulatorsAfterEach, emulator, expectApiError, sdk } from '../helpers/emulator-harness.js';

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
