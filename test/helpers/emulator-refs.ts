// Helpers for the emulator's agents, sessions and deployments: the smallest valid bodies, made through the SDK.

import type Anthropic from '@anthropic-ai/sdk';

/** Sent as the SDK's per-call `workspace_id` (the anthropic-workspace-id header), or left out. */
export type InWorkspace = { workspace_id?: string };

export async function makeAgent(client: Anthropic, ws: InWorkspace = {}, name = 'helper') {
  return client.beta.agents.create({ name, model: 'claude-sonnet-4-5', ...ws });
}

/** An environment, an agent, and a session on them. */
export async function sessionOn(client: Anthropic, envName: string, ws: InWorkspace = {}) {
  const env = await client.beta.environments.create({ name: envName, ...ws });
  const agent = await makeAgent(client, ws);
  const session = await client.beta.sessions.create({ agent: agent.id, environment_id: env.id, ...ws });
  return { env, agent, session };
}

export function oneEvent(): Anthropic.Beta.DeploymentCreateParams['initial_events'] {
  return [{ type: 'user.message', content: [{ type: 'text', text: 'run the report' }] }];
}

export async function makeDeployment(
  client: Anthropic,
  agentId: string,
  environmentId: string,
  extra: { name?: string; workspace_id?: string } = {},
) {
  return client.beta.deployments.create({
    agent: agentId,
    environment_id: environmentId,
    initial_events: oneEvent(),
    name: extra.name ?? 'nightly',
    ...(extra.workspace_id === undefined ? {} : { workspace_id: extra.workspace_id }),
  });
}
