// `envsync history [NAME]`: every recorded change per environment: when, what, which ID and config, who, which commit.

import { renderHistory } from '../changelog/render.js';
import { readChangelog } from '../changelog/store.js';
import { historyAll, historyOf, recordedNames } from '../changelog/timeline.js';
import { closest } from '../config/suggest.js';
import { EnvsyncError } from '../errors.js';
import type { ActionFactory, Ctx, Program } from './context.js';
import { formatOption, type OptsOf } from './options.js';
import { projectFor, sayScope } from './shared.js';
import { warnAboutBadLines } from './verify.js';

async function runHistory(ctx: Ctx, name: string | undefined, opts: HistoryOptions): Promise<number> {
  const project = projectFor(ctx, 'files');
  sayScope(ctx, project);
  const file = readChangelog(project.changelogPath);
  warnAboutBadLines(ctx, file);
  const histories = name === undefined ? historyAll(file.entries) : [historyOf(file.entries, name)];
  if (name !== undefined && histories[0]?.steps.length === 0) {
    const known = recordedNames(file.entries);
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
