// Agents and sessions through the SDK: shapes, the environment rules, cursor pages and every list filter.

import Anthropic from '@anthropic-ai/sdk';
import {
  BetaEnvironmentArchivedError,
  BetaEnvironmentNotFoundError,
} from '@anthropic-ai/sdk/resources/beta/environments/environments';
import type { BetaManagedAgentsSession } from '@anthropic-ai/sdk/resources/beta/sessions/sessions';
import { describe, expect, it } from 'vitest';
import {
  closeEmulatorsAfterEach,
  emulator,
  expectApiError,
  manualClock,
  raw,
  sdk,
} from '../helpers/emulator-harness.js';
import { makeAgent, sessionOn } from '../helpers/emulator-refs.js';

closeEmulatorsAfterEach();

describe('emulator: agents', () => {
  it('creates, retrieves and lists agents in the SDK shape', async () => {
    const client = sdk(await emulator());
    const agent = await client.beta.agents.create({
      name: 'reporter',
      model: 'claude-sonnet-4-5',
      system: 'Write reports.',
      metadata: { team: 'research' },
    });
    expect(agent).toMatchObject({
      id: expect.stringMatching(/^agent_[0-9A-Za-z]{24}$/),
      type: 'agent',
      name: 'reporter',
      description: null,
      model: { id: 'claude-sonnet-4-5' },
      system: 'Write reports.',
      tools: [],
      mcp_servers: [],
      skills: [],
      metadata: { team: 'research' },
      multiagent: null,
      execution_identity: { type: 'service_account' },
      version: 1,
      archived_at: null,
    });
    expect(agent.created_at).toBe(agent.updated_at);
    expect(await client.beta.agents.retrieve(agent.id)).toEqual(agent);
    expect(await client.beta.agents.retrieve(agent.id, { version: 1 })).toEqual(agent);
    await expectApiError(client.beta.agents.retrieve(agent.id, { version: 2 }), Anthropic.NotFoundError, {
      status: 404,
      type: 'not_found_error',
    });
    const other = await makeAgent(client);
    expect((await client.beta.agents.list()).data.map((a) => a.id)).toEqual([other.id, agent.id]);
  });

  it.each([
    [{ name: 'no model' }, 'model: required'],
    [{ model: 'claude-sonnet-4-5' }, 'name: required'],
    [{ name: '', model: 'claude-sonnet-4-5' }, 'name: must not be empty'],
    [{ name: 'a', model: 'claude-sonnet-4-5', colour: 'red' }, 'colour: unknown field'],
    [{ name: 'a', model: { effort: 'high' } }, 'model.id'],
  ])('refuses a bad agent body %j with a message naming the field', async (body, message) => {
    const res = await raw(await emulator(), '/v1/agents', { method: 'POST', body: JSON.stringify(body) });
    expect(res.status).toBe(400);
    expect(res.json).toMatchObject({
      error: { type: 'invalid_request_error', message: expect.stringContaining(message) },
    });
  });
});

describe('emulator: sessions', () => {
  it('creates an idle session that snapshots its agent and never runs', async () => {
    const client = sdk(await emulator());
    const { env, agent, session } = await sessionOn(client, 'python');
    expect(session).toMatchObject({
      id: expect.stringMatching(/^sesn_[0-9A-Za-z]{24}$/),
      type: 'session',
      environment_id: env.id,
      deployment_id: null,
      status: 'idle',
      title: null,
      metadata: {},
      resources: [],
      vault_ids: [],
      budget: null,
      outcome_evaluations: [],
      archived_at: null,
      agent: { id: agent.id, type: 'agent', version: 1, name: agent.name, model: agent.model },
    });
    expect(await client.beta.sessions.retrieve(session.id)).toEqual(session);
  });

  it('refuses a session on an archived environment (400 environment_archived)', async () => {
    const client = sdk(await emulator());
    const env = await client.beta.environments.create({ name: 'old' });
    const agent = await makeAgent(client);
    await client.beta.environments.archive(env.id);
    await expectApiError(
      client.beta.sessions.create({ agent: agent.id, environment_id: env.id }),
      BetaEnvironmentArchivedError,
      {
        status: 400,
        type: 'invalid_request_error',
        errorCode: 'environment_archived',
        shouldRetryFalse: true,
      },
    );
  });

  it.each([
    ['an unknown environment', 'env', 'environment_not_found', BetaEnvironmentNotFoundError],
    ['an unknown agent', 'agent', null, Anthropic.NotFoundError],
  ] as const)('refuses a session on %s with 404', async (_, missing, errorCode, errorClass) => {
    const client = sdk(await emulator());
    const env = await client.beta.environments.create({ name: 'e' });
    const agent = await makeAgent(client);
    const body = {
      agent: missing === 'agent' ? 'agent_missing' : agent.id,
      environment_id: missing === 'env' ? 'env_missing' : env.id,
    };
    await expectApiError(client.beta.sessions.create(body), errorClass, {
      status: 404,
      type: 'not_found_error',
      errorCode,
      message: missing === 'env' ? 'env_missing' : 'agent_missing',
    });
  });

  it('refuses to delete an environment while a session references it, archived or not', async () => {
    const client = sdk(await emulator());
    const { env, session } = await sessionOn(client, 'busy');
    const refused = () =>
      expectApiError(client.beta.environments.delete(env.id), Anthropic.ConflictError, {
        status: 409,
        type: 'conflict_error',
        message: 'referenced by 1 session',
        shouldRetryFalse: true,
      });
    await refused();
    await client.beta.sessions.archive(session.id);
    await refused();
    expect(await client.beta.sessions.delete(session.id)).toEqual({
      id: session.id,
      type: 'session_deleted',
    });
    expect(await client.beta.environments.delete(env.id)).toEqual({
      id: env.id,
      type: 'environment_deleted',
    });
  });

  it('archives a session (idempotently): hidden from lists unless include_archived', async () => {
    const client = sdk(await emulator());
    const { session } = await sessionOn(client, 'e');
    const archived = await client.beta.sessions.archive(session.id);
    expect(archived.archived_at).not.toBeNull();
    expect(await client.beta.sessions.archive(session.id)).toEqual(archived);
    expect((await client.beta.sessions.list()).data).toEqual([]);
    expect((await client.beta.sessions.list({ include_archived: true })).data).toEqual([archived]);
  });
});

describe('emulator: session lists', () => {
  /** Seven sessions one minute apart (on the emulator's clock), on two agents; returns them oldest first. */
  async function sevenSessions() {
    const clock = manualClock(Date.parse('2026-03-15T10:00:00.000Z'));
    const client = sdk(await emulator({ clock: clock.now }));
    const env = await client.beta.environments.create({ name: 'e' });
    const agents = [await makeAgent(client, {}, 'a'), await makeAgent(client, {}, 'b')];
    const made: BetaManagedAgentsSession[] = [];
    for (let i = 0; i < 7; i++) {
      clock.advance(60_000);
      const agent = agents[i % 2] as { id: string };
      made.push(await client.beta.sessions.create({ agent: agent.id, environment_id: env.id }));
    }
    return { client, made, agents };
  }

  async function all(client: Anthropic, query: Anthropic.Beta.SessionListParams) {
    const out: string[] = [];
    for await (const s of client.beta.sessions.list(query)) out.push(s.id);
    return out;
  }

  it('pages newest first with opaque cursors (next_page, prev_page), no session skipped or repeated', async () => {
    const { client, made } = await sevenSessions();
    const first = await client.beta.sessions.list({ limit: 3 });
    expect(first.data.map((s) => s.id)).toEqual(
      made
        .slice(4)
        .reverse()
        .map((s) => s.id),
    );
    expect(first.next_page).toMatch(/^page_/);
    expect(first.prev_page).toBeNull();
    expect(await all(client, { limit: 3 })).toEqual(made.map((s) => s.id).reverse());
    expect(await all(client, { limit: 2, order: 'asc' })).toEqual(made.map((s) => s.id));
  });

  // Sessions were created at 10:01 … 10:07; each row: filter → indexes of the sessions it keeps.
  it.each([
    [{ 'created_at[gte]': '2026-03-15T10:03:00Z' }, [2, 3, 4, 5, 6]],
    [{ 'created_at[gt]': '2026-03-15T10:03:00Z' }, [3, 4, 5, 6]],
    [{ 'created_at[lte]': '2026-03-15T10:03:00Z' }, [0, 1, 2]],
    [{ 'created_at[lt]': '2026-03-15T10:03:00Z' }, [0, 1]],
    [{ 'created_at[gte]': '2026-03-15T10:02:00Z', 'created_at[lte]': '2026-03-15T10:04:00.000Z' }, [1, 2, 3]],
    [{ 'created_at[gte]': '2026-03-15T11:00:00+01:00', 'created_at[lt]': '2026-03-15T10:02:00Z' }, [0]],
    [{ statuses: ['idle' as const] }, [0, 1, 2, 3, 4, 5, 6]],
    [{ statuses: ['running' as const, 'terminated' as const] }, []],
    [{ deployment_id: 'depl_none' }, []],
  ])('filters %j', async (query, expected) => {
    const { client, made } = await sevenSessions();
    const ids = expected.map((i) => (made[i] as BetaManagedAgentsSession).id);
    expect(await all(client, { ...query, order: 'asc', limit: 2 })).toEqual(ids);
  });

  it('filters by agent_id (and agent_version)', async () => {
    const { client, made, agents } = await sevenSessions();
    const a = agents[0] as { id: string };
    const byA = made.filter((_, i) => i % 2 === 0).map((s) => s.id);
    expect(await all(client, { agent_id: a.id, order: 'asc' })).toEqual(byA);
    expect(await all(client, { agent_id: a.id, agent_version: 1, order: 'asc' })).toEqual(byA);
    expect(await all(client, { agent_id: a.id, agent_version: 2 })).toEqual([]);
  });

  it.each([
    ['created_at[gte]=yesterday', 'created_at[gte]'],
    ['statuses[]=sleeping', 'statuses'],
    ['order=up', 'order'],
    ['limit=0', 'limit'],
    ['page=bogus', 'page'],
  ])('answers a bad query %s with 400 naming the parameter', async (query, name) => {
    const res = await raw(await emulator(), `/v1/sessions?${query}`);
    expect(res.status).toBe(400);
    expect(res.json).toMatchObject({
      error: { type: 'invalid_request_error', message: expect.stringContaining(name) },
    });
  });
});
