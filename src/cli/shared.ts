// What plan, apply and status share at the CLI edge: flags to options, connecting, printing bad input.

import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import type { RateLimit } from '../api/rate-limit.js';
import { actorFrom, gitCommit, gitDirty, type RunIdentity } from '../apply/context.js';
import { EnvsyncError } from '../errors.js';
import type { LiveView, Plan, Reporter } from '../model.js';
import { parsePlanFile } from '../plan/plan-file.js';
import { defaultChangelogPath, type ProjectContext, resolveProject } from '../project/context.js';
import { type Connection, connect } from '../workflow/connect.js';
import { type DesiredState, loadDesiredOrThrow, type PlanSettings, planOnly } from '../workflow/plan.js';
import { type Ctx, formatDiagnostics, plural, say, scopeHint } from './context.js';
import { cliReporter } from './reporter.js';

/** What the plan-shaping flags (options.ts addPlanFlags, plan's --target) parse to. */
export interface PlanFlags {
  adopt?: true | undefined;
  maxArchive: number;
  allowReferenced?: true | undefined;
  target?: string[] | undefined;
}

export function planSettings(opts: PlanFlags, project: ProjectContext): PlanSettings {
  return {
    project: project.project,
    workspace: project.workspace?.name ?? null,
    adopt: opts.adopt === true,
    maxArchive: opts.maxArchive,
    allowReferenced: opts.allowReferenced === true,
    targets: opts.target ?? [],
    planId: `plan_${randomUUID()}`,
    now: new Date(),
  };
}

/**
 * The project this command works in, from envsync.yaml found upwards from the cwd, the global flags and
 * the command's DIR. `needs: 'api'` stops without a project file unless --local.
 */
export function projectFor(ctx: Ctx, needs: 'api' | 'files', dir?: string): ProjectContext {
  const project = resolveProject({
    cwd: ctx.io.cwd,
    local: ctx.global.local,
    workspace: ctx.global.workspace,
    changelog: ctx.global.changelog,
    dir,
    needs,
  });
  if (ctx.global.changelog) checkParentFolders(project.changelogPath, ctx.global.changelog);
  return project;
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
  return connect({
    project,
    baseUrl: ctx.global.baseUrl,
    env: ctx.io.env,
    reporter,
    rateLimit,
    timeoutMs: ctx.global.timeoutMs,
    redactor: ctx.redactor,
  });
}

/** Who and what a run that writes the changelog records: the actor, the git commit (and whether the files differ), where. */
export function runIdentity(ctx: Ctx, project: ProjectContext, target: string): Omit<RunIdentity, 'plan_id'> {
  return {
    actor: actorFrom(ctx.io.env),
    git_commit: gitCommit(project.root),
    git_dirty: gitDirty(project.root, project.dirs),
    target,
    workspace: project.workspace?.name ?? null,
  };
}

/** The changelog of this project and workspace (or --changelog, checked). Needs no connection. */
export function changelogPath(ctx: Ctx): string {
  return projectFor(ctx, 'files').changelogPath;
}

/** The plan as shown to this user: its hints carry the --local and --workspace this run used. */
export function scopedPlan(ctx: Ctx, plan: Plan): Plan {
  return { ...plan, blocked: plan.blocked.map((b) => ({ ...b, hint: scopeHint(ctx, b.hint) })) };
}

/**
 * When a read-only command finds nothing in the real changelog but a `--local` walkthrough left one, say
 * where the answer is; null otherwise.
 */
export function localChangelogHint(ctx: Ctx, project: ProjectContext): string | null {
  if (ctx.global.local || ctx.global.changelog) return null;
  const local = defaultChangelogPath(project.root, true, project.workspace?.name ?? null);
  if (!existsSync(local) && !existsSync(`${local}.jsonl`)) return null;
  return `runs with --local keep their own changelog (${path.relative(ctx.io.cwd, local) || local}): add --local`;
}

/** Which project and workspace a command describes, for people (stderr); nothing without a project file. */
export function sayScope(ctx: Ctx, project: ProjectContext): void {
  if (project.file === null && project.workspace === null) return;
  const ws = project.workspace ? `, workspace ${project.workspace.name}` : '';
  say(ctx, ctx.err.dim(`Project ${project.project}${ws}${project.local ? ' (local API)' : ''}`));
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
      hint: '--changelog takes the changelog directory of run files (missing folders are created)',
    });
  }
}

/**
 * DIR names a folder of environment files; a file there is a habit from other tools (`terraform apply
 * FILE.plan`, `terraform show FILE`): refused before anything runs, with what does that job here.
 */
export function refuseFileAsDir(ctx: Ctx, dir: string | undefined, instead: (file: string) => string): void {
  if (dir === undefined) return;
  const file = path.resolve(ctx.io.cwd, dir);
  if (!existsSync(file) || !statSync(file).isFile()) return;
  const yaml = /\.ya?ml$/i.test(dir);
  throw new EnvsyncError('not_a_dir', `${dir} is a file, not a directory of environment files`, {
    hint: yaml ? `pass the folder that holds it (${path.dirname(dir) || '.'})` : instead(dir),
  });
}

/** A plan saved by `plan --out`, read and checked (apply runs it; show draws it). */
export function readSavedPlan(ctx: Ctx, file: string): Plan {
  let text: string;
  try {
    text = readFileSync(path.resolve(ctx.io.cwd, file), 'utf8');
  } catch {
    throw new EnvsyncError('no_plan_file', `cannot read the plan file ${file}`, {
      hint: 'make one with `envsync plan --out FILE`',
    });
  }
  return parsePlanFile(text, file);
}

/** The warnings plan and apply found in the files, each shown as validate shows it (up to a few). */
export function warnAboutWarnings(ctx: Ctx, desired: DesiredState): void {
  const warnings = desired.diagnostics.filter((d) => d.severity === 'warning');
  if (warnings.length === 0 || ctx.global.quiet) return;
  const shown = warnings.slice(0, MAX_WARNINGS_SHOWN);
  const more = warnings.length - shown.length;
  ctx.io.stderr.write(
    `${formatDiagnostics(shown, ctx.err)}\n${more > 0 ? `…and ${plural(more, 'more warning')}: run \`envsync validate\` for all.\n` : ''}`,
  );
}

const MAX_WARNINGS_SHOWN = 10;

/** The project's files, checked against its policies; any error stops here, before any API call. */
export function loadProjectFiles(project: ProjectContext): DesiredState {
  // Paths relative to the project root, wherever the command runs: they are recorded as each change's
  // source, and which file applied which ID must read the same from every folder.
  return loadDesiredOrThrow(project.dirs, project.root, project.policies);
}

/** What plan and status share: load the files (bad input stops here), list once, plan; nothing written. */
export async function planFiles(
  ctx: Ctx,
  dir: string | undefined,
  flags: PlanFlags,
): Promise<{ plan: Plan; desired: DesiredState; live: LiveView }> {
  const project = projectFor(ctx, 'api', dir);
  const desired = loadProjectFiles(project);
  warnAboutWarnings(ctx, desired);
  sayScope(ctx, project);
  const settings = planSettings(flags, project);
  const reporter = cliReporter(ctx);
  const conn = await connectFrom(ctx, project, reporter, undefined);
  try {
    const { plan, live } = await planOnly(desired, {
      api: conn.api,
      changelogPath: project.changelogPath,
      reporter,
      settings,
    });
    return { plan, desired, live };
  } finally {
    await conn.close();
  }
}
