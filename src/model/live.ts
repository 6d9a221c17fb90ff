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
  /** Called with each environment as its page is read, while the next page is on its way. */
  onItem?: (env: LiveEnvironment) => void;
}

/**
 * An item of an answer that did not parse (an unknown config type, a missing or ill-typed field): envsync
 * never acts on it, nor on a desired environment that shares its name or ID. What could still be read of
 * it is kept, so the block can name it.
 */
export interface UnreadableItem {
  id: string | null;
  name: string | null;
  /** Its `envsync_managed` tag, when that much of its metadata could be read. */
  owner: string | null;
  /** The field that did not parse (`config.type`), and why. */
  field: string;
  problem: string;
  request_id: string | null;
}

/**
 * What one plan sees of the live side: every environment listed (archived ones too: their names may still
 * be taken), what did not parse, and the recorded IDs missing from the list that a lookup by ID answered 404.
 */
export interface LiveView {
  envs: LiveEnvironment[];
  unreadable: UnreadableItem[];
  gone: string[];
}

/** One checked list of every environment: what parsed, and what did not. */
export interface LiveList {
  envs: LiveEnvironment[];
  unreadable: UnreadableItem[];
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
  sessionsSince(since: string): Promise<SessionSummary[]>;
  retrieveSession(id: string): Promise<SessionSummary>;
  /** Every deployment that is not archived. */
  listDeployments(): Promise<DeploymentSummary[]>;
  /** Points a deployment at another environment ID. */
  repointDeployment(id: string, environmentId: string): Promise<DeploymentSummary>;
}

/**
 * Which organization and workspace the API says it served (the `anthropic-organization-id` and
 * `anthropic-workspace-id` headers of its answers); null where it did not say.
 */
export interface ApiOrigin {
  organization_id: string | null;
  workspace_id: string | null;
}

/** The one interface through which envsync talks to an Environments API, real or local. */
export interface EnvironmentsApi {
  /** The base URL requests go to, for the changelog's `target` and plan fingerprints. */
  readonly target: string;
  /** Every page, checked (no repeated cursor, no empty page with a next cursor, no ID twice with other content). */
  list(options?: ListOptions): Promise<LiveList>;
  create(body: CreateBody): Promise<LiveEnvironment>;
  retrieve(id: string): Promise<LiveEnvironment>;
  update(id: string, body: UpdateBody): Promise<LiveEnvironment>;
  archive(id: string): Promise<LiveEnvironment>;
  delete(id: string): Promise<{ id: string; type: 'environment_deleted' }>;
  /** Sessions and deployments, which hold environment IDs. */
  readonly references: ReferencesApi;
  /** The organization and workspace this key and base URL reach, as the API names them (one read). */
  origin(): Promise<ApiOrigin>;
}
