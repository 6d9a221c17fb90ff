// Connects to an Environments API: the real one (key from the workspace's variable) or the embedded local one (--local).

import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ANTHROPIC_RATE_LIMIT, DEFAULT_BASE_URL, isAnthropicApi } from '../api/base-url.js';
import type { EnvironmentsApi, Reporter } from '../model.js';
import { LOCAL_DIR, type ProjectContext } from '../project/context.js';
import type { Redactor } from '../text/redact.js';
import type { RateLimit } from '../util/rate-limit.js';

export interface ConnectOptions {
  project: ProjectContext;
  baseUrl: string | undefined;
  env: Record<string, string | undefined>;
  reporter: Reporter;
  /** `--rate-limit`; absent: the documented limits for the Anthropic API, none elsewhere. */
  rateLimit: RateLimit | undefined;
  /** `--timeout`; absent: 90 s. */
  timeoutMs?: number | undefined;
  /** Where the key is registered so nothing printed carries it. */
  redactor?: Redactor | undefined;
}

export interface Connection {
  api: EnvironmentsApi;
  close(): Promise<void>;
}

/** Starts the local API in-process with its state (and its own changelog) under .envsync/local/. */
async function connectLocal(options: ConnectOptions): Promise<Connection> {
  const [{ startEmulator }, { createApiClient }] = await Promise.all([
    import('../emulator/index.js'),
    import('../api/client.js'),
  ]);
  const dir = path.join(options.project.root, LOCAL_DIR);
  mkdirSync(dir, { recursive: true });
  // Local state is scratch: keep it out of git without asking the user to edit their .gitignore.
  writeFileSync(path.join(dir, '.gitignore'), '*\n');
  const emulator = await startEmulator({ port: 0, statePath: path.join(dir, 'state.json') });
  const api = createApiClient({
    baseUrl: emulator.url,
    apiKey: 'local-emulator-key',
    apiKeyEnv: options.project.apiKeyEnv,
    workspaceId: options.project.workspaceId,
    // The port changes every run; plans and the changelog name the local API by its place instead.
    target: `local:${LOCAL_DIR}`,
    rateLimit: options.rateLimit,
    reporter: options.reporter,
    timeoutMs: options.timeoutMs,
    ...(options.redactor ? { redactor: options.redactor } : {}),
  });
  return { api, close: () => emulator.close() };
}

/** The pacing a connection gets: `--rate-limit` if given, else the documented limits for the Anthropic API, none elsewhere. */
export function rateLimitFor(baseUrl: string, given: RateLimit | undefined): RateLimit | undefined {
  return given ?? (isAnthropicApi(baseUrl) ? ANTHROPIC_RATE_LIMIT : undefined);
}

// The SDK and the emulator are loaded only by commands that talk to an API: `validate` starts faster.
export async function connect(options: ConnectOptions): Promise<Connection> {
  if (options.project.local) return connectLocal(options);
  const { createApiClient } = await import('../api/client.js');
  const baseUrl = options.baseUrl ?? options.env.ANTHROPIC_BASE_URL ?? DEFAULT_BASE_URL;
  const api = createApiClient({
    baseUrl,
    apiKey: options.env[options.project.apiKeyEnv],
    apiKeyEnv: options.project.apiKeyEnv,
    workspaceId: options.project.workspaceId,
    rateLimit: rateLimitFor(baseUrl, options.rateLimit),
    reporter: options.reporter,
    timeoutMs: options.timeoutMs,
    ...(options.redactor ? { redactor: options.redactor } : {}),
  });
  return { api, close: async () => {} };
}
