// `envsync history [NAME]`: every recorded change per environment: when, what, which ID and config, who, which commit;
// as text, JSON, or a self-contained HTML page.

import path from 'node:path';
import { renderHistory } from '../changelog/render.js';
import { renderHistoryHtml } from '../changelog/render-html.js';
import { EnvsyncError } from '../errors.js';
import { writeFileAtomic } from '../fs/atomic.js';
import { type EnvironmentHistory, historyOf, historyPage, previewHistoryOf } from '../workflow/audit.js';
import type { ProjectContext } from '../workflow/project.js';
import { type Ctx, plural, say } from './context.js';
import { defineCommand, type OptionsOf, type Subject } from './define.js';
import { formatOption } from './options.js';
import { warnAboutProblems } from './problems.js';
import { cliReporter } from './reporter.js';
import { connectFrom, localChangelogHint, projectFor, sayScope } from './shared.js';

const DEFAULT_PAGE = 'envsync-history.html';

async function writePage(
  ctx: Ctx,
  project: ProjectContext,
  name: string | undefined,
  histories: EnvironmentHistory[],
  opts: HistoryOptions,
): Promise<number> {
  const input = await historyPage({
    changelogPath: project.changelogPath,
    changelogShown: path.relative(ctx.io.cwd, project.changelogPath) || project.changelogPath,
    root: project.root,
    project: project.project,
    workspace: project.workspace?.name ?? null,
    name: name ?? null,
    histories,
    // Sessions are listed through the API (lists cannot filter by environment): only with --sessions.
    sessions: opts.sessions ? { api: () => connectFrom(ctx, project, cliReporter(ctx), undefined) } : null,
    now: new Date(),
  });
  const page = renderHistoryHtml(input);
  if (opts.out === '-') {
    ctx.io.stdout.write(page);
    return 0;
  }
  const out = path.resolve(ctx.io.cwd, opts.out ?? DEFAULT_PAGE);
  await writeFileAtomic(out, ctx.redactor.redact(page));
  const steps = histories.reduce((n, h) => n + h.steps.length, 0);
  say(
    ctx,
    `Wrote ${path.relative(ctx.io.cwd, out) || out}: ${plural(histories.length, 'environment')}, ${plural(steps, 'step')}.`,
  );
  return 0;
}

async function runHistory(ctx: Ctx, name: string | undefined, opts: HistoryOptions): Promise<number> {
  if (opts.format !== 'html' && (opts.out !== undefined || opts.sessions)) {
    throw new EnvsyncError(
      'invalid_flag',
      `${opts.sessions ? '--sessions' : '--out'} applies to --format html`,
      {
        hint: 'add --format html, or leave it out; text and JSON go to stdout',
      },
    );
  }
  const project = projectFor(ctx, 'files');
  sayScope(ctx, project);
  const previews = opts.previews === true;
  const found = previews
    ? previewHistoryOf(project.changelogPath, name)
    : historyOf(project.changelogPath, name, localChangelogHint(ctx, project));
  warnAboutProblems(ctx, found.problems, found.problemCount);
  const histories = found.histories;
  if (opts.format === 'html') return writePage(ctx, project, name, histories, opts);
  if (opts.format === 'json') {
    // begin/end entries frame runs and belong to no environment, so they are left out.
    const entries = histories.flatMap((h) =>
      h.steps.map((s) => ({ ...s.entry, environment: h.name, changes: s.changes })),
    );
    const doc = {
      format_version: 1,
      project: project.project,
      workspace: project.workspace?.name ?? null,
      name: name ?? null,
      previews,
      entries,
    };
    ctx.io.stdout.write(`${JSON.stringify(doc, null, 2)}\n`);
    return 0;
  }
  if (histories.length === 0) {
    ctx.io.stdout.write(previews ? 'No preview runs recorded.\n' : 'No changes recorded.\n');
    const hint = localChangelogHint(ctx, project);
    if (hint) say(ctx, `hint: ${hint}`);
    return 0;
  }
  ctx.io.stdout.write(`${histories.map((h) => renderHistory(h, ctx.out)).join('\n\n')}\n`);
  return 0;
}

function declare(c: Subject) {
  return c
    .argument('[name]', 'environment name; all environments when left out')
    .addOption(formatOption(['text', 'json', 'html'], 'text'))
    .option(
      '--out <file>',
      `with --format html: where to write the page, - for stdout (default: ${DEFAULT_PAGE})`,
    )
    .option(
      '--sessions',
      'with --format html: count the sessions that ran on each version (needs the API key)',
    )
    .option(
      '--previews',
      'the preview runs instead (`preview up`, `down`, `gc`), one timeline per copy <name>--<ID>; hidden otherwise',
    );
}
type HistoryOptions = OptionsOf<typeof declare>;

export default defineCommand({
  name: 'history',
  description:
    'the recorded changes of one environment (every env ID that served NAME) or of all, from the changelog',
  examples: [
    'envsync history data-analysis',
    'envsync history --format json',
    'envsync history --previews                      # preview runs, kept apart',
  ],
  declare,
  handler: runHistory,
});
