// What plan, apply and status share at the CLI edge: flags to options, connecting, printing bad input.

import { randomUUID } from 'node:crypto';
import { type Command, InvalidArgumentError, Option } from 'commander';
import { parseRateLimit, type RateLimit } from '../api/rate-limit.js';
import { EnvsyncError } from '../errors.js';
import type { Plan, Reporter } from '../model.js';
import { type ProjectContext, resolveProject } from '../project/context.js';
import { type Connection, connect } from '../workflow/connect.js';
import { type DesiredState, loadDesiredOrThrow, type PlanSettings, planOnly } from '../workflow/session.js';
import { type Ctx, plural, say } from './context.js';
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

export function planSettings(opts: Record<string, unknown>, project: ProjectContext): PlanSettings {
  return {
    project: project.project,
    workspace: project.workspace?.name ?? null,
    adopt: Boolean(opts.adopt),
    maxArchive: opts.maxArchive as number,
    targets: (opts.target as string[] | undefined) ?? [],
    planId: `plan_${randomUUID()}`,
    now: new Date(),
  };
}

/**
 * The project this command works in, from envsync.yaml found upwards from the cwd, the global flags and
 * the command's DIR. `needs: 'api'` stops without a project file unless --local.
 */
export function projectFor(ctx: Ctx, needs: 'api' | 'files', dir?: string): ProjectContext {
  return resolveProject({
    cwd: ctx.io.cwd,
    local: ctx.global.local,
    workspace: ctx.global.workspace,
    changelog: ctx.global.changelog,
    dir,
    needs,
  });
}

export async function connectFrom(
  ctx: Ctx,
  project: ProjectContext,
  reporter: Reporter,
  rateLimit: RateLimit | undefined,
): Promise<Connection> {
  if (ctx.global.local && ctx.global.baseUrl) {
    throw new EnvsyncError('conflicting_flags', '--local and --base-url cannot be used together', {
      hint: '--local starts its own API; drop one of them',
    });
  }
  return connect({ project, baseUrl: ctx.global.baseUrl, env: ctx.io.env, reporter, rateLimit });
}

/** The changelog of this project and workspace (or --changelog). Needs no connection. */
export function changelogPath(ctx: Ctx): string {
  return projectFor(ctx, 'files').changelogPath;
}

/** Which project and workspace a command describes, for people (stderr); nothing when there is no project file. */
export function sayScope(ctx: Ctx, project: ProjectContext): void {
  if (project.file === null && project.workspace === null) return;
  const ws = project.workspace ? `, workspace ${project.workspace.name}` : '';
  say(ctx, ctx.err.dim(`Project ${project.project}${ws}${project.local ? ' (local API)' : ''}`));
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
  dir: string | undefined,
  opts: Record<string, unknown>,
): Promise<{ plan: Plan; desired: DesiredState }> {
  const project = projectFor(ctx, 'api', dir);
  const desired = loadDesiredOrThrow(project.dirs, ctx.io.cwd);
  warnAboutWarnings(ctx, desired);
  sayScope(ctx, project);
  const settings = planSettings(opts, project);
  const reporter = cliReporter(ctx);
  const conn = await connectFrom(ctx, project, reporter, undefined);
  try {
    const { plan } = await planOnly(desired, {
      api: conn.api,
      changelogPath: project.changelogPath,
      reporter,
      settings,
    });
    return { plan, desired };
  } finally {
    await conn.close();
  }
}
