// The embedded local Environments API: startEmulator() and the types callers need.

import { mkdir } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import path from 'node:path';
import { EnvsyncError } from '../errors.js';
import { Faults } from './faults.js';
import {
  checkOptions,
  type EmulatorOptions,
  type EmulatorSettings,
  type RunningEmulator,
} from './options.js';
import { GroupCommit, readState, removeStaleTemps, writeFileAtomic } from './persist.js';
import { RateLimiter } from './rate-limit.js';
import { createRng, randomBase62 } from './rng.js';
import { handleRequest, StatsCounter } from './server.js';
import { type WorkspaceOptions, Workspaces } from './workspace.js';

export type { EmulatorOptions, EmulatorStats, RunningEmulator } from './options.js';
export type { RateLimits } from './rate-limit.js';
export { EMULATOR_ORGANIZATION_ID } from './server.js';
export type { NameScope } from './store.js';
export { DEFAULT_WORKSPACE } from './workspace.js';

/** Independent PRNG streams, so one purpose drawing more numbers never shifts another's sequence. */
const STREAM = { ids: 1, faults: 2, requestIds: 3 } as const;

async function openWorkspaces(settings: EmulatorSettings, options: WorkspaceOptions): Promise<Workspaces> {
  const file = settings.statePath;
  if (file === undefined) return new Workspaces(options);
  await removeStaleTemps(file);
  const text = await readState(file);
  if (text !== null) return Workspaces.deserialize(text, file, options);
  // Write the empty state now: a path that cannot be written fails at start, not on the first create.
  const workspaces = new Workspaces(options);
  try {
    await mkdir(path.dirname(file), { recursive: true });
    await writeFileAtomic(file, workspaces.serialize());
  } catch (e) {
    throw new EnvsyncError('emulator_state_unwritable', `cannot write the emulator state file ${file}`, {
      cause: e,
      hint: `check that ${path.dirname(file)} is a writable directory`,
    });
  }
  return workspaces;
}

function listen(server: Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (e: NodeJS.ErrnoException) => {
      reject(
        new EnvsyncError('emulator_listen_failed', `cannot listen on 127.0.0.1:${port}: ${e.message}`, {
          cause: e,
          hint:
            e.code === 'EADDRINUSE'
              ? 'the port is taken; pick another one, or 0 for any free port'
              : undefined,
        }),
      );
    };
    server.once('error', onError);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', onError);
      const address = server.address();
      resolve(typeof address === 'object' && address ? address.port : port);
    });
  });
}

export async function startEmulator(options: EmulatorOptions = {}): Promise<RunningEmulator> {
  const settings = checkOptions(options);
  const ids = createRng(settings.seed, STREAM.ids);
  const requestIds = createRng(settings.seed, STREAM.requestIds);
  const workspaces = await openWorkspaces(settings, {
    nameScope: settings.nameScope,
    newId: (prefix) => `${prefix}_${randomBase62(ids, 24)}`,
    now: settings.clock,
  });
  const statePath = settings.statePath;
  const persister =
    statePath === undefined
      ? undefined
      : new GroupCommit(
          () => workspaces.serialize(),
          (text) => writeFileAtomic(statePath, text),
        );
  const stats = new StatsCounter();
  const deps = {
    workspaces,
    commit: () => persister?.commit() ?? Promise.resolve(),
    apiKey: settings.apiKey,
    latencyMs: settings.latencyMs,
    faults: new Faults(createRng(settings.seed, STREAM.faults), settings.failRate, settings.dropRate),
    limiter: settings.rateLimit && new RateLimiter(settings.rateLimit, settings.rateWindowMs, settings.clock),
    stats,
    requestId: () => `req_${randomBase62(requestIds, 24)}`,
  };

  const inFlight = new Set<Promise<void>>();
  const server = createServer((req, res) => {
    const done = handleRequest(deps, req, res)
      // Nothing should reach here; if something does, a reset beats a hung client or a crashed server.
      .catch(() => {
        res.destroy();
      })
      .finally(() => inFlight.delete(done));
    inFlight.add(done);
  });
  const port = await listen(server, settings.port);

  let closing: Promise<void> | undefined;
  const close = async () => {
    const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    await Promise.allSettled([...inFlight]);
    server.closeAllConnections();
    await stopped;
    await persister?.idle();
  };
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    stats: () => stats.snapshot(),
    resetStats: () => stats.reset(),
    close: () => {
      closing ??= close();
      return closing;
    },
  };
}
