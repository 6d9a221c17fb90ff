// Workspaces: one namespace each for environments, agents, sessions and deployments, the rules that cross them, and the state file.

import { EnvsyncError } from '../errors.js';
import { AgentStore } from './agents.js';
import { StateError, stamp } from './collection.js';
import { DeploymentStore } from './deployments.js';
import { conflict, HttpFailure, invalidRequest } from './errors.js';
import { SessionStore } from './sessions.js';
import { EnvironmentStore, type NameScope } from './store.js';
import type { DeploymentInput, DeploymentPatch, SessionInput } from './validate-refs.js';

/** What a request without `anthropic-workspace-id` gets: the key's own workspace. Sending this ID selects it too. */
export const DEFAULT_WORKSPACE = 'wrkspc_default';
const WORKSPACE_ID = /^wrkspc_[A-Za-z0-9]{1,64}$/;

export const STATE_FORMAT = 'envsync-emulator-state';

export interface WorkspaceOptions {
  nameScope: NameScope;
  /** A new random ID with this prefix (`env`, `agent`, `sesn`, `depl`). */
  newId: (prefix: string) => string;
  now: () => number;
}

export class Workspace {
  readonly environments: EnvironmentStore;
  readonly agents: AgentStore;
  readonly sessions: SessionStore;
  readonly deployments: DeploymentStore;
  private readonly newId: (prefix: string) => string;
  private readonly now: () => number;

  constructor(
    readonly id: string,
    options: WorkspaceOptions,
  ) {
    const { newId, now } = options;
    this.newId = newId;
    this.now = now;
    this.environments = new EnvironmentStore({
      nameScope: options.nameScope,
      newId: () => newId('env'),
      now,
    });
    this.agents = new AgentStore(() => newId('agent'), now);
    this.sessions = new SessionStore(() => newId('sesn'), now);
    this.deployments = new DeploymentStore(() => newId('depl'), now);
  }

  /** Refused while any session (archived ones too) still names the environment: archive it instead. */
  deleteEnvironment(id: string): string {
    this.environments.retrieve(id); // 404 first, as for any other environment call
    const sessions = this.sessions.countFor(id);
    if (sessions > 0) {
      throw conflict(
        `environment ${id} is referenced by ${sessions} session${sessions === 1 ? '' : 's'} and cannot be deleted; archive it instead`,
      );
    }
    return this.environments.delete(id);
  }

  createSession(input: SessionInput): string {
    const agent = this.agents.resolve(input.agent);
    this.usableEnvironment(input.environment_id);
    return this.sessions.create(input, agent, null);
  }

  createDeployment(input: DeploymentInput): string {
    const agent = this.agents.resolve(input.agent);
    this.usableEnvironment(input.environment_id);
    return this.deployments.create(input, agent);
  }

  updateDeployment(id: string, patch: DeploymentPatch): string {
    this.deployments.retrieve(id); // an unknown deployment is 404 before anything it names is looked at
    const agent = patch.agent && this.agents.resolve(patch.agent);
    if (patch.environment_id !== undefined) this.usableEnvironment(patch.environment_id);
    return this.deployments.update(id, patch, agent);
  }

  /**
   * A manual run: a session created from the deployment (its pinned agent, environment and vaults, with
   * `deployment_id` set). A run that cannot start still succeeds, with the reason in `error`, as the API's
   * runs record failures instead of raising them.
   */
  runDeployment(id: string): string {
    const d = this.deployments.runnable(id);
    const env = this.environments.get(d.environment_id);
    const base = {
      id: this.newId('drun'),
      type: 'deployment_run',
      agent: d.agent,
      created_at: stamp(this.now()),
      deployment_id: d.id,
      trigger_context: { type: 'manual' },
    };
    if (!env || env.archived_at !== null) {
      const type = env ? 'environment_archived_error' : 'environment_not_found_error';
      const why = env ? 'is archived' : 'no longer exists';
      const error = { type, message: `environment ${d.environment_id} ${why}` };
      return JSON.stringify({ ...base, error, session_id: null });
    }
    const agent = this.agents.resolve({ id: d.agent.id, version: d.agent.version });
    const input = {
      agent: { id: agent.id, version: agent.version },
      environment_id: d.environment_id,
      title: null,
      metadata: {},
      vault_ids: d.vault_ids,
      budget: d.budget ?? null,
    };
    const session = JSON.parse(this.sessions.create(input, agent, d.id)) as { id: string };
    return JSON.stringify({ ...base, error: null, session_id: session.id });
  }

  /** An environment of this workspace that can take new sessions. */
  private usableEnvironment(id: string): void {
    const env = this.environments.get(id);
    if (!env) {
      throw new HttpFailure('not_found_error', `environment ${id} not found`, 'environment_not_found');
    }
    if (env.archived_at !== null) {
      throw invalidRequest(
        `environment_id: environment ${id} is archived; no new sessions or deployments can use it`,
        'environment_archived',
      );
    }
  }

  toState(): string {
    const parts = [
      `"environments":${this.environments.toState()}`,
      `"agents":${this.agents.toState()}`,
      `"sessions":${this.sessions.toState()}`,
      `"deployments":${this.deployments.toState()}`,
    ];
    return `{${parts.join(',\n')}}`;
  }

  load(state: unknown, where: string): void {
    const s = (state ?? {}) as Record<string, unknown>;
    const empty = { next_seq: 1, items: [] };
    this.environments.load(s.environments ?? empty, `${where}.environments`);
    this.agents.load(s.agents ?? empty, `${where}.agents`);
    this.sessions.load(s.sessions ?? empty, `${where}.sessions`);
    this.deployments.load(s.deployments ?? empty, `${where}.deployments`);
  }
}

export class Workspaces {
  private readonly byId = new Map<string, Workspace>();

  constructor(private readonly options: WorkspaceOptions) {}

  /** The workspace a request's `anthropic-workspace-id` names (made on first use), or the default one. */
  select(header: string | undefined): Workspace {
    const id = header === undefined ? DEFAULT_WORKSPACE : header.trim();
    if (!WORKSPACE_ID.test(id)) {
      throw invalidRequest(
        `anthropic-workspace-id: ${JSON.stringify(header)} is not a workspace ID (expected wrkspc_ followed by letters and digits, e.g. wrkspc_011CZkZaBF1tNoB5wlCeusgy; leave the header out for the key's default workspace)`,
      );
    }
    let ws = this.byId.get(id);
    if (!ws) {
      ws = new Workspace(id, this.options);
      this.byId.set(id, ws);
    }
    return ws;
  }

  /** The whole state as the text of the state file: one entry per workspace, in the order first used. */
  serialize(): string {
    const entries = [...this.byId.values()].map((ws) => `${JSON.stringify(ws.id)}:${ws.toState()}`);
    return `{"format":"${STATE_FORMAT}","version":2,"workspaces":{\n${entries.join(',\n')}\n}}\n`;
  }

  /**
   * Rebuilds the workspaces from a state file's text; `source` names the file in errors. A version 1 file
   * (written before workspaces) is one flat list of environments: it becomes the default workspace.
   */
  static deserialize(text: string, source: string, options: WorkspaceOptions): Workspaces {
    const bad = (why: string) =>
      new EnvsyncError('emulator_state_invalid', `${source}: not a usable emulator state file (${why})`, {
        hint: 'move the file away or pass another --state path; the emulator never overwrites a file it cannot read',
      });
    let doc: Record<string, unknown>;
    try {
      doc = JSON.parse(text) as Record<string, unknown>;
    } catch (e) {
      throw bad(e instanceof Error ? e.message : String(e));
    }
    const all = new Workspaces(options);
    try {
      if (doc?.format === STATE_FORMAT && doc.version === 1 && Array.isArray(doc.environments)) {
        const items = (doc.environments as Array<{ seq?: unknown; env?: unknown } | null>).map((e) => ({
          seq: e?.seq,
          value: e?.env,
        }));
        all.select(undefined).load({ environments: { next_seq: doc.next_seq, items } }, 'state');
        return all;
      }
      const workspaces = doc?.workspaces;
      if (
        doc?.format !== STATE_FORMAT ||
        doc.version !== 2 ||
        typeof workspaces !== 'object' ||
        !workspaces
      ) {
        throw new StateError(`expected {"format": "${STATE_FORMAT}", "version": 2, "workspaces": {...}}`);
      }
      for (const [id, state] of Object.entries(workspaces)) {
        if (!WORKSPACE_ID.test(id))
          throw new StateError(`workspaces: ${JSON.stringify(id)} is not a workspace ID`);
        all.select(id).load(state, `workspaces.${id}`);
      }
    } catch (e) {
      if (e instanceof StateError) throw bad(e.message);
      throw e;
    }
    return all;
  }
}
