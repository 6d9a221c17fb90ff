// `envsync resolve NAME --at TIME` / `resolve --session ID`: which env ID and config served a name at a time, or a session.

import { renderResolution } from '../changelog/render.js';
import { EnvsyncError } from '../errors.js';
import { escapeText } from '../text/escape.js';
import { resolveName, resolveSessionOf } from '../workflow/audit.js';
import { type Ctx, scopedCommandLine } from './context.js';
import { defineCommand, type OptionsOf, type Subject } from './define.js';
import { formatOption } from './options.js';
import { warnAboutProblems } from './problems.js';
import { cliReporter } from './reporter.js';
import { changelogPath, connectFrom, projectFor } from './shared.js';

/** `--session`: the session's env ID and start time, from the API; what that ID held then, from the changelog. */
async function resolveSessionCommand(ctx: Ctx, id: string, opts: ResolveOptions): Promise<number> {
  const project = projectFor(ctx, 'api');
  const conn = await connectFrom(ctx, project, cliReporter(ctx), undefined);
  let found: Awaited<ReturnType<typeof resolveSessionOf>>;
  try {
    found = await resolveSessionOf(project.changelogPath, conn.api, id);
  } finally {
    await conn.close();
  }
  warnAboutProblems(ctx, found.problems, found.problemCount);
  const { session, resolution: r } = found;
  if (opts.format === 'json') {
    const doc = {
      format_version: 1,
      session_id: session.id,
      created_at: session.created_at,
      env_id: r.env_id,
      name: r.name,
      config_hash: r.config_hash,
      config: r.config,
      source: r.source,
      git_commit: r.git_commit,
      changed_since: r.changed_since,
      since: { at: r.since.at, op: r.since.op, actor: r.since.actor, plan_id: r.since.plan_id },
    };
    ctx.io.stdout.write(`${JSON.stringify(doc, null, 2)}\n`);
    return 0;
  }
  const p = ctx.out;
  const lines = [
    `${p.bold(escapeText(session.id))} started ${session.created_at} on ${escapeText(r.name)} (${r.env_id})`,
    `  config   ${r.config_hash}`,
    `  since    ${r.since.at} (${r.since.op} by ${escapeText(r.since.actor)}${r.git_commit ? `, commit ${r.git_commit.slice(0, 12)}` : ''})`,
    ...(r.source ? [`  file     ${escapeText(r.source)}`] : []),
    r.changed_since
      ? p.yellow(`  ${r.env_id} has changed since: a session started now would not get this config`)
      : `  ${r.env_id} still serves this config`,
    `  see it:  ${scopedCommandLine(ctx, `show ${r.config_hash}`)}`,
  ];
  ctx.io.stdout.write(`${lines.join('\n')}\n`);
  return 0;
}

async function runResolve(ctx: Ctx, name: string | undefined, opts: ResolveOptions): Promise<number> {
  if (opts.session !== undefined) {
    if (name !== undefined || opts.at !== undefined) {
      throw new EnvsyncError('conflicting_flags', '--session takes no NAME or --at: the session says both', {
        hint: 'envsync resolve --session SESSION_ID, or envsync resolve NAME --at TIME',
      });
    }
    return resolveSessionCommand(ctx, opts.session, opts);
  }
  if (name === undefined || opts.at === undefined) {
    throw new EnvsyncError('usage', 'resolve needs NAME and --at TIME, or --session SESSION_ID', {
      hint: 'envsync resolve data-analysis --at 2026-10-03, or envsync resolve --session sesn_…',
    });
  }
  const r = resolveName(changelogPath(ctx), name, opts.at, new Date());
  warnAboutProblems(ctx, r.problems, r.problemCount);
  if (opts.format === 'json') {
    const s = r.since;
    const doc = {
      format_version: 1,
      name: r.name,
      at: r.at.toISOString(),
      day: r.day,
      env_id: r.env_id,
      served_as: r.served_as,
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

function declare(c: Subject) {
  return c
    .argument('[name]', 'environment name (with --at)')
    .option(
      '--at <time>',
      'RFC 3339 time with a zone, YYYY-MM-DD (the state at the end of that day, UTC, plus that day’s changes), or now',
    )
    .option(
      '--session <id>',
      'a session ID (sesn_…): the config it ran on, its file and commit (needs the API)',
    )
    .addOption(formatOption(['text', 'json'], 'text'));
}
type ResolveOptions = OptionsOf<typeof declare>;

export default defineCommand({
  name: 'resolve',
  description:
    'which env ID and config hash served NAME at a time, or which config a session ran on, from the changelog',
  needs: ['api'],
  examples: [
    'envsync resolve data-analysis --at 2026-10-03T14:00:00Z',
    'envsync resolve --session sesn_01Abc…     # which config did that session run on?',
  ],
  declare,
  handler: runResolve,
});
