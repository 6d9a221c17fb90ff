// `envsync show ENV_ID|HASH|PLANFILE`: the config an env ID or hash stood for, as a file; or a saved plan, drawn
// again; `envsync show --merged FILE`: an environment file with its bases merged in, as envsync plans it.

import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { Option } from '@commander-js/extra-typings';
import { EnvsyncError } from '../errors.js';
import {
  environmentDocument,
  environmentFileText,
  lifecycleDocument,
  schemaRefFor,
} from '../export/environment-file.js';
import { recordedConfig } from '../workflow/audit.js';
import { mergedEnvironments } from '../workflow/files.js';
import type { Ctx } from './context.js';
import { defineCommand, type OptionsOf, type Subject } from './define.js';
import { intOption } from './options.js';
import { renderPlan } from './plan.js';
import { warnAboutProblems } from './problems.js';
import { formatDiagnostics } from './render-errors.js';
import { localChangelogHint, projectFor, readSavedPlan, scopedPlan } from './shared.js';

/** `show PLANFILE` (as terraform show): a saved plan drawn again, in text, JSON or markdown; no API call. */
function showPlanFile(ctx: Ctx, file: string, opts: ShowOptions): number {
  const format = opts.format ?? 'text';
  if (format === 'yaml') {
    throw new EnvsyncError(
      'invalid_flag',
      '--format yaml is for a config (env ID or hash); a plan is text, json or markdown',
      {
        hint: `envsync show ${file} --format json`,
      },
    );
  }
  if (opts.at !== undefined) {
    throw new EnvsyncError('invalid_flag', '--at applies to an env ID, not to a saved plan', {
      hint: 'drop --at',
    });
  }
  const plan = readSavedPlan(ctx, file);
  const text = renderPlan(ctx, format === 'json' ? plan : scopedPlan(ctx, plan), format, opts);
  ctx.io.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
  return 0;
}

/** The merged environments of one file, as a valid environment file (or JSON); no API call, no changelog. */
function showMerged(ctx: Ctx, file: string, opts: ShowOptions): number {
  if (opts.format === 'text' || opts.format === 'markdown')
    throw new EnvsyncError(
      'invalid_flag',
      `--format ${opts.format} is for a saved plan; --merged prints yaml or json`,
      {
        hint: `envsync show --merged ${file} --format json`,
      },
    );
  const project = projectFor(ctx, 'files');
  const { environments, warnings } = mergedEnvironments(file, {
    cwd: ctx.io.cwd,
    root: project.root,
    dirs: project.dirs,
    policies: project.policies,
  });
  if (warnings.length > 0 && !ctx.global.quiet)
    ctx.io.stderr.write(`${formatDiagnostics(warnings, ctx.err)}\n`);
  const documents = environments.map((e) => ({
    ...environmentDocument(e),
    ...lifecycleDocument(e.lifecycle),
  }));
  if (opts.format === 'json') {
    const out = {
      format_version: 1,
      file,
      environments: environments.map((e, i) => ({
        name: e.name,
        config_hash: e.config_hash,
        bases: e.provenance?.bases ?? [],
        environment: documents[i],
      })),
    };
    ctx.io.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
    return 0;
  }
  const schemaRef = schemaRefFor(path.dirname(path.resolve(ctx.io.cwd, file)));
  const texts = environments.map((e, i) => {
    const bases = e.provenance?.bases ?? [];
    const from = bases.length === 0 ? 'no bases' : `bases ${bases.join(', ')}`;
    return environmentFileText(documents[i] as (typeof documents)[number], schemaRef, [
      `${e.name} from ${e.source.file} merged with ${from}.`,
      `Config hash ${e.config_hash}. A plain environment file: no extends, no remove.`,
    ]);
  });
  ctx.io.stdout.write(texts.join('---\n'));
  return 0;
}

/** A saved plan is a file; an env ID (`env_…`) or a config hash never is. */
function isPlanFile(ctx: Ctx, ref: string): boolean {
  const file = path.resolve(ctx.io.cwd, ref);
  return existsSync(file) && statSync(file).isFile();
}

async function runShow(ctx: Ctx, ref: string, opts: ShowOptions): Promise<number> {
  if (opts.merged) return showMerged(ctx, ref, opts);
  if (isPlanFile(ctx, ref)) return showPlanFile(ctx, ref, opts);
  if (opts.format === 'text' || opts.format === 'markdown') {
    throw new EnvsyncError(
      'invalid_flag',
      `--format ${opts.format} is for a saved plan; a config is yaml or json`,
      {
        hint: `envsync show ${ref} --format json`,
      },
    );
  }
  const project = projectFor(ctx, 'files');
  const found = recordedConfig(
    project.changelogPath,
    ref,
    opts.at,
    new Date(),
    localChangelogHint(ctx, project),
  );
  warnAboutProblems(ctx, found.problems, found.problemCount);
  const { entry, document: doc } = found;
  const recorded = {
    seq: entry.seq,
    at: entry.at,
    op: entry.op,
    env_id: entry.env_id,
    name: entry.name,
    actor: entry.actor,
    git_commit: entry.git_commit,
    plan_id: entry.plan_id,
  };
  if (opts.format === 'json') {
    const out = { format_version: 1, config_hash: entry.config_hash, recorded, environment: doc };
    ctx.io.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
    return 0;
  }
  const schemaRef = schemaRefFor(path.join(ctx.io.cwd, 'environments'));
  const text = environmentFileText(doc, schemaRef, [
    `${entry.env_id} (${entry.name}) as recorded by ${entry.op}, seq ${entry.seq}, at ${entry.at}.`,
    `Config hash ${entry.config_hash}. Copy into environments/ to restore this config.`,
  ]);
  ctx.io.stdout.write(text);
  return 0;
}

function declare(c: Subject) {
  return c
    .argument(
      '<ref>',
      'a plan file (from `plan --out`), an env ID, a config hash (sha256:…), or a unique prefix of ≥ 8 hex digits; with --merged, an environment file',
    )
    .option('--at <time>', 'for an env ID: its config at that time (RFC 3339, YYYY-MM-DD or now)')
    .option('--merged', 'REF is an environment file: print it with its bases (extends) merged in, as planned')
    .addOption(
      new Option(
        '--format <format>',
        'yaml or json for a config (default yaml); text, json or markdown for a plan (default text)',
      ).choices(['yaml', 'json', 'text', 'markdown'] as const),
    )
    .option('--compact', 'a plan: one line per environment (text)')
    .addOption(
      intOption(
        '--max-bytes <n>',
        'a plan as markdown: above N characters keep warnings and the summary, list the rest by name',
        60_000,
        1000,
      ),
    );
}
type ShowOptions = OptionsOf<typeof declare>;

export default defineCommand({
  name: 'show',
  description:
    'print the config an env ID or config hash stood for, as an environment file; or draw a saved plan again; with --merged, an environment file with its bases merged in',
  examples: [
    'envsync show env_01Abc… --at 2026-10-03',
    'envsync show sha256:1f2e… > environments/restored.yaml',
    'envsync show plan.json --format markdown  # a saved plan, drawn again',
  ],
  declare,
  conflicts: [
    {
      flag: 'merged',
      with: ['at'],
      message: () => '--at applies to an env ID, not to --merged',
      hint: 'drop --at: --merged shows the file as it is now',
    },
  ],
  handler: runShow,
});
