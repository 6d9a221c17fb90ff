// `envsync emulator`: serve the local Environments API on 127.0.0.1 until SIGINT or SIGTERM.

import { existsSync } from 'node:fs';
import path from 'node:path';
import { Option } from '@commander-js/extra-typings';
import type { EmulatorOptions } from '../emulator/index.js';
import { startEmulator } from '../emulator/index.js';
import { osvUrl, registryUrls, startRegistries } from '../emulator/registries.js';
import { EnvsyncError } from '../errors.js';
import { parseRateLimit } from '../util/rate-limit.js';
import { type Ctx, say } from './context.js';
import { defineCommand, type OptionsOf, type Subject } from './define.js';

export const DEFAULT_EMULATOR_PORT = 4010;

function badFlag(flag: string, value: unknown, expected: string, hint: string): EnvsyncError {
  return new EnvsyncError('invalid_flag', `${flag}: ${expected}, got ${JSON.stringify(value)}`, { hint });
}

function integer(flag: string, raw: string, min: number, max: number, hint: string): number {
  const n = /^-?[0-9]+$/.test(raw.trim()) ? Number(raw) : Number.NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    throw badFlag(flag, raw, `expected a whole number from ${min} to ${max}`, hint);
  }
  return n;
}

function fraction(flag: string, raw: string): number {
  const n = /^[0-9]*\.?[0-9]+$/.test(raw.trim()) ? Number(raw) : Number.NaN;
  if (!(n >= 0 && n <= 1)) {
    throw badFlag(flag, raw, 'expected a rate from 0 to 1', `e.g. ${flag} 0.1 for one request in ten`);
  }
  return n;
}

/** Turns the command's raw flag strings into emulator options; every bad value is an error with a hint. */
export function emulatorOptions(opts: EmulatorFlags): EmulatorOptions {
  const out: EmulatorOptions = {};
  out.port = integer('--port', opts.port, 0, 65535, 'use --port 0 to pick a free port');
  const state = opts.state;
  if (state !== undefined) out.statePath = state;
  const apiKey = opts.apiKey;
  if (apiKey !== undefined) {
    if (apiKey === '')
      throw badFlag('--api-key', apiKey, 'expected a key', 'leave the flag out to accept any key');
    out.apiKey = apiKey;
  }
  const latency = opts.latency;
  if (latency !== undefined) {
    out.latencyMs = integer(
      '--latency',
      latency,
      0,
      600_000,
      'milliseconds added to every request, e.g. --latency 50',
    );
  }
  const seed = opts.seed;
  if (seed !== undefined) {
    out.seed = integer('--seed', seed, 0, Number.MAX_SAFE_INTEGER, 'any whole number, e.g. --seed 42');
  }
  const rate = opts.rateLimit;
  if (rate !== undefined) {
    // The same parser as apply's --rate-limit: one syntax for one flag name.
    const limit = parseRateLimit(rate);
    if (!limit) {
      throw badFlag(
        '--rate-limit',
        rate,
        'expected WRITES,READS per minute, both above 0',
        'the Anthropic API allows --rate-limit 60,600',
      );
    }
    out.rateLimit = limit;
  }
  const failRate = opts.failRate;
  if (failRate !== undefined) out.failRate = fraction('--fail-rate', failRate);
  const dropRate = opts.dropRate;
  if (dropRate !== undefined) out.dropRate = fraction('--drop-rate', dropRate);
  const scope = opts.nameScope;
  if (scope !== 'all' && scope !== 'active') {
    throw badFlag(
      '--name-scope',
      scope,
      'expected "all" or "active"',
      '"all" (the default) keeps names of archived environments taken, like the API',
    );
  }
  out.nameScope = scope;
  return out;
}

/** Resolves on the first SIGINT or SIGTERM. */
function untilSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const on = (signal: NodeJS.Signals) => {
      process.off('SIGINT', on);
      process.off('SIGTERM', on);
      resolve(signal);
    };
    process.once('SIGINT', on);
    process.once('SIGTERM', on);
  });
}

/** Serves until `until` resolves (by default: the first SIGINT or SIGTERM), then closes cleanly. */
export async function runEmulator(
  ctx: Ctx,
  options: EmulatorOptions,
  until: () => Promise<unknown> = untilSignal,
  registries?: { root: string; port: number },
): Promise<number> {
  const emulator = await startEmulator(options);
  const local = registries ? await startRegistries(registries) : undefined;
  const stop = until();
  // The first stdout line is a contract: scripts and tests read the URL from it.
  ctx.io.stdout.write(`listening on ${emulator.url}\n`);
  if (local) {
    // The second says where the registries are; stderr shows the block for envsync.yaml.
    ctx.io.stdout.write(`registries on ${local.url}\n`);
    const urls = Object.entries({ ...registryUrls(local.url), osv: osvUrl(local.url) }).map(
      ([m, url]) => `  ${m}: ${url}`,
    );
    say(
      ctx,
      `envsync emulator: package registries from ${registries?.root}; in envsync.yaml:\nregistries:\n${urls.join('\n')}`,
    );
  }
  const notes = [
    options.statePath ? `state in ${options.statePath}` : 'state in memory only',
    options.rateLimit
      ? `rate limit ${options.rateLimit.writesPerMinute} writes, ${options.rateLimit.readsPerMinute} reads per minute`
      : 'no rate limit',
  ];
  say(ctx, `envsync emulator: ${notes.join('; ')}; stop with Ctrl-C`);
  await stop;
  await local?.close();
  await emulator.close();
  say(ctx, 'envsync emulator: stopped');
  return 0;
}

function declare(c: Subject) {
  return (
    c
      // The raw string is parsed by emulatorOptions; help shows the default as the number it is.
      .addOption(
        new Option('--port <n>', 'port to listen on; 0 picks a free one').default(
          String(DEFAULT_EMULATOR_PORT),
          String(DEFAULT_EMULATOR_PORT),
        ),
      )
      .option(
        '--state <file>',
        "persist every workspace's environments, agents, sessions and deployments to this file (default: memory only)",
      )
      .option('--api-key <key>', 'accept only this API key (default: any non-empty key)')
      .option('--latency <ms>', 'milliseconds added before handling each request')
      .option('--seed <n>', 'make generated ids and injected faults reproducible')
      .option('--rate-limit <w,r>', 'writes,reads allowed per minute; beyond: 429 with retry-after')
      .option('--fail-rate <r>', 'share of requests (0..1) answered 500 or 529 without doing anything')
      .option('--drop-rate <r>', 'share of writes (0..1) committed, then answered by closing the connection')
      .option('--name-scope <scope>', 'names unique across "all" environments or only "active" ones', 'all')
      .option(
        '--registries <dir>',
        'also serve local package registries (PyPI, npm, crates, RubyGems, Go proxy, apt) from this fixture folder',
      )
      .option('--registries-port <n>', 'port for the local registries; 0 picks a free one', '0')
  );
}
/** The emulator's flags as commander parses them: raw strings, checked by emulatorOptions. */
export type EmulatorFlags = OptionsOf<typeof declare>;

export default defineCommand({
  name: 'emulator',
  description: 'serve a local Environments API on 127.0.0.1 (for tests, demos and --local)',
  examples: [
    'envsync emulator --port 4010 --state /tmp/emu.json',
    'envsync emulator --registries test/fixtures/registries   # local package registries too',
    'ANTHROPIC_BASE_URL=http://127.0.0.1:4010 ANTHROPIC_API_KEY=any envsync plan',
  ],
  declare,
  handler: async (ctx, opts) => {
    const root = opts.registries;
    const registries =
      root === undefined
        ? undefined
        : {
            root: path.resolve(ctx.io.cwd, root),
            port: integer('--registries-port', opts.registriesPort, 0, 65535, 'use 0 to pick a free port'),
          };
    if (registries && !existsSync(registries.root))
      throw badFlag(
        '--registries',
        root,
        'expected a folder of registry fixtures',
        'e.g. test/fixtures/registries',
      );
    return runEmulator(ctx, emulatorOptions(opts), undefined, registries);
  },
});
