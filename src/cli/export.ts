// `envsync export`: write live environments as environment files (managed ones, or with --include-unmanaged all).

import path from 'node:path';
import { exportEnvironments } from '../workflow/export.js';
import { type ActionFactory, type Ctx, errorHeadline, type Program, plural } from './context.js';
import type { OptsOf } from './options.js';
import { cliReporter } from './reporter.js';
import { connectFrom, projectFor } from './shared.js';

async function runExport(ctx: Ctx, opts: ExportOptions): Promise<number> {
  const project = projectFor(ctx, 'api');
  const out = opts.out ?? (path.relative(ctx.io.cwd, project.dirs[0] ?? 'environments') || '.');
  const conn = await connectFrom(ctx, project, cliReporter(ctx), undefined);
  let result: Awaited<ReturnType<typeof exportEnvironments>>;
  try {
    result = await exportEnvironments(conn.api, {
      outDir: path.resolve(ctx.io.cwd, out),
      projectRoot: ctx.io.cwd,
      includeUnmanaged: opts.includeUnmanaged === true,
      // Export reads no changelog: only this project's own tag counts as managed.
      owner: { project: project.project, recorded: () => false },
    });
  } finally {
    await conn.close();
  }
  const { err } = ctx;
  if (result.existing.length > 0) {
    const list = result.existing.map((f) => `  - ${f}`).join('\n');
    ctx.io.stderr.write(
      `${errorHeadline(err, 'export_would_overwrite', `${plural(result.existing.length, 'file')} already ${result.existing.length === 1 ? 'exists' : 'exist'}; nothing was written`)}\n${list}\n  ${err.cyan('hint')}: export never overwrites: move them away, or pass --out DIR for an empty folder\n`,
    );
    return 1;
  }
  for (const s of result.skipped) {
    ctx.io.stderr.write(`${err.yellow('warning')}: skipped ${s.name} (${s.env_id}): ${s.reason}\n`);
  }
  for (const f of result.files) {
    ctx.io.stdout.write(`${f.shown}  ${f.name} (${f.env_id}${f.managed ? '' : ', unmanaged'})\n`);
  }
  const skipped = result.skipped.length > 0 ? `; skipped ${result.skipped.length}` : '';
  ctx.io.stdout.write(`Exported ${plural(result.files.length, 'environment')} to ${out}${skipped}.\n`);
  if (!ctx.global.quiet) {
    if (result.unmanagedLeftOut > 0) {
      ctx.io.stderr.write(
        `${plural(result.unmanagedLeftOut, 'unmanaged environment')} left out; add --include-unmanaged to export ${result.unmanagedLeftOut === 1 ? 'it' : 'them'} too.\n`,
      );
    }
    if (result.files.some((f) => !f.managed)) {
      const changelog = path.relative(ctx.io.cwd, project.changelogPath);
      ctx.io.stderr.write(
        `Next: envsync validate ${out}, then envsync plan ${out} --adopt; apply --adopt records the take-over in ${changelog}.\n`,
      );
    }
  }
  return 0;
}

function declareExport(program: Program) {
  return program
    .command('export')
    .description('write live environments as environment files (never overwrites a file)')
    .option('--out <dir>', "folder to write the files to (default: the project's first dir)")
    .option('--include-unmanaged', 'also export environments envsync does not manage (to adopt them)');
}
type ExportOptions = OptsOf<ReturnType<typeof declareExport>>;

export function registerExport(program: Program, action: ActionFactory): void {
  declareExport(program).action(action(runExport));
}
