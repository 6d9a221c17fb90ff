// `envsync sessions NAME [--since TIME]`: an environment's sessions, grouped by the config they ran on.

import { shortHash } from '../hash/config-hash.js';
import { escapeText } from '../text/escape.js';
import { type SessionsResult, sessionsOf } from '../workflow/audit.js';
import { type Ctx, plural } from './context.js';
import { defineCommand, type OptionsOf, type Subject } from './define.js';
import { formatOption } from './options.js';
import { warnAboutProblems } from './problems.js';
import { cliReporter } from './reporter.js';
import { connectFrom, projectFor, sayScope } from './shared.js';

async function runSessions(ctx: Ctx, name: string, opts: SessionsOptions): Promise<number> {
  const project = projectFor(ctx, 'api');
  sayScope(ctx, project);
  const conn = await connectFrom(ctx, project, cliReporter(ctx), undefined);
  let found: SessionsResult;
  try {
    found = await sessionsOf(project.changelogPath, conn.api, name, opts.since, new Date());
  } finally {
    await conn.close();
  }
  warnAboutProblems(ctx, found.problems, found.problemCount);
  const { since, sessions, groups, unplaced: unknown } = found;
  const ids = found.env_ids;
  if (opts.format === 'json') {
    const doc = {
      format_version: 1,
      name,
      since,
      env_ids: ids,
      groups,
      unplaced: unknown.map((s) => s.id),
    };
    ctx.io.stdout.write(`${JSON.stringify(doc, null, 2)}\n`);
    return 0;
  }
  const p = ctx.out;
  const lines = [`${p.bold(escapeText(name))}: ${plural(sessions.length, 'session')} since ${since}`];
  for (const g of groups) {
    lines.push(
      `  ${p.cyan(shortHash(g.config_hash))}  ${plural(g.count, 'session')}  ${g.first_at} … ${g.last_at}  on ${g.env_ids.join(', ')}`,
    );
    lines.push(
      p.dim(`    ${g.session_ids.slice(0, 10).join(' ')}${g.count > 10 ? ` and ${g.count - 10} more` : ''}`),
    );
  }
  if (unknown.length > 0)
    lines.push(`  ${plural(unknown.length, 'session')} before this changelog recorded a config`);
  ctx.io.stdout.write(`${lines.join('\n')}\n`);
  return 0;
}

function declare(c: Subject) {
  return c
    .argument('<name>', 'environment name')
    .option('--since <time>', "RFC 3339 time or YYYY-MM-DD (default: the name's first recorded change)")
    .addOption(formatOption(['text', 'json'], 'text'));
}
type SessionsOptions = OptionsOf<typeof declare>;

export default defineCommand({
  name: 'sessions',
  description: "an environment's sessions, grouped by the config (hash) each ran on, newest first",
  needs: ['api'],
  examples: [
    'envsync sessions data-analysis',
    'envsync sessions data-analysis --since 2026-10-01 --format json',
  ],
  declare,
  handler: runSessions,
});
