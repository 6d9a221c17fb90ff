// The sessions of one workspace: created idle and never run, listed with the SDK's filters, archived and deleted.

import type { Agent } from './agents.js';
import {
  archiveRec,
  CollectionStore,
  json,
  type PageRequest,
  pageJson,
  stamp,
  withStrings,
} from './collection.js';
import type { SessionInput } from './validate-refs.js';

export const SESSION_STATUSES = ['rescheduling', 'running', 'idle', 'terminated'] as const;
export type SessionStatus = (typeof SESSION_STATUSES)[number];

/** The agent as it was when the session was created: later changes to the agent do not reach it. */
export type AgentSnapshot = Omit<Agent, 'created_at' | 'updated_at' | 'archived_at' | 'metadata'>;

/** The SDK's `BetaManagedAgentsSession`, with the counters of a session that has not run. */
export interface Session {
  id: string;
  type: 'session';
  agent: AgentSnapshot;
  environment_id: string;
  deployment_id: string | null;
  title: string | null;
  metadata: Record<string, string>;
  status: SessionStatus;
  resources: unknown[];
  vault_ids: string[];
  budget: Record<string, unknown> | null;
  outcome_evaluations: unknown[];
  stats: { active_seconds: number; duration_seconds: number };
  usage: {
    active_seconds: number;
    input_tokens: number;
    output_tokens: number;
    cache_read_input_tokens: number;
  };
  created_at: string;
  updated_at: string;
  archived_at: string | null;
}

export interface SessionListQuery extends PageRequest {
  includeArchived: boolean;
  createdAt: (createdAt: string) => boolean;
  agentId: string | undefined;
  agentVersion: number | undefined;
  deploymentId: string | undefined;
  memoryStoreId: string | undefined;
  statuses: SessionStatus[] | undefined;
}

export class SessionStore extends CollectionStore<Session> {
  constructor(
    private readonly newId: () => string,
    private readonly now: () => number,
  ) {
    super('session', withStrings<Session>('a session', ['id', 'environment_id', 'created_at']));
  }

  /** Callers have resolved the agent and checked the environment (Workspace.createSession). */
  create(input: SessionInput, agent: Agent, deploymentId: string | null): string {
    const at = stamp(this.now());
    const { created_at: _c, updated_at: _u, archived_at: _a, metadata: _m, ...snapshot } = agent;
    const session: Session = {
      id: this.items.freshId(this.newId),
      type: 'session',
      agent: snapshot,
      environment_id: input.environment_id,
      deployment_id: deploymentId,
      title: input.title,
      metadata: input.metadata,
      status: 'idle',
      resources: [],
      vault_ids: input.vault_ids,
      budget: input.budget,
      outcome_evaluations: [],
      stats: { active_seconds: 0, duration_seconds: 0 },
      usage: { active_seconds: 0, input_tokens: 0, output_tokens: 0, cache_read_input_tokens: 0 },
      created_at: at,
      updated_at: at,
      archived_at: null,
    };
    return json(this.items.insert(session));
  }

  retrieve(id: string): string {
    return json(this.find(id));
  }

  list(query: SessionListQuery): Buffer {
    const page = this.items.page(query, (s) => {
      if (!query.includeArchived && s.archived_at !== null) return false;
      if (query.agentId !== undefined && s.agent.id !== query.agentId) return false;
      if (query.agentVersion !== undefined && s.agent.version !== query.agentVersion) return false;
      if (query.deploymentId !== undefined && s.deployment_id !== query.deploymentId) return false;
      // No session here mounts a memory store (resources are refused), so that filter matches none.
      if (query.memoryStoreId !== undefined) return false;
      if (query.statuses !== undefined && !query.statuses.includes(s.status)) return false;
      return query.createdAt(s.created_at);
    });
    return pageJson(page, true);
  }

  /** Idempotent, like environment archive. */
  archive(id: string): { json: string; changed: boolean } {
    return archiveRec(this.items, this.find(id), this.now());
  }

  delete(id: string): string {
    this.items.remove(this.find(id));
    return JSON.stringify({ id, type: 'session_deleted' });
  }

  /** How many sessions, archived ones included, still carry this environment ID. */
  countFor(environmentId: string): number {
    let n = 0;
    for (const s of this.items.values()) if (s.environment_id === environmentId) n++;
    return n;
  }
}
