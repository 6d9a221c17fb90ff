// What plan, apply and status share at the CLI edge: flags to options, connecting, printing bad input.

import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { type Command, InvalidArgumentError, Option } from 'commander';
import { parseRateLimit, type RateLimit } from '../api/rate-limit.js';
import { EnvsyncError } from '../errors.js';
import type { Plan, Reporter } from '../model.js';
import { type Connection, connect, defaultChangelogPath } from '../workflow/connect.js';
import { type DesiredState, loadDesiredOrThrow, type PlanSettings, planOnly } from '../workflow/session.js';
import { type Ctx, plural } from './context.js';
import { cliReporter } from './reporter.js';

export function intOption(flag: string, description: string, fallback: number, min: number): Option {
  return new Option(flag, description).default(fallback).argParser((v: string) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < min) throw new InvalidArgumentError(`expected a whole number ≥ ${min}`);
    return n;
  });
}

export function rateLimitOption(): Option {
  return new Option(
    '--rate-limit <writes,reads>',
    'requests per minute (default: 60,600 for the Anthropic API, none elsewhere)',
  ).argParser((v: string) => {
    const limit = parseRateLimit(v);
    if (!limit) throw new InvalidArgumentError('expected WRITES,READS per minute, e.g. 60,600');
    return limit;
  });
}

export function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** The plan-shaping flags shared by plan and apply. */
export function addPlanFlags(command: Command): Command {
  return command
    .option('--adopt', 'take over unmanaged environments whose names the files claim')
    .addOption(intOption('--max-archive <n>', 'refuse to archive more than N environments', 5, 0));
}

export function planSettings(opts: Record<string, unknown>): PlanSettings {
  return {
    adopt: Boolean(opts.adopt),
    maxArchive: opts.maxArchive as number,
    targets: (opts.target as string[] | undefined) ?? [],
    planId: `plan_${randomUUID()}`,
    now: new Date(),
  };
}

export async function connectFrom(
  ctx: Ctx,
  reporter: Reporter,
  rateLimit: RateLimit | undefined,
): Promise<Connection> {
  if (ctx.global.local && ctx.global.baseUrl) {
    throw new EnvsyncError('conflicting_flags', '--local and --base-url cannot be used together', {
      hint: '--local starts its own API; drop one of them',
    });
  }
  return connect({
    local: ctx.global.local,
    baseUrl: ctx.global.baseUrl,
    env: ctx.io.env,
    cwd: ctx.io.cwd,
    reporter,
    rateLimit,
  });
}

/** --changelog if given, else the default for --local or a real API. Needs no connection. */
export function changelogPath(ctx: Ctx): string {
  return ctx.global.changelog
    ? path.resolve(ctx.io.cwd, ctx.global.changelog)
    : defaultChangelogPath(ctx.global.local, ctx.io.cwd);
}

export function warnAboutWarnings(ctx: Ctx, desired: DesiredState): void {
  const warnings = desired.diagnostics.filter((d) => d.severity === 'warning').length;
  if (warnings > 0 && !ctx.global.quiet) {
    ctx.io.stderr.write(
      `${ctx.err.yellow('warning')}: ${plural(warnings, 'warning')} in the environment files (run envsync validate)\n`,
    );
  }
}

/** What plan and status share: load the files (bad input stops here), list once, plan; nothing written. */
export async function planFiles(
  ctx: Ctx,
  dir: string,
  settings: PlanSettings,
): Promise<{ plan: Plan; desired: DesiredState }> {
  const desired = loadDesiredOrThrow(path.resolve(ctx.io.cwd, dir), ctx.io.cwd);
  warnAboutWarnings(ctx, desired);
  const reporter = cliReporter(ctx);
  const conn = await connectFrom(ctx, reporter, undefined);
  try {
    const { plan } = await planOnly(desired, {
      api: conn.api,
      changelogPath: changelogPath(ctx),
      reporter,
      settings,
    });
    return { plan, desired };
  } finally {
    await conn.close();
  }
}
