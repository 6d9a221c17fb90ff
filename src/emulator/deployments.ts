// The deployments of one workspace: create, retrieve, list, update (environment_id included), pause, archive.

import type { Agent } from './agents.js';
import {
  archiveRec,
  CollectionStore,
  json,
  type PageRequest,
  pageJson,
  type Rec,
  stamp,
  withStrings,
} from './collection.js';
import { invalidRequest } from './errors.js';
import { patchMetadata } from './store.js';
import type { DeploymentInput, DeploymentPatch, Schedule } from './validate-refs.js';

export type DeploymentStatus = 'active' | 'paused';

/** The SDK's `BetaManagedAgentsDeployment`; `budget` is left out when none is set, as the API does. */
export interface Deployment {
  id: string;
  type: 'deployment';
  agent: { id: string; type: 'agent'; version: number };
  name: string;
  description: string | null;
  environment_id: string;
  initial_events: Array<Record<string, unknown>>;
  metadata: Record<string, string>;
  status: DeploymentStatus;
  paused_reason: { type: 'manual' } | null;
  resources: unknown[];
  schedule: (Schedule & { last_run_at: string | null; upcoming_runs_at: string[] }) | null;
  vault_ids: string[];
  budget?: Record<string, unknown>;
  created_at: string;
  updated_at: string;
  archived_at: string | null;
}

export interface DeploymentListQuery extends PageRequest {
  includeArchived: boolean;
  createdAt: (createdAt: string) => boolean;
  agentId: string | undefined;
  status: DeploymentStatus | undefined;
}

/** The emulator runs nothing, so a schedule never fires: no last run, no computed upcoming runs. */
function scheduled(schedule: Schedule | null): Deployment['schedule'] {
  return schedule && { ...schedule, last_run_at: null, upcoming_runs_at: [] };
}

function withBudget(d: Deployment, budget: Record<string, unknown> | null): Deployment {
  const { budget: _old, ...rest } = d;
  return budget === null ? rest : { ...rest, budget };
}

export class DeploymentStore extends CollectionStore<Deployment> {
  constructor(
    private readonly newId: () => string,
    private readonly now: () => number,
  ) {
    super('deployment', withStrings<Deployment>('a deployment', ['id', 'environment_id', 'created_at']));
  }

  /** Callers have resolved the agent and checked the environment (Workspace.createDeployment). */
  create(input: DeploymentInput, agent: Agent): string {
    const at = stamp(this.now());
    const deployment: Deployment = {
      id: this.items.freshId(this.newId),
      type: 'deployment',
      agent: { id: agent.id, type: 'agent', version: agent.version },
      name: input.name,
      description: input.description,
      environment_id: input.environment_id,
      initial_events: input.initial_events,
      metadata: input.metadata,
      status: 'active',
      paused_reason: null,
      resources: [],
      schedule: scheduled(input.schedule),
      vault_ids: input.vault_ids,
      created_at: at,
      updated_at: at,
      archived_at: null,
    };
    return json(this.items.insert(withBudget(deployment, input.budget)));
  }

  retrieve(id: string): string {
    return json(this.find(id));
  }

  list(query: DeploymentListQuery): Buffer {
    const page = this.items.page(query, (d) => {
      if (!query.includeArchived && d.archived_at !== null) return false;
      if (query.agentId !== undefined && d.agent.id !== query.agentId) return false;
      if (query.status !== undefined && d.status !== query.status) return false;
      return query.createdAt(d.created_at);
    });
    return pageJson(page);
  }

  /** Omitted fields are kept; callers have resolved a new agent and checked a new environment. */
  update(id: string, patch: DeploymentPatch, agent: Agent | undefined): string {
    const rec = this.active(id, 'updated');
    const d = rec.value;
    let next: Deployment = {
      ...d,
      agent: agent ? { id: agent.id, type: 'agent', version: agent.version } : d.agent,
      name: patch.name ?? d.name,
      description: patch.description === undefined ? d.description : patch.description,
      environment_id: patch.environment_id ?? d.environment_id,
      initial_events: patch.initial_events ?? d.initial_events,
      metadata: patch.metadata === undefined ? d.metadata : patchMetadata(d.metadata, patch.metadata),
      schedule: patch.schedule === undefined ? d.schedule : scheduled(patch.schedule),
      vault_ids: patch.vault_ids ?? d.vault_ids,
      updated_at: stamp(this.now(), d.updated_at),
    };
    if (patch.budget !== undefined) next = withBudget(next, patch.budget);
    this.items.replace(rec, next);
    return json(rec);
  }

  /** Pause and unpause; idempotent. */
  setStatus(id: string, status: DeploymentStatus): { json: string; changed: boolean } {
    const rec = this.active(id, status === 'paused' ? 'paused' : 'unpaused');
    if (rec.value.status === status) return { json: json(rec), changed: false };
    this.items.replace(rec, {
      ...rec.value,
      status,
      paused_reason: status === 'paused' ? { type: 'manual' } : null,
      updated_at: stamp(this.now(), rec.value.updated_at),
    });
    return { json: json(rec), changed: true };
  }

  /** Idempotent. An archived deployment reports `active` with `archived_at` set, as the SDK documents. */
  archive(id: string): { json: string; changed: boolean } {
    return archiveRec(this.items, this.find(id), this.now(), { status: 'active', paused_reason: null });
  }

  /** The deployment, for a manual run: paused ones may run, archived ones may not. */
  runnable(id: string): Deployment {
    return this.active(id, 'run').value;
  }

  private active(id: string, verb: string): Rec<Deployment> {
    const rec = this.find(id);
    if (rec.value.archived_at !== null) {
      throw invalidRequest(`deployment ${id} is archived and cannot be ${verb}`);
    }
    return rec;
  }
}
