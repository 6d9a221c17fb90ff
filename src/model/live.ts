// Live state: environments as the API returns them, the bodies envsync sends, and the API interface.

import type { Networking, NormalConfig, Packages, Scope, SelfHostedConfig } from './config.js';

/** An environment as the API returns it. */
export interface LiveEnvironment {
  id: string;
  type: 'environment';
  name: string;
  description: string | null;
  metadata: Record<string, string>;
  config: ApiConfig;
  scope?: Scope | undefined;
  created_at: string;
  updated_at: string;
  archived_at: string | null;
}

export type ApiConfig =
  | {
      type: 'cloud';
      packages: Packages & { type?: 'packages' };
      networking: Networking;
    }
  | SelfHostedConfig;

/** The bodies envsync sends. Metadata in an update may hold null to delete a key. */
export interface CreateBody {
  name: string;
  description?: string | null;
  metadata?: Record<string, string>;
  config?: NormalConfig;
  scope?: Scope;
}

export interface UpdateBody {
  name?: string;
  description?: string | null;
  metadata?: Record<string, string | null>;
  config?: NormalConfig;
  scope?: Scope;
}

export interface ListOptions {
  includeArchived?: boolean;
  /** Page size, 1–1000; the adapter defaults to 1000. */
  limit?: number;
}

/** What envsync reads of a session: which environment it ran on, and when it started. */
export interface SessionSummary {
  id: string;
  environment_id: string;
  created_at: string;
  status: string | null;
  archived_at: string | null;
  deployment_id: string | null;
}

/** What envsync reads of a deployment (scheduled runs): which environment ID it holds, and whether it runs. */
export interface DeploymentSummary {
  id: string;
  name: string;
  environment_id: string;
  status: 'active' | 'paused';
  archived_at: string | null;
}

/** What references environments: sessions (which config did a session run on) and deployments (never strand one). */
export interface ReferencesApi {
  /** Every session created at or after `since` (archived ones included), oldest first; lists cannot filter by environment. */
  sessionsSince(since: string): AsyncIterable<SessionSummary>;
  retrieveSession(id: string): Promise<SessionSummary>;
  /** Every deployment that is not archived. */
  listDeployments(): AsyncIterable<DeploymentSummary>;
  /** Points a deployment at another environment ID. */
  repointDeployment(id: string, environmentId: string): Promise<DeploymentSummary>;
}

/** The one interface through which envsync talks to an Environments API, real or local. */
export interface EnvironmentsApi {
  /** The base URL requests go to, for the changelog's `target` and plan fingerprints. */
  readonly target: string;
  listAll(options?: ListOptions): AsyncIterable<LiveEnvironment>;
  create(body: CreateBody): Promise<LiveEnvironment>;
  retrieve(id: string): Promise<LiveEnvironment>;
  update(id: string, body: UpdateBody): Promise<LiveEnvironment>;
  archive(id: string): Promise<LiveEnvironment>;
  delete(id: string): Promise<{ id: string; type: 'environment_deleted' }>;
  /** Sessions and deployments, which hold environment IDs. */
  readonly references: ReferencesApi;
}
