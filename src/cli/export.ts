// `envsync export`: write live environments as new environment files (this project's, unmanaged ones, or both).

import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { EnvsyncError } from '../errors.js';
import { escapeText } from '../text/escape.js';
import { exportEnvironments } from '../workflow/export.js';
import { loadDesired } from '../workflow/files.js';
import { type Ctx, plural, say, scopedCommand } from './context.js';
import { defineCommand, type OptionsOf, type Subject } from './define.js';
import { cliReporter } from './reporter.js';
import { connectFrom, projectFor } from './shared.js';

/**
 * Every name the project's files already declare, with where — when the export goes into one of those
 * folders, where a second file for a name would make validate fail. Elsewhere (a review folder) nothing
 * is in the way.
 */
function declaredNames(dirs: readonly string[], outDir: string, cwd: string): Map<string, string> {
  const inside = (dir: string) => {
    const rel = path.relative(dir, outDir);
    return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
  };
  if (!dirs.some(inside)) return new Map();
  const existing = dirs.filter((d) => existsSync(d));
  if (existing.length === 0) return new Map();
  try {
    const { environments } = loadDesired(existing, { cwd, strict: false });
    return new Map(environments.map((e) => [e.name, `${e.source.file}:${e.source.line}`]));
  } catch (e) {
    // An empty folder declares nothing; anything else is worth stopping for.
    if (e instanceof EnvsyncError && e.code === 'no_files') return new Map();
    throw e;
  }
}

async function runExport(ctx: Ctx, opts: ExportOptions): Promise<number> {
  const project = projectFor(ctx, 'api');
  const out = opts.out ?? (path.relative(ctx.io.cwd, project.dirs[0] ?? 'environments') || '.');
  const outDir = path.resolve(ctx.io.cwd, out);
  const conn = await connectFrom(ctx, project, cliReporter(ctx), undefined);
  let result: Awaited<ReturnType<typeof exportEnvironments>>;
  try {
    result = await exportEnvironments(conn.api, {
      outDir,
      projectRoot: ctx.io.cwd,
      which: opts.onlyUnmanaged ? 'unmanaged' : opts.includeUnmanaged ? 'all' : 'managed',
      names: opts.name ?? [],
      declared: declaredNames(project.dirs, outDir, ctx.io.cwd),
      existingFiles: new Set(existsSync(outDir) ? readdirSync(outDir) : []),
      // Export reads no changelog: only this project's own tag counts as managed.
      owner: { project: project.project, recorded: () => false },
    });
  } finally {
    await conn.close();
  }
  const { err } = ctx;
  for (const name of result.unknownNames) {
    ctx.io.stderr.write(`${err.yellow('warning')}: --name ${name} matches no live environment\n`);
  }
  for (const s of result.skipped) {
    ctx.io.stderr.write(
      `${err.yellow('warning')}: skipped ${escapeText(s.name)} (${s.env_id}): ${escapeText(s.reason)}\n`,
    );
  }
  for (const f of result.files) {
    ctx.io.stdout.write(
      `${escapeText(f.shown)}  ${escapeText(f.name)} (${f.env_id}${f.managed ? '' : ', unmanaged'})\n`,
    );
  }
  const skipped = result.skipped.length > 0 ? `; skipped ${result.skipped.length}` : '';
  ctx.io.stdout.write(`Exported ${plural(result.files.length, 'environment')} to ${out}${skipped}.\n`);
  if (result.unmanagedLeftOut > 0) {
    say(
      ctx,
      `${plural(result.unmanagedLeftOut, 'unmanaged environment')} left out; ${scopedCommand(ctx, 'export --only-unmanaged')} exports ${result.unmanagedLeftOut === 1 ? 'it' : 'them'} for adoption.`,
    );
  }
  if (result.files.some((f) => !f.managed)) {
    const changelog = path.relative(ctx.io.cwd, project.changelogPath);
    say(
      ctx,
      `Next: ${scopedCommand(ctx, 'validate')}, then ${scopedCommand(ctx, 'plan --adopt')}; ${scopedCommand(ctx, 'apply --adopt')} records the take-over in ${changelog}.`,
    );
  }
  return 0;
}

function declare(c: Subject) {
  return c
    .option('--out <dir>', "folder to write the files to (default: the project's first dir)")
    .option('--only-unmanaged', 'export only environments no project manages (to adopt them)')
    .option('--include-unmanaged', "export this project's environments and unmanaged ones")
    .option(
      '--name <name>',
      'export only this environment (repeatable; default: every one)',
      (value: string, previous: string[] | undefined): string[] => [...(previous ?? []), value],
    );
}
type ExportOptions = OptionsOf<typeof declare>;

export default defineCommand({
  name: 'export',
  description:
    'write live environments as new environment files (never overwrites, never re-declares a name)',
  needs: ['api'],
  examples: [
    'envsync export                            # this project’s environments',
    'envsync export --only-unmanaged --name hand-made --out review',
  ],
  declare,
  conflicts: [
    {
      flag: 'onlyUnmanaged',
      with: ['includeUnmanaged'],
      hint: '--only-unmanaged exports just the environments to adopt; --include-unmanaged adds them to this project’s',
    },
  ],
  handler: runExport,
});
