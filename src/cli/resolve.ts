// `envsync resolve NAME --at TIME`: which env ID and config served a name at a time, from the changelog.

import { readHistory } from '../changelog/cache.js';
import { parseQueryTime, resolveAt } from '../changelog/query.js';
import { renderResolution } from '../changelog/render.js';
import { changelogLocation } from '../changelog/store.js';
import type { ActionFactory, Ctx, Program } from './context.js';
import { formatOption, type OptsOf } from './options.js';
import { changelogPath } from './shared.js';
import { warnAboutProblems } from './verify.js';

async function runResolve(ctx: Ctx, name: string, opts: ResolveOptions): Promise<number> {
  const time = parseQueryTime(opts.at);
  const file = readHistory(changelogLocation(changelogPath(ctx)));
  warnAboutProblems(ctx, file.problems);
  const r = resolveAt(file.entries, name, time);
  if (opts.format === 'json') {
    const s = r.since;
    const doc = {
      format_version: 1,
      name: r.name,
      at: r.at.toISOString(),
      day: r.day,
      env_id: r.env_id,
      config_hash: r.config_hash,
      since: { seq: s.seq, at: s.at, op: s.op, actor: s.actor, git_commit: s.git_commit, plan_id: s.plan_id },
      during: r.day ? r.during.map((step) => ({ ...step.entry, changes: step.changes })) : null,
    };
    ctx.io.stdout.write(`${JSON.stringify(doc, null, 2)}\n`);
    return 0;
  }
  ctx.io.stdout.write(`${renderResolution(r, ctx.out)}\n`);
  return 0;
}

function declareResolve(program: Program) {
  return program
    .command('resolve')
    .description('which env ID and config hash served NAME at a time, from the changelog')
    .argument('<name>', 'environment name')
    .requiredOption(
      '--at <time>',
      'RFC 3339 time with a zone, or YYYY-MM-DD: the state at the end of that day (UTC), plus that day’s changes',
    )
    .addOption(formatOption(['text', 'json'], 'text'));
}
type ResolveOptions = OptsOf<ReturnType<typeof declareResolve>>;

export function registerResolve(program: Program, action: ActionFactory): void {
  declareResolve(program).action(action(runResolve));
}
