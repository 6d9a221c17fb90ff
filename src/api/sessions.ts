// Lists sessions through the official SDK, for the audit page's per-version session counts.

import Anthropic from '@anthropic-ai/sdk';
import { EnvsyncError } from '../errors.js';
import { checkBaseUrl } from './base-url.js';
import { toApiError } from './client.js';

/** What envsync reads of a session: which environment it ran on, and when it started. */
export interface SessionSummary {
  id: string;
  environment_id: string;
  created_at: string;
}

/** The one question the audit page asks about sessions. */
export interface SessionsApi {
  /** Every session (archived ones included) created at or after `since`, oldest first. */
  listSince(since: string): AsyncIterable<SessionSummary>;
}

export interface SessionsClientOptions {
  baseUrl: string;
  apiKey: string | undefined;
  /** The variable the key came from, for the message when it is missing. */
  apiKeyEnv?: string;
  /** Sent as `anthropic-workspace-id`; null or absent sends none. */
  workspaceId?: string | null;
  timeoutMs?: number;
  maxRetries?: number;
}

export function createSessionsClient(options: SessionsClientOptions): SessionsApi {
  const baseURL = checkBaseUrl(options.baseUrl);
  if (!options.apiKey) {
    const variable = options.apiKeyEnv ?? 'ANTHROPIC_API_KEY';
    throw new EnvsyncError('no_api_key', `${variable} is not set`, {
      hint: `--sessions lists sessions through the API: export ${variable}, or leave --sessions out`,
    });
  }
  const client = new Anthropic({
    apiKey: options.apiKey,
    authToken: null,
    baseURL,
    maxRetries: options.maxRetries ?? 2,
    timeout: options.timeoutMs ?? 90_000,
    ...(options.workspaceId ? { defaultHeaders: { 'anthropic-workspace-id': options.workspaceId } } : {}),
  });
  return {
    async *listSince(since: string) {
      // Lists cannot filter by environment (DESIGN §12): page by created_at and let the caller filter.
      const pages = client.beta.sessions.list({
        'created_at[gte]': since,
        include_archived: true,
        order: 'asc',
        limit: 1000,
      });
      try {
        for await (const s of pages) {
          yield { id: s.id, environment_id: s.environment_id, created_at: s.created_at };
        }
      } catch (e) {
        throw toApiError(e, 'list sessions');
      }
    },
  };
}
