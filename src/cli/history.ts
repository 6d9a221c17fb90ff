// `envsync history [NAME]`: every recorded change per environment: when, what, which ID and config, who, which commit.

import { entriesForName, loadState, namesKnown, readHistory } from '../changelog/cache.js';
import { renderHistory } from '../changelog/render.js';
import { changelogLocation } from '../changelog/store.js';
import { type EnvironmentHistory, historyAll, historyOf } from '../changelog/timeline.js';
import { closest } from '../config/suggest.js';
import { EnvsyncError } from '../errors.js';
import type { ActionFactory, Ctx, Program } from './context.js';
import { formatOption, type OptsOf } from './options.js';
import { projectFor, sayScope } from './shared.js';
import { warnAboutProblems } from './verify.js';

/**
 * One name reads only its own lines, through the cache's index (so it costs the same with any amount of
 * history); all names, or an index that no longer matches, read everything.
 */
function historiesFor(ctx: Ctx, changelog: string, name: string | undefined): EnvironmentHistory[] {
  const location = changelogLocation(changelog);
  if (name !== undefined) {
    const state = loadState(location);
    const entries = entriesForName(location, name);
    if (entries) {
      warnAboutProblems(ctx, state.problems, state.problemCount);
      return [historyOf(entries, name)];
    }
  }
  const history = readHistory(location);
  warnAboutProblems(ctx, history.problems);
  return name === undefined ? historyAll(history.entries) : [historyOf(history.entries, name)];
}

async function runHistory(ctx: Ctx, name: string | undefined, opts: HistoryOptions): Promise<number> {
  const project = projectFor(ctx, 'files');
  sayScope(ctx, project);
  const histories = historiesFor(ctx, project.changelogPath, name);
  if (name !== undefined && histories[0]?.steps.length === 0) {
    const known = namesKnown(changelogLocation(project.changelogPath));
    const near = closest(name, known);
    throw new EnvsyncError('unknown_name', `the changelog has no entries for ${name}`, {
      hint: near
        ? `did you mean ${near}?`
        : known.length > 0
          ? `it knows: ${known.join(', ')}`
          : 'nothing has been applied with this changelog yet',
    });
  }
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
      entries,
    };
    ctx.io.stdout.write(`${JSON.stringify(doc, null, 2)}\n`);
    return 0;
  }
  if (histories.length === 0) {
    ctx.io.stdout.write('No changes recorded.\n');
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
    .addOption(formatOption(['text', 'json'], 'text'));
}
type HistoryOptions = OptsOf<ReturnType<typeof declareHistory>>;

export function registerHistory(program: Program, action: ActionFactory): void {
  declareHistory(program).action(action(runHistory));
}
