// What plan, apply and status share at the CLI edge: flags to options, connecting, printing bad input.

import { randomUUID } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { EnvsyncError, ValidationError } from '../errors.js';
import type { LiveView, LockNotes, Plan, Reporter } from '../model.js';
import type { RateLimit } from '../util/rate-limit.js';
import { type Connection, connect } from '../workflow/connect.js';
import { hasErrors } from '../workflow/files.js';
import { packageGate, refuseExpired } from '../workflow/gate.js';
import { runIdentity } from '../workflow/git.js';
import { applyProjectLock, checkProjectPackages } from '../workflow/lock.js';
import {
  type DesiredState,
  loadDesiredOrThrow,
  type PlanSettings,
  planOnly,
  readPlanFile,
} from '../workflow/plan.js';
import {
  allWorkspaces,
  defaultChangelogPath,
  type ProjectContext,
  resolveProject,
} from '../workflow/project.js';
import type { RunSetup } from '../workflow/run-setup.js';
import { type Ctx, plural, say, scopeHint } from './context.js';
import { registryRun } from './registries.js';
import { formatDiagnostics } from './render-errors.js';
import { cliReporter } from './reporter.js';

/** What the package flags of plan and apply (options.ts addPackageFlags) parse to. */
export interface PackageFlags {
  frozen?: true | undefined;
  offline?: true | undefined;
}

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
    findings: [],
    planId: `plan_${randomUUID()}`,
    now: new Date(),
  };
}

/**
 * The project this command works in, from envsync.yaml found upwards from the cwd, the global flags and
 * the command's DIR. `needs: 'api'` stops without a project file unless --local.
 */
/** Every workspace of the project file (the project itself when it defines none), for commands over files only. */
export function everyWorkspace(ctx: Ctx): ProjectContext[] {
  return allWorkspaces({
    cwd: ctx.io.cwd,
    local: ctx.global.local,
    changelog: undefined,
    dir: undefined,
    needs: 'files',
  });
}

/** The workspace `--workspace` names, or every workspace when it names none (lock, audit-packages). */
export function workspacesOf(ctx: Ctx): ProjectContext[] {
  return ctx.global.workspace !== undefined ? [projectFor(ctx, 'files')] : everyWorkspace(ctx);
}

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

/** Where a run goes and who makes it, for every command that writes one (apply, forget, import, preview). */
export function runSetup(
  ctx: Ctx,
  project: ProjectContext,
  conn: Connection,
  reporter: Reporter,
  lockTimeoutMs: number,
): RunSetup {
  return {
    api: conn.api,
    changelogPath: project.changelogPath,
    reporter,
    identity: runIdentity(ctx.io.env, project, conn.api.target),
    now: () => new Date(),
    project: project.project,
    lockTimeoutMs,
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
  return readPlanFile(path.resolve(ctx.io.cwd, file), file);
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

/**
 * The project's files, checked against its policies, with envsync.lock applied (exact versions; `frozen`
 * refuses a spec it does not cover); any error stops here, before any API call.
 */
export function loadProjectFiles(
  ctx: Ctx,
  project: ProjectContext,
  frozen = false,
): DesiredState & { locks: LockNotes } {
  // An accepted risk whose day has passed is bad input, like any other: refused before anything is asked.
  refuseExpired(project.policies, Date.now());
  // Paths relative to the project root, wherever the command runs: they are recorded as each change's
  // source, and which file applied which ID must read the same from every folder.
  return applyProjectLock(
    loadDesiredOrThrow(project.dirs, project.root, project.policies),
    project,
    ctx.io.cwd,
    frozen,
  );
}

/**
 * Plan's and apply's registry checks over the files (every pinned version exists and is not yanked, every
 * package exists); bad specs stop here with their places, before any API call. What it warns of joins the
 * files' own warnings.
 */
export async function checkRegistries(
  ctx: Ctx,
  project: ProjectContext,
  desired: DesiredState,
  offline: boolean,
): Promise<DesiredState> {
  const { diagnostics } = await checkProjectPackages([{ project, desired }], registryRun(ctx, offline));
  if (hasErrors(diagnostics)) throw new ValidationError(diagnostics, 'the package specs');
  return diagnostics.length === 0
    ? desired
    : { ...desired, diagnostics: [...desired.diagnostics, ...diagnostics] };
}

/** What plan and status share: load the files (bad input stops here), list once, plan; nothing written. */
export async function planFiles(
  ctx: Ctx,
  dir: string | undefined,
  flags: PlanFlags & PackageFlags,
  registries = true,
): Promise<{ plan: Plan; desired: DesiredState & { locks: LockNotes }; live: LiveView }> {
  const project = projectFor(ctx, 'api', dir);
  const locked = loadProjectFiles(ctx, project, flags.frozen === true);
  const settings = planSettings(flags, project);
  const reporter = cliReporter(ctx);
  // Connecting checks the base URL and the key, sending nothing: bad input stops before any request.
  const conn = await connectFrom(ctx, project, reporter, undefined);
  try {
    // status plans only to compare: checking the registries and OSV is plan's and apply's job.
    const checked = registries ? await checkRegistries(ctx, project, locked, flags.offline === true) : locked;
    const gate = registries
      ? await packageGate(project, checked, registryRun(ctx, flags.offline === true))
      : { findings: [], warnings: [] };
    const desired = {
      ...checked,
      diagnostics: [...checked.diagnostics, ...gate.warnings],
      locks: locked.locks,
    };
    warnAboutWarnings(ctx, desired);
    sayScope(ctx, project);
    const { plan, live } = await planOnly(desired, {
      api: conn.api,
      changelogPath: project.changelogPath,
      reporter,
      settings: { ...settings, findings: gate.findings },
    });
    return { plan, desired, live };
  } finally {
    await conn.close();
  }
}
