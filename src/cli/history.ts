// `envsync history [NAME]`: every recorded change per environment: when, what, which ID and config, who, which commit;
// as text, JSON, or a self-contained HTML page.

import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { cacheKey, entriesForName, loadState, namesKnown, readHistory } from '../changelog/cache.js';
import { repositoryLinkOf } from '../changelog/html/repository.js';
import { entriesOfRuns } from '../changelog/preview-runs.js';
import { renderHistory } from '../changelog/render.js';
import { type HistoryPageInput, renderHistoryHtml, type VerifySummary } from '../changelog/render-html.js';
import { changelogLocation } from '../changelog/store.js';
import { type EnvironmentHistory, historyAll, historyOf } from '../changelog/timeline.js';
import { closest } from '../config/suggest.js';
import { previewName } from '../domain/preview.js';
import { EnvsyncError } from '../errors.js';
import { writeFileAtomic } from '../fs/atomic.js';
import type { SessionSummary } from '../model.js';
import type { ProjectContext } from '../project/context.js';
import { verifyChangelog } from '../workflow/verify.js';
import { type ActionFactory, type Ctx, type Program, plural, say } from './context.js';
import { formatOption, type OptsOf } from './options.js';
import { cliReporter } from './reporter.js';
import { connectFrom, localChangelogHint, projectFor, sayScope } from './shared.js';
import { warnAboutProblems } from './verify.js';

/**
 * One name reads only its own lines, through the cache's index (so it costs the same with any amount of
 * history); all names, or an index that no longer matches, read everything.
 */
function historiesFor(
  ctx: Ctx,
  changelog: string,
  name: string | undefined,
  previews: boolean,
): EnvironmentHistory[] {
  const location = changelogLocation(changelog);
  if (previews) return previewHistories(ctx, changelog, name);
  if (name !== undefined) {
    const key = cacheKey(location);
    const state = loadState(location, key);
    const entries = entriesForName(location, name, key);
    if (entries) {
      warnAboutProblems(ctx, state.problems, state.problemCount);
      return [historyOf(entries, name)];
    }
  }
  const history = readHistory(location);
  warnAboutProblems(ctx, history.problems);
  // Preview runs are shown apart (--previews): their copies are not the environments the files declare.
  const main = entriesOfRuns(history.runs, 'main');
  return name === undefined ? historyAll(main) : [historyOf(main, name)];
}

/**
 * `history --previews [NAME]`: the preview runs' timelines, one per copy (`<name>--<ID>`); with NAME, the
 * copies of that environment under every preview ID recorded (or the one copy NAME names).
 */
function previewHistories(ctx: Ctx, changelog: string, name: string | undefined): EnvironmentHistory[] {
  const history = readHistory(changelogLocation(changelog));
  warnAboutProblems(ctx, history.problems);
  const all = historyAll(entriesOfRuns(history.runs, 'previews'));
  if (name === undefined) return all;
  const ids = new Set(history.runs.flatMap((r) => r.preview?.ids ?? []));
  const names = new Set([name, ...[...ids].map((id) => previewName(name, id))]);
  return all.filter((h) => names.has(h.name));
}

const DEFAULT_PAGE = 'envsync-history.html';

/** The web address of the checkout's origin when it is on GitHub or GitLab, for commit links; else null. */
function repositoryOf(dir: string) {
  try {
    const remote = execFileSync('git', ['remote', 'get-url', 'origin'], {
      cwd: dir,
      stdio: ['ignore', 'pipe', 'ignore'],
      timeout: 5000,
    });
    return repositoryLinkOf(remote.toString());
  } catch {
    return null;
  }
}

/** verify's answer, narrowed to what the page shows. */
async function verifySummary(project: ProjectContext): Promise<VerifySummary | null> {
  const location = changelogLocation(project.changelogPath);
  if (!existsSync(location.dir) && !existsSync(location.legacy)) return null;
  const report = await verifyChangelog(project.changelogPath, null, project.project);
  // Forks are notes, not problems: applies that did not see each other, both recorded.
  return {
    entries: report.entries,
    problems: report.problems,
    liveManaged: report.liveManaged,
    forks: report.notes,
  };
}

/** Every session started since the oldest step shown, through the API (lists cannot filter by environment). */
async function sessionsSince(ctx: Ctx, project: ProjectContext, since: string): Promise<SessionSummary[]> {
  const conn = await connectFrom(ctx, project, cliReporter(ctx), undefined);
  try {
    const out: SessionSummary[] = [];
    out.push(...(await conn.api.references.sessionsSince(since)));
    return out;
  } finally {
    await conn.close();
  }
}

async function writePage(
  ctx: Ctx,
  project: ProjectContext,
  name: string | undefined,
  histories: EnvironmentHistory[],
  opts: HistoryOptions,
): Promise<number> {
  const firstAt = histories
    .map((h) => h.steps[0]?.entry.at)
    .filter((at): at is string => at !== undefined)
    .sort()[0];
  const sessions =
    opts.sessions && firstAt !== undefined
      ? { since: firstAt, sessions: await sessionsSince(ctx, project, firstAt) }
      : opts.sessions
        ? { since: null, sessions: [] }
        : null;
  const input: HistoryPageInput = {
    histories,
    verify: await verifySummary(project),
    project: project.project,
    workspace: project.workspace?.name ?? null,
    name: name ?? null,
    changelog: path.relative(ctx.io.cwd, project.changelogPath) || project.changelogPath,
    generatedAt: new Date().toISOString(),
    repository: repositoryOf(project.root),
    sessions,
  };
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
  const histories = historiesFor(ctx, project.changelogPath, name, previews);
  if (previews && name !== undefined && histories.length === 0) {
    throw new EnvsyncError('unknown_name', `the changelog has no preview runs of ${name}`, {
      hint: '`envsync history --previews` lists every preview copy recorded',
    });
  }
  if (name !== undefined && histories[0]?.steps.length === 0) {
    const known = namesKnown(changelogLocation(project.changelogPath));
    const near = closest(name, known);
    throw new EnvsyncError('unknown_name', `the changelog has no entries for ${name}`, {
      hint: near
        ? `did you mean ${near}?`
        : known.length > 0
          ? `it knows: ${known.join(', ')}`
          : (localChangelogHint(ctx, project) ?? 'nothing has been applied with this changelog yet'),
    });
  }
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

function declareHistory(program: Program) {
  return program
    .command('history')
    .description(
      'the recorded changes of one environment (every env ID that served NAME) or of all, from the changelog',
    )
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
type HistoryOptions = OptsOf<ReturnType<typeof declareHistory>>;

export function registerHistory(program: Program, action: ActionFactory): void {
  declareHistory(program).action(action(runHistory));
}
