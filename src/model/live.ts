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
}
