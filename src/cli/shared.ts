// What plan, apply and status share at the CLI edge: flags to options, connecting, printing bad input.

import { randomUUID } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import type { RateLimit } from '../api/rate-limit.js';
import { EnvsyncError } from '../errors.js';
import type { Plan, Reporter } from '../model.js';
import { type Connection, connect, defaultChangelogPath } from '../workflow/connect.js';
import { type DesiredState, loadDesiredOrThrow, type PlanSettings, planOnly } from '../workflow/session.js';
import { type Ctx, plural } from './context.js';
import { cliReporter } from './reporter.js';

/** What the plan-shaping flags (options.ts addPlanFlags, plan's --target) parse to. */
export interface PlanFlags {
  adopt?: true | undefined;
  maxArchive: number;
  target?: string[] | undefined;
}

export function planSettings(opts: PlanFlags): PlanSettings {
  return {
    adopt: opts.adopt === true,
    maxArchive: opts.maxArchive,
    targets: opts.target ?? [],
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

/** --changelog if given (checked), else the default for --local or a real API. Needs no connection. */
export function changelogPath(ctx: Ctx): string {
  if (!ctx.global.changelog) return defaultChangelogPath(ctx.global.local, ctx.io.cwd);
  const file = path.resolve(ctx.io.cwd, ctx.global.changelog);
  checkParentFolders(file, ctx.global.changelog);
  return file;
}

/**
 * Missing folders are made when the changelog is first written, but a file where a folder must be would
 * only fail later, deep in a write, after the API may have changed: say so up front.
 */
function checkParentFolders(file: string, shown: string): void {
  for (let dir = path.dirname(file); dir !== path.dirname(dir); dir = path.dirname(dir)) {
    if (!existsSync(dir)) continue;
    if (statSync(dir).isDirectory()) return;
    throw new EnvsyncError('invalid_flag', `--changelog ${shown}: ${dir} is a file, not a folder`, {
      hint: '--changelog takes the path of a .jsonl file in a folder (missing folders are created)',
    });
  }
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
