// The agents of one workspace: enough of the Agents API (create, retrieve, list) to create sessions and deployments.

import { CollectionStore, json, type PageRequest, pageJson, stamp, withStrings } from './collection.js';
import { notFound } from './errors.js';
import type { AgentInput, AgentRef } from './validate-refs.js';

/** The SDK's `BetaManagedAgentsAgent`; the emulator never versions an agent past 1 (it has no update). */
export interface Agent extends AgentInput {
  id: string;
  type: 'agent';
  version: number;
  created_at: string;
  updated_at: string;
  archived_at: string | null;
}

export interface AgentListQuery extends PageRequest {
  includeArchived: boolean;
  createdAt: (createdAt: string) => boolean;
}

export class AgentStore extends CollectionStore<Agent> {
  constructor(
    private readonly newId: () => string,
    private readonly now: () => number,
  ) {
    super('agent', withStrings<Agent>('an agent', ['id', 'name', 'created_at']));
  }

  create(input: AgentInput): string {
    const at = stamp(this.now());
    const agent: Agent = {
      id: this.items.freshId(this.newId),
      type: 'agent',
      ...input,
      version: 1,
      created_at: at,
      updated_at: at,
      archived_at: null,
    };
    return json(this.items.insert(agent));
  }

  retrieve(id: string, version: string | null): string {
    const agent = this.find(id).value;
    if (version !== null && version !== String(agent.version)) {
      throw notFound(`agent ${id} has no version ${version}`);
    }
    return JSON.stringify(agent);
  }

  list(query: AgentListQuery): Buffer {
    const page = this.items.page(
      query,
      (a) => (query.includeArchived || a.archived_at === null) && query.createdAt(a.created_at),
    );
    return pageJson(page);
  }

  /** The agent a session or deployment names, at the version it asks for (default: the latest). */
  resolve(ref: AgentRef): Agent {
    const agent = this.find(ref.id).value;
    if (ref.version !== undefined && ref.version !== agent.version) {
      throw notFound(`agent ${ref.id} has no version ${ref.version} (latest: ${agent.version})`);
    }
    return agent;
  }
}
