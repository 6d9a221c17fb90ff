// Connects to an Environments API: the real one (key from ANTHROPIC_API_KEY) or the embedded local one (--local).

import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { DEFAULT_BASE_URL, isAnthropicApi } from '../api/base-url.js';
import { ANTHROPIC_RATE_LIMIT, type RateLimit } from '../api/rate-limit.js';
import type { EnvironmentsApi, Reporter } from '../model.js';

export const LOCAL_DIR = '.envsync/local';
export const DEFAULT_CHANGELOG = '.envsync/changelog.jsonl';

/** The changelog's default place: the local API keeps its own, so trying envsync never touches the real one. */
export function defaultChangelogPath(local: boolean, cwd: string): string {
  return path.join(cwd, local ? path.join(LOCAL_DIR, 'changelog.jsonl') : DEFAULT_CHANGELOG);
}

export interface ConnectOptions {
  local: boolean;
  baseUrl: string | undefined;
  env: Record<string, string | undefined>;
  cwd: string;
  reporter: Reporter;
  /** `--rate-limit`; absent: the documented limits for the Anthropic API, none elsewhere. */
  rateLimit: RateLimit | undefined;
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
  const dir = path.join(options.cwd, LOCAL_DIR);
  mkdirSync(dir, { recursive: true });
  // Local state is scratch: keep it out of git without asking the user to edit their .gitignore.
  writeFileSync(path.join(dir, '.gitignore'), '*\n');
  const emulator = await startEmulator({ port: 0, statePath: path.join(dir, 'state.json') });
  const api = createApiClient({
    baseUrl: emulator.url,
    apiKey: 'local-emulator-key',
    // The port changes every run; plans and the changelog name the local API by its place instead.
    target: `local:${LOCAL_DIR}`,
    rateLimit: options.rateLimit,
    reporter: options.reporter,
  });
  return { api, close: () => emulator.close() };
}

// The SDK and the emulator are loaded only by commands that talk to an API: `validate` starts faster.
export async function connect(options: ConnectOptions): Promise<Connection> {
  if (options.local) return connectLocal(options);
  const { createApiClient } = await import('../api/client.js');
  const baseUrl = options.baseUrl ?? options.env.ANTHROPIC_BASE_URL ?? DEFAULT_BASE_URL;
  const api = createApiClient({
    baseUrl,
    apiKey: options.env.ANTHROPIC_API_KEY,
    rateLimit: options.rateLimit ?? (isAnthropicApi(baseUrl) ? ANTHROPIC_RATE_LIMIT : undefined),
    reporter: options.reporter,
  });
  return { api, close: async () => {} };
}
