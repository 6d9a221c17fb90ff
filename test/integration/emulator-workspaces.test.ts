// Workspaces: anthropic-workspace-id namespaces every resource, a bad ID is a 400, and the state file keeps them apart.

import { writeFileSync } from 'node:fs';
import path from 'node:path';
import Anthropic from '@anthropic-ai/sdk';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/cli.js';
import {
  closeEmulatorsAfterEach,
  emulator,
  expectApiError,
  listAll,
  raw,
  sdk,
} from '../helpers/emulator-harness.js';
import { makeAgent, makeDeployment, sessionOn } from '../helpers/emulator-refs.js';

closeEmulatorsAfterEach();

const STAGING = 'wrkspc_011CZkZaBF1tNoB5wlCeusgy';
const PROD = 'wrkspc_prod';

describe('emulator: workspaces', () => {
  it('keeps names per workspace: the same name in two workspaces is two environments', async () => {
    const client = sdk(await emulator());
    const a = await client.beta.environments.create({ name: 'python', workspace_id: STAGING });
    const b = await client.beta.environments.create({ name: 'python', workspace_id: PROD });
    const c = await client.beta.environments.create({ name: 'python' });
    expect(new Set([a.id, b.id, c.id]).size).toBe(3);
    await expectApiError(
      client.beta.environments.create({ name: 'python', workspace_id: STAGING }),
      Anthropic.ConflictError,
      { status: 409, type: 'conflict_error' },
    );
    const names = async (workspace_id?: string) =>
      (await client.beta.environments.list(workspace_id ? { workspace_id } : {})).data.map((e) => e.id);
    expect([await names(STAGING), await names(PROD), await names()]).toEqual([[a.id], [b.id], [c.id]]);
  });

  it('no header is the default workspace, and wrkspc_default names it', async () => {
    const client = sdk(await emulator());
    const env = await client.beta.environments.create({ name: 'plain' });
    const named = await client.beta.environments.retrieve(env.id, { workspace_id: 'wrkspc_default' });
    expect(named.id).toBe(env.id);
    // The answer names the workspace it came from; the SDK surfaces it as _workspace_id.
    expect(env._workspace_id).toBe('wrkspc_default');
    const scoped = await client.beta.environments.create({ name: 'plain', workspace_id: PROD });
    expect(scoped._workspace_id).toBe(PROD);
  });

  it('a client with the header in defaultHeaders works in that workspace only', async () => {
    const emu = await emulator();
    const staging = new Anthropic({
      apiKey: 'test-key',
      baseURL: emu.url,
      defaultHeaders: { 'anthropic-workspace-id': STAGING },
    });
    const env = await staging.beta.environments.create({ name: 'scoped' });
    expect((await listAll(staging)).map((e) => e.id)).toEqual([env.id]);
    expect(await listAll(sdk(emu))).toEqual([]);
  });

  it.each([
    ['environment', 'GET', (ids: Ids) => `/v1/environments/${ids.env}`],
    ['environment update', 'POST', (ids: Ids) => `/v1/environments/${ids.env}`],
    ['environment archive', 'POST', (ids: Ids) => `/v1/environments/${ids.env}/archive`],
    ['environment delete', 'DELETE', (ids: Ids) => `/v1/environments/${ids.env}`],
    ['agent', 'GET', (ids: Ids) => `/v1/agents/${ids.agent}`],
    ['session', 'GET', (ids: Ids) => `/v1/sessions/${ids.session}`],
    ['session archive', 'POST', (ids: Ids) => `/v1/sessions/${ids.session}/archive`],
    ['deployment', 'GET', (ids: Ids) => `/v1/deployments/${ids.deployment}`],
    ['deployment update', 'POST', (ids: Ids) => `/v1/deployments/${ids.deployment}`],
  ] as const)('an ID from one workspace is 404 with another workspace header: %s', async (_, method, url) => {
    const emu = await emulator();
    const client = sdk(emu);
    const { env, agent, session } = await sessionOn(client, 'e', { workspace_id: STAGING });
    const deployment = await makeDeployment(client, agent.id, env.id, { workspace_id: STAGING });
    const ids = { env: env.id, agent: agent.id, session: session.id, deployment: deployment.id };
    const call = (header: string | undefined) =>
      raw(emu, url(ids), {
        method,
        headers: { 'anthropic-workspace-id': header },
        body: method === 'POST' ? '{}' : undefined,
      });
    for (const header of [PROD, undefined]) {
      const res = await call(header);
      expect(res.status).toBe(404);
      expect(res.json).toMatchObject({ type: 'error', error: { type: 'not_found_error' } });
    }
    // In its own workspace the same call finds it (delete is refused: a session still uses the environment).
    expect((await call(STAGING)).status).toBe(method === 'DELETE' ? 409 : 200);
  });

  it('a session cannot use an environment or agent of another workspace', async () => {
    const client = sdk(await emulator());
    const env = await client.beta.environments.create({ name: 'e', workspace_id: STAGING });
    const agent = await makeAgent(client, { workspace_id: PROD });
    const localAgent = await makeAgent(client, { workspace_id: STAGING });
    await expectApiError(
      client.beta.sessions.create({ agent: agent.id, environment_id: env.id, workspace_id: STAGING }),
      Anthropic.NotFoundError,
      { status: 404, type: 'not_found_error', message: agent.id },
    );
    await expectApiError(
      client.beta.sessions.create({ agent: localAgent.id, environment_id: env.id, workspace_id: PROD }),
      Anthropic.NotFoundError,
      { status: 404, type: 'not_found_error' },
    );
  });

  it.each([
    ['not-a-workspace'],
    ['wrkspc_'],
    ['wrkspc_has space'],
    ['wrkspc_dash-ed'],
    ['WRKSPC_upper'],
    [''],
    [`wrkspc_${'x'.repeat(65)}`],
  ])('a malformed workspace ID %j is 400 invalid_request_error naming the header', async (header) => {
    const emu = await emulator();
    const res = await raw(emu, '/v1/environments', { headers: { 'anthropic-workspace-id': header } });
    expect(res.status).toBe(400);
    expect(res.json).toMatchObject({
      type: 'error',
      error: { type: 'invalid_request_error', message: expect.stringContaining('anthropic-workspace-id') },
    });
    expect(res.headers.get('x-should-retry')).toBe('false');
  });
});

type Ids = { env: string; agent: string; session: string; deployment: string };

describe('emulator: workspaces in the state file', () => {
  it('reloads every workspace apart, with its agents, sessions and deployments', async () => {
    const statePath = path.join(tempDir(), 'state.json');
    const first = sdk(await emulator({ statePath }));
    const made = await sessionOn(first, 'kept', { workspace_id: STAGING });
    const deployment = await makeDeployment(first, made.agent.id, made.env.id, { workspace_id: STAGING });
    const plain = await first.beta.environments.create({ name: 'kept' });
    const second = sdk(await emulator({ statePath }));
    expect((await listAll(second)).map((e) => e.id)).toEqual([plain.id]);
    const ws = { workspace_id: STAGING };
    expect((await second.beta.environments.list(ws)).data.map((e) => e.id)).toEqual([made.env.id]);
    expect(await second.beta.sessions.retrieve(made.session.id, ws)).toEqual(made.session);
    expect(await second.beta.agents.retrieve(made.agent.id, ws)).toEqual(made.agent);
    expect(await second.beta.deployments.retrieve(deployment.id, ws)).toEqual(deployment);
    // Cursors and the reference rules survive the restart too.
    await expectApiError(second.beta.environments.delete(made.env.id, ws), Anthropic.ConflictError, {
      status: 409,
      type: 'conflict_error',
    });
  });

  it('loads a version 1 state file (before workspaces) as the default workspace', async () => {
    const statePath = path.join(tempDir(), 'state.json');
    const env = {
      id: 'env_000000000000000000000001',
      type: 'environment',
      name: 'old',
      description: null,
      metadata: {},
      config: { type: 'self_hosted' },
      scope: 'organization',
      created_at: '2026-01-01T00:00:00.000Z',
      updated_at: '2026-01-01T00:00:00.000Z',
      archived_at: null,
    };
    writeFileSync(
      statePath,
      JSON.stringify({
        format: 'envsync-emulator-state',
        version: 1,
        next_seq: 2,
        environments: [{ seq: 1, env }],
      }),
    );
    const client = sdk(await emulator({ statePath }));
    expect(await listAll(client)).toEqual([env]);
    await expectApiError(client.beta.environments.create({ name: 'old' }), Anthropic.ConflictError, {
      status: 409,
      type: 'conflict_error',
    });
    expect(await client.beta.environments.list({ workspace_id: STAGING })).toMatchObject({ data: [] });
  });
});
