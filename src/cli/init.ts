// `envsync init [DIR]`: scaffold a project; never overwrites a file, and creates nothing inside an existing project.

import path from 'node:path';
import { EnvsyncError } from '../errors.js';
import { initProject } from '../workflow/init.js';
import { PROJECT_NAME } from '../workflow/project.js';
import type { Ctx } from './context.js';
import { defineCommand, type Subject } from './define.js';

async function runInit(ctx: Ctx, dir: string, opts: { project?: string | undefined }): Promise<number> {
  const project = opts.project;
  if (project !== undefined && !PROJECT_NAME.test(project)) {
    throw new EnvsyncError(
      'invalid_project_name',
      `--project ${JSON.stringify(project)} is not a valid project name`,
      {
        hint: 'use lower-case letters, digits, ".", "_" and "-", starting with a letter or digit (at most 63)',
      },
    );
  }
  const { created, skipped, existing } = initProject(ctx.io.cwd, dir, project);
  const p = ctx.out;
  if (existing !== null) {
    const shown = path.relative(ctx.io.cwd, existing) || existing;
    if (path.dirname(existing) !== path.resolve(ctx.io.cwd)) {
      throw new EnvsyncError('already_a_project', `this folder is inside the envsync project of ${shown}`, {
        hint: 'init creates nothing inside a project; run envsync from here to use that project, or run init outside it',
      });
    }
    ctx.io.stdout.write(
      `${p.dim('exists ')}  ${shown}: this is an envsync project already; init created nothing (a file added to a live project would be applied for real).\n`,
    );
    return 0;
  }
  for (const f of created) ctx.io.stdout.write(`${p.green('created')}  ${f}\n`);
  for (const f of skipped) ctx.io.stdout.write(`${p.dim('exists ')}  ${f} (left as it is)\n`);
  ctx.io.stdout.write(
    `\nNext: edit ${dir}/example.yaml, then \`npx envsync validate\` and \`npx envsync plan --local\`.\n`,
  );
  return 0;
}

export default defineCommand({
  name: 'init',
  description:
    'scaffold a project: envsync.yaml and a directory of environment files with a commented example',
  examples: ['envsync init', 'envsync init --project research-agents'],
  declare: (c: Subject) =>
    c
      .argument('[dir]', 'directory to create', 'environments')
      .option('--project <name>', 'the project name (default: the folder name, made valid)'),
  handler: runInit,
});
