// `envsync init [DIR]`: scaffold a project; never overwrites a file.

import { initProject } from '../scaffold/init.js';
import type { ActionFactory, Ctx, Program } from './context.js';

async function runInit(ctx: Ctx, dir: string): Promise<number> {
  const { created, skipped } = initProject(ctx.io.cwd, dir);
  const p = ctx.out;
  for (const f of created) ctx.io.stdout.write(`${p.green('created')}  ${f}\n`);
  for (const f of skipped) ctx.io.stdout.write(`${p.dim('exists ')}  ${f} (left as it is)\n`);
  ctx.io.stdout.write(
    `\nNext: edit ${dir}/example.yaml, then \`envsync validate ${dir}\` and \`envsync plan ${dir} --local\`.\n`,
  );
  return 0;
}

export function registerInit(program: Program, action: ActionFactory): void {
  program
    .command('init')
    .description('scaffold a directory of environment files with a commented example')
    .argument('[dir]', 'directory to create', 'environments')
    .action(action(runInit));
}
