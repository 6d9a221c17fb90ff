// Deployments through the SDK: shape, list filters, update (environment_id above all), pause, archive and manual runs.

import Anthropic from '@anthropic-ai/sdk';
import {
  BetaEnvironmentArchivedError,
  BetaEnvironmentNotFoundError,
} from '@anthropic-ai/sdk/resources/beta/environments/environments';
import { describe, expect, it } from 'vitest';
import { closeEmulatorsAfterEach, emulator, expectApiError, raw, sdk } from '../helpers/emulator-harness.js';
import { makeAgent, makeDeployment, oneEvent } from '../helpers/emulator-refs.js';

closeEmulatorsAfterEach();

async function setup() {
  const emu = await emulator();
  const client = sdk(emu);
  const [env, other] = [
    await client.beta.environments.create({ name: 'v1' }),
    await client.beta.environments.create({ name: 'v2' }),
  ];
  const agent = await makeAgent(client);
  return { emu, client, env, other, agent };
}

describe('emulator: deployments', () => {
  it('creates an active deployment pinned to the agent version, in the SDK shape', async () => {
    const { client, env, agent } = await setup();
    const d = await client.beta.deployments.create({
      agent: agent.id,
      environment_id: env.id,
      initial_events: oneEvent(),
      name: 'Daily order report',
      schedule: { type: 'cron', expression: '0 9 * * 1-5', timezone: 'UTC' },
      metadata: { owner: 'ops' },
    });
    expect(d).toMatchObject({
      id: expect.stringMatching(/^depl_[0-9A-Za-z]{24}$/),
      type: 'deployment',
      agent: { id: agent.id, type: 'agent', version: 1 },
      environment_id: env.id,
      name: 'Daily order report',
      description: null,
      status: 'active',
      paused_reason: null,
      resources: [],
      vault_ids: [],
      metadata: { owner: 'ops' },
      schedule: { type: 'cron', expression: '0 9 * * 1-5', timezone: 'UTC', last_run_at: null },
      archived_at: null,
    });
    expect(d).not.toHaveProperty('budget');
    expect(await client.beta.deployments.retrieve(d.id)).toEqual(d);
  });

  it('updates environment_id (and keeps what it is not sent); metadata is a patch', async () => {
    const { client, env, other, agent } = await setup();
    const d = await makeDeployment(client, agent.id, env.id);
    const updated = await client.beta.deployments.update(d.id, {
      environment_id: other.id,
      metadata: { a: '1', b: '2' },
    });
    expect(updated).toMatchObject({ environment_id: other.id, name: d.name, metadata: { a: '1', b: '2' } });
    expect(updated.updated_at > d.updated_at).toBe(true);
    const patched = await client.beta.deployments.update(d.id, { metadata: { a: null }, description: 'x' });
    expect(patched).toMatchObject({ environment_id: other.id, metadata: { b: '2' }, description: 'x' });
    expect((await client.beta.deployments.update(d.id, { description: '' })).description).toBeNull();
  });

  it.each([
    [
      'archived',
      BetaEnvironmentArchivedError as typeof Anthropic.APIError,
      400,
      'invalid_request_error',
      'environment_archived',
    ],
    [
      'missing',
      BetaEnvironmentNotFoundError as typeof Anthropic.APIError,
      404,
      'not_found_error',
      'environment_not_found',
    ],
  ] as const)(
    'refuses to point a deployment at an %s environment',
    async (state, errorClass, status, type, code) => {
      const { client, env, other, agent } = await setup();
      const d = await makeDeployment(client, agent.id, env.id);
      if (state === 'archived') await client.beta.environments.archive(other.id);
      const target = state === 'archived' ? other.id : 'env_missing';
      await expectApiError(client.beta.deployments.update(d.id, { environment_id: target }), errorClass, {
        status,
        type,
        errorCode: code,
      });
      await expectApiError(makeDeployment(client, agent.id, target), errorClass, {
        status,
        type,
        errorCode: code,
      });
      expect((await client.beta.deployments.retrieve(d.id)).environment_id).toBe(env.id);
    },
  );

  it('pauses and unpauses (manual reason), archives terminally (reporting active)', async () => {
    const { client, env, agent } = await setup();
    const d = await makeDeployment(client, agent.id, env.id);
    const paused = await client.beta.deployments.pause(d.id);
    expect(paused).toMatchObject({ status: 'paused', paused_reason: { type: 'manual' } });
    expect(await client.beta.deployments.pause(d.id)).toEqual(paused);
    expect(await client.beta.deployments.unpause(d.id)).toMatchObject({
      status: 'active',
      paused_reason: null,
    });
    await client.beta.deployments.pause(d.id);
    const archived = await client.beta.deployments.archive(d.id);
    expect(archived).toMatchObject({
      status: 'active',
      paused_reason: null,
      archived_at: archived.updated_at,
    });
    await expectApiError(client.beta.deployments.update(d.id, { name: 'again' }), Anthropic.BadRequestError, {
      status: 400,
      type: 'invalid_request_error',
      message: 'archived',
    });
  });

  it('lists newest first, filtered by agent_id, status and include_archived', async () => {
    const { emu, client, env, agent } = await setup();
    const second = await makeAgent(client, {}, 'second');
    const a = await makeDeployment(client, agent.id, env.id, { name: 'a' });
    const b = await makeDeployment(client, second.id, env.id, { name: 'b' });
    const c = await makeDeployment(client, agent.id, env.id, { name: 'c' });
    await client.beta.deployments.pause(b.id);
    await client.beta.deployments.archive(c.id);
    const ids = async (query: Anthropic.Beta.DeploymentListParams) => {
      const out: string[] = [];
      for await (const d of client.beta.deployments.list({ limit: 1, ...query })) out.push(d.id);
      return out;
    };
    expect(await ids({})).toEqual([b.id, a.id]);
    expect(await ids({ include_archived: true })).toEqual([c.id, b.id, a.id]);
    expect(await ids({ agent_id: agent.id })).toEqual([a.id]);
    expect(await ids({ status: 'paused' })).toEqual([b.id]);
    expect(await ids({ status: 'active' })).toEqual([a.id]);
    expect(await ids({ 'created_at[gte]': '2100-01-01T00:00:00Z' })).toEqual([]);
    const both = await raw(emu, '/v1/deployments?status=paused&include_archived=true');
    expect(both.json).toMatchObject({
      error: { type: 'invalid_request_error', message: expect.stringContaining('status') },
    });
  });

  it('a manual run creates a session carrying deployment_id, which the session list filters on', async () => {
    const { client, env, agent } = await setup();
    const d = await makeDeployment(client, agent.id, env.id);
    const run = await client.beta.deployments.run(d.id);
    expect(run).toMatchObject({
      id: expect.stringMatching(/^drun_/),
      type: 'deployment_run',
      deployment_id: d.id,
      agent: d.agent,
      error: null,
      trigger_context: { type: 'manual' },
    });
    const session = await client.beta.sessions.retrieve(run.session_id as string);
    expect(session).toMatchObject({ deployment_id: d.id, environment_id: env.id, status: 'idle' });
    await client.beta.sessions.create({ agent: agent.id, environment_id: env.id });
    expect((await client.beta.sessions.list({ deployment_id: d.id })).data.map((s) => s.id)).toEqual([
      session.id,
    ]);
    // The environment is archived under the deployment: the run is recorded as failed, no session made.
    await client.beta.environments.archive(env.id);
    const failed = await client.beta.deployments.run(d.id);
    expect(failed).toMatchObject({ session_id: null, error: { type: 'environment_archived_error' } });
  });
});
