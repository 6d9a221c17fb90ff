// `envsync sessions NAME [--since TIME]`: an environment's sessions, grouped by the config they ran on.

import { readHistory } from '../changelog/cache.js';
import { parseQueryTime } from '../changelog/query.js';
import { groupSessionsByConfig } from '../changelog/sessions.js';
import { changelogLocation } from '../changelog/store.js';
import { idsServing, recordedNames } from '../changelog/timeline.js';
import { closest } from '../config/suggest.js';
import { EnvsyncError } from '../errors.js';
import { shortHash } from '../hash/config-hash.js';
import type { SessionSummary } from '../model.js';
import { escapeText } from '../text/escape.js';
import { type ActionFactory, type Ctx, type Program, plural, say } from './context.js';
import { formatOption, type OptsOf } from './options.js';
import { cliReporter } from './reporter.js';
import { connectFrom, projectFor, sayScope } from './shared.js';
import { warnAboutProblems } from './verify.js';

/** How often a long scan says how far it got. */
const PROGRESS_EVERY = 1000;

async function runSessions(ctx: Ctx, name: string, opts: SessionsOptions): Promise<number> {
  const project = projectFor(ctx, 'api');
  sayScope(ctx, project);
  const history = readHistory(changelogLocation(project.changelogPath));
  warnAboutProblems(ctx, history.problems);
  const entries = history.entries;
  const ids = idsServing(entries, name);
  if (ids.size === 0) {
    const near = closest(name, recordedNames(entries));
    throw new EnvsyncError('unknown_name', `the changelog has no entries for ${name}`, {
      hint: near
        ? `did you mean ${near}?`
        : 'only environments this changelog recorded have sessions it can place',
    });
  }
  const first = entries.find((e) => e.env_id !== null && ids.has(e.env_id));
  const since = opts.since
    ? parseQueryTime(opts.since, new Date()).at.toISOString()
    : (first?.at ?? new Date(0).toISOString());
  const conn = await connectFrom(ctx, project, cliReporter(ctx), undefined);
  const sessions: SessionSummary[] = [];
  try {
    // Lists cannot filter by environment: page every session since then, keep this name's.
    let scanned = 0;
    for (const s of await conn.api.references.sessionsSince(since)) {
      scanned++;
      if (scanned % PROGRESS_EVERY === 0) say(ctx, ctx.err.dim(`scanned ${scanned} sessions…`));
      if (ids.has(s.environment_id)) sessions.push(s);
    }
  } finally {
    await conn.close();
  }
  const { groups, unknown } = groupSessionsByConfig(entries, ids, sessions);
  if (opts.format === 'json') {
    const doc = {
      format_version: 1,
      name,
      since,
      env_ids: [...ids],
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

function declareSessions(program: Program) {
  return program
    .command('sessions')
    .description("an environment's sessions, grouped by the config (hash) each ran on, newest first")
    .argument('<name>', 'environment name')
    .option('--since <time>', "RFC 3339 time or YYYY-MM-DD (default: the name's first recorded change)")
    .addOption(formatOption(['text', 'json'], 'text'));
}
type SessionsOptions = OptsOf<ReturnType<typeof declareSessions>>;

export function registerSessions(program: Program, action: ActionFactory): void {
  declareSessions(program).action(action(runSessions));
}
