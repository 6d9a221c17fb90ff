// `envsync validate [DIR]`: check the environment files (offline unless --registries), every problem at once.

import type { Diagnostic, LoadResult } from '../model.js';
import { expiredEntries, hasErrors, loadDesired } from '../workflow/files.js';
import { allWorkspaces, type ProjectContext, resolveProject } from '../workflow/project.js';
import { type Ctx, plural } from './context.js';
import { defineCommand, type Subject } from './define.js';
import { formatOption } from './options.js';
import { registryRun } from './registries.js';
import { formatDiagnostics, githubAnnotations } from './render-errors.js';

export interface ValidateFlags {
  strict: boolean;
  format: 'text' | 'json';
  /** Check every package spec against its registry too (network, or the cache with --offline). */
  registries: boolean;
  offline: boolean;
}

/**
 * Without DIR in a project with workspaces, every workspace's set of dirs is checked (names must be unique
 * within each set); what several sets share is reported once.
 */
function loadAll(
  ctx: Ctx,
  dir: string | undefined,
  strict: boolean,
): LoadResult & { project: string | null; scopes: Array<{ project: ProjectContext; desired: LoadResult }> } {
  const base = {
    cwd: ctx.io.cwd,
    local: ctx.global.local,
    changelog: undefined,
    dir,
    needs: 'files' as const,
  };
  const scopes =
    ctx.global.workspace !== undefined
      ? [resolveProject({ ...base, workspace: ctx.global.workspace })]
      : allWorkspaces(base);
  const seen = new Set<string>();
  const first = scopes[0];
  // The project's name, when there is a project file: what tools (the GitHub Action) label results with.
  const out: LoadResult & { project: string | null } = {
    project: first && first.file !== null ? first.project : null,
    environments: [],
    declared: [],
    diagnostics: [],
    files: [],
  };
  const loaded: Array<{ project: ProjectContext; desired: LoadResult }> = [];
  const once = (key: string) => !seen.has(key) && Boolean(seen.add(key));
  for (const scope of scopes) {
    const r = loadDesired(scope.dirs, { cwd: ctx.io.cwd, strict, policies: scope.policies });
    loaded.push({ project: scope, desired: r });
    out.environments.push(...r.environments.filter((e) => once(`e ${e.source.file}:${e.source.line}`)));
    out.declared.push(...r.declared.filter((d) => once(`s ${d.file}:${d.line}:${d.column}`)));
    // An ignore or release-age exception whose day has passed: an error at its line, like plan's.
    const expired = expiredEntries(scope.policies, Date.now());
    out.diagnostics.push(
      ...[...expired, ...r.diagnostics].filter((d) => once(`d ${d.file}:${d.line}:${d.column} ${d.message}`)),
    );
    out.files.push(...r.files.filter((f) => once(`f ${f.file}`)));
  }
  return { ...out, scopes: loaded };
}

/** validate --registries: the registry checks of plan over every workspace, reported with the files' problems. */
async function registryDiagnostics(
  ctx: Ctx,
  loaded: ReturnType<typeof loadAll>,
  flags: ValidateFlags,
): Promise<Diagnostic[]> {
  // Files that do not validate are not worth a registry request.
  if (!flags.registries || hasErrors(loaded.diagnostics)) return [];
  // Loaded only for --registries: plain validate stays offline and small.
  const { checkProjectPackages } = await import('../workflow/lock.js');
  const { diagnostics } = await checkProjectPackages(loaded.scopes, registryRun(ctx, flags.offline));
  return flags.strict
    ? diagnostics.map((d) =>
        d.severity === 'warning' ? { ...d, severity: 'error', message: `${d.message} (--strict)` } : d,
      )
    : diagnostics;
}

export async function runValidate(ctx: Ctx, dir: string | undefined, flags: ValidateFlags): Promise<number> {
  const { io } = ctx;
  const loaded = loadAll(ctx, dir, flags.strict);
  const result: LoadResult = {
    ...loaded,
    diagnostics: [...loaded.diagnostics, ...(await registryDiagnostics(ctx, loaded, flags))],
  };
  const valid = !hasErrors(result.diagnostics);
  const errors = result.diagnostics.filter((d) => d.severity === 'error').length;
  const warnings = result.diagnostics.length - errors;
  const annotations = io.env.GITHUB_ACTIONS === 'true' && result.diagnostics.length > 0;
  if (flags.format === 'json') {
    const doc = {
      format_version: 1,
      project: loaded.project,
      valid,
      declared: result.declared.length,
      environments: result.environments.map((e) => ({
        name: e.name,
        file: e.source.file,
        line: e.source.line,
        config_hash: e.config_hash,
      })),
      diagnostics: result.diagnostics,
    };
    io.stdout.write(`${JSON.stringify(doc, null, 2)}\n`);
    if (annotations) io.stderr.write(`${githubAnnotations(result.diagnostics, io)}\n`);
    return valid ? 0 : 1;
  }
  const lines: string[] = [];
  if (result.diagnostics.length > 0) lines.push(formatDiagnostics(result.diagnostics, ctx.out), '');
  if (annotations) lines.push(githubAnnotations(result.diagnostics, io));
  // Every declared environment counts, valid or not: 4 files with one broken are "4 environments, 1 error".
  const summary = `${plural(result.declared.length, 'environment')}, ${plural(errors, 'error')}, ${plural(warnings, 'warning')}`;
  lines.push(valid ? ctx.out.green(summary) : ctx.out.red(summary));
  io.stdout.write(`${lines.join('\n')}\n`);
  return valid ? 0 : 1;
}

export default defineCommand({
  name: 'validate',
  description: 'check the environment files against the schema and the rules (offline, no API call)',
  needs: ['registries'],
  examples: ['envsync validate --strict', 'envsync validate --workspace production --format json'],
  exitCodes: '0 valid, 1 errors in the files (or, with --registries, in the package versions)',
  declare: (c: Subject) =>
    c
      .argument('[dir]', "directory of environment files (default: the project file's dirs)")
      .option('--strict', 'treat warnings as errors')
      .option('--registries', 'also check every package spec against its registry (the one network step)')
      .option('--offline', 'with --registries: use only the registry cache, and say what it could not check')
      .addOption(formatOption(['text', 'json'], 'text')),
  handler: (ctx, dir, opts) =>
    runValidate(ctx, dir, {
      strict: opts.strict === true,
      format: opts.format,
      registries: opts.registries === true,
      offline: opts.offline === true,
    }),
});
