// `envsync preview up|down|gc`: copies of the environments per pull request, named `<name>--<ID>`, and their cleanup.

import type { Command, OptionValues } from '@commander-js/extra-typings';
import { BlockedError, wrapFsError } from '../errors.js';
import { writeFileAtomic } from '../fs/atomic.js';
import type { Plan } from '../model.js';
import { renderPlanText } from '../plan/render-text.js';
import { changedEnvironments, changedFiles } from '../workflow/changed.js';
import {
  checkPreviewId,
  type PreviewOptions,
  parseTtl,
  previewDown,
  previewGc,
  previewUp,
} from '../workflow/preview.js';
import type { ProjectContext } from '../workflow/project.js';
import { type Ctx, say } from './context.js';
import { defineCommand, defineGroup, type OptionsOf, type Subject } from './define.js';
import { formatOption, intOption, lockTimeoutOption, rateLimitOption } from './options.js';
import { outPath } from './plan.js';
import {
  type PreviewAction,
  type PreviewReport,
  previewJson,
  previewMarkdown,
  previewText,
} from './preview-render.js';
import { applySummaryLine } from './render-apply.js';
import { errorBlock } from './render-errors.js';
import { cliReporter } from './reporter.js';
import {
  connectFrom,
  loadProjectFiles,
  projectFor,
  refuseFileAsDir,
  runSetup,
  sayScope,
  scopedPlan,
  warnAboutWarnings,
} from './shared.js';

/** How long a preview lives when `--ttl` is not given: long enough for a review, short enough to forget safely. */
const DEFAULT_TTL = '72h';

/** The flags every preview command has (addPreviewFlags): gc has those alone. */
type Common = GcOptions;

/** Connects, runs one preview command, and draws what it did; the plan goes where it does not mix with a document. */
async function runPreviewCommand(
  ctx: Ctx,
  project: ProjectContext,
  action: PreviewAction,
  id: string | null,
  opts: Common,
  run: (o: PreviewOptions) => ReturnType<typeof previewGc>,
): Promise<number> {
  const outFile = opts.out ? outPath(ctx, opts.out) : undefined;
  sayScope(ctx, project);
  const reporter = cliReporter(ctx);
  const conn = await connectFrom(ctx, project, reporter, opts.rateLimit);
  // From the moment writes start, the first Ctrl-C lets what runs finish and be recorded, then stops.
  const interrupt = new AbortController();
  let stopListening: (() => void) | undefined;
  const planned = (plan: Plan) => {
    if (ctx.global.quiet) return;
    const text = renderPlanText(scopedPlan(ctx, plan), opts.format === 'text' ? ctx.out : ctx.err, {});
    (opts.format === 'text' ? ctx.io.stdout : ctx.io.stderr).write(text.endsWith('\n') ? text : `${text}\n`);
  };
  try {
    const outcome = await run({
      ...runSetup(ctx, project, conn, reporter, opts.lockTimeout),
      workspace: project.workspace?.name ?? null,
      parallelism: opts.parallelism,
      allowReferenced: opts.allowReferenced === true,
      dryRun: opts.dryRun === true,
      planned,
      interrupt: interrupt.signal,
      starting: (total) => {
        reporter.start(total);
        stopListening = ctx.io.onInterrupt?.(() => {
          ctx.io.stderr.write(
            '\nInterrupted: the preview changes in flight finish and are recorded; nothing new starts.\n',
          );
          interrupt.abort();
        });
      },
    });
    reporter.stop();
    if (outcome.status === 'blocked') throw new BlockedError(outcome.plan.blocked);
    const report: PreviewReport = {
      action,
      project: project.project,
      workspace: project.workspace?.name ?? null,
      id,
      outcome,
    };
    const json = `${JSON.stringify(previewJson(report), null, 2)}\n`;
    if (outFile) {
      try {
        await writeFileAtomic(outFile, ctx.redactor.redact(json));
      } catch (e) {
        throw wrapFsError(e, opts.out ?? outFile, 'write the previews to');
      }
    }
    if (opts.format === 'json') ctx.io.stdout.write(json);
    else if (opts.format === 'markdown') ctx.io.stdout.write(previewMarkdown(report));
    const result = outcome.result;
    const failed = [...(result?.failed ?? []), ...(outcome.extended?.failed ?? [])];
    for (const f of failed) ctx.io.stderr.write(errorBlock(ctx, f.code, f.message, f.hint));
    if (result?.stopped) {
      const { code, message, hint } = result.stopped;
      ctx.io.stderr.write(errorBlock(ctx, code, `${message}; no further change was sent`, hint));
    }
    const bad = failed.length > 0 || result?.stopped != null || (result?.unrecorded.length ?? 0) > 0;
    if (opts.format === 'text') {
      if (result) ctx.io.stdout.write(`\n${(bad ? ctx.out.red : ctx.out.green)(applySummaryLine(result))}\n`);
      const moved = outcome.extended?.extended.length ?? 0;
      if (moved > 0)
        ctx.io.stdout.write(`Expiry moved on for ${moved} unchanged preview${moved === 1 ? '' : 's'}.\n`);
      ctx.io.stdout.write(previewText(report, ctx.out));
    }
    if (opts.dryRun) say(ctx, 'Nothing changed (--dry-run).');
    if (result?.interrupted) return 130;
    return bad ? 1 : 0;
  } finally {
    stopListening?.();
    reporter.stop();
    await conn.close();
  }
}

async function runUp(ctx: Ctx, dir: string | undefined, opts: UpOptions): Promise<number> {
  refuseFileAsDir(ctx, dir, () => 'pass the folder of environment files');
  // Everything that can be refused is refused here, before any API call.
  checkPreviewId(opts.id);
  const ttlMs = parseTtl(opts.ttl);
  const project = projectFor(ctx, 'api', dir);
  let desired = loadProjectFiles(ctx, project);
  warnAboutWarnings(ctx, desired);
  if (opts.onlyChanged) {
    const base =
      opts.baseRef ?? (ctx.io.env.GITHUB_BASE_REF ? `origin/${ctx.io.env.GITHUB_BASE_REF}` : 'origin/HEAD');
    const changed = changedEnvironments(desired.environments, changedFiles(project.root, base));
    say(
      ctx,
      `--only-changed: ${changed.length} of ${desired.environments.length} environments differ from ${base} (their file or a base they extend)`,
    );
    desired = { ...desired, environments: changed };
  }
  return runPreviewCommand(ctx, project, 'up', opts.id, opts, (o) => previewUp(desired, opts.id, ttlMs, o));
}

async function runDown(ctx: Ctx, opts: DownOptions): Promise<number> {
  checkPreviewId(opts.id);
  const project = projectFor(ctx, 'api');
  return runPreviewCommand(ctx, project, 'down', opts.id, opts, (o) => previewDown(opts.id, o));
}

async function runGc(ctx: Ctx, opts: GcOptions): Promise<number> {
  const project = projectFor(ctx, 'api');
  return runPreviewCommand(ctx, project, 'gc', null, opts, previewGc);
}

/** What every preview command takes: --dry-run, the format, and how it applies. */
function addPreviewFlags<A extends unknown[], O extends OptionValues, G extends OptionValues>(
  command: Command<A, O, G>,
) {
  return command
    .option('--dry-run', 'show the plan and what would change; change nothing, record nothing')
    .addOption(formatOption(['text', 'json', 'markdown'], 'text'))
    .option('--out <file>', 'also write the JSON document (name → env ID, what was archived) to FILE')
    .option(
      '--allow-referenced',
      'archive previews that active or paused deployments still use (they are stranded)',
    )
    .addOption(intOption('--parallelism <n>', 'actions in flight at once', 8, 1))
    .addOption(lockTimeoutOption())
    .addOption(rateLimitOption());
}

const declareUp = (c: Subject) =>
  addPreviewFlags(
    c
      .argument('[dir]', "directory of environment files (default: the project file's dirs)")
      .requiredOption('--id <id>', 'the preview ID: 1–64 lower-case letters, digits, . _ - (e.g. pr-123)')
      .option(
        '--ttl <duration>',
        'how long the previews live before `preview gc` archives them (1m–90d; a second up moves it on)',
        DEFAULT_TTL,
      )
      .option(
        '--only-changed',
        'only the environments whose file, or a base they extend, differs from the base ref (git)',
      )
      .option(
        '--base-ref <ref>',
        'with --only-changed: the git ref to compare with (default: origin/$GITHUB_BASE_REF, else origin/HEAD)',
      ),
  );
const declareDown = (c: Subject) => addPreviewFlags(c.requiredOption('--id <id>', 'the preview ID'));
const declareGc = (c: Subject) => addPreviewFlags(c);
type UpOptions = OptionsOf<typeof declareUp>;
type DownOptions = OptionsOf<typeof declareDown>;
type GcOptions = OptionsOf<typeof declareGc>;

export default defineGroup({
  name: 'preview',
  description:
    'preview copies of the environments per pull request (<name>--<ID>), and their cleanup: up, down, gc',
  needs: ['api'],
  examples: [
    'envsync preview up --id pr-42 --only-changed    # copies named <name>--pr-42 of what the branch changes',
    'envsync preview up --id pr-42 --ttl 7d --format json | jq -r \'.environments[] | "\\(.name) \\(.env_id)"\'',
    'envsync preview down --id pr-42',
    'envsync preview gc --dry-run                    # which expired previews it would archive',
  ],
  exitCodes:
    '0 done (or, with --dry-run, planned), 1 error (bad input, an ID or name that cannot fit, a failed action, no base ref for --only-changed), 3 blocked: a preview name another environment holds, a desired name a preview holds, a deployment that would be stranded',
  subcommands: [
    defineCommand({
      name: 'up',
      description:
        'create or update a copy named <name>--<ID> of each environment (or of those a branch changes), tagged with the ID and an expiry',
      declare: declareUp,
      requires: [
        { flag: 'baseRef', needs: 'onlyChanged', hint: 'add --only-changed, or leave out --base-ref' },
      ],
      handler: runUp,
    }),
    defineCommand({
      name: 'down',
      description:
        'archive the previews of one ID (renamed to <name>--<ID>~<hash8> first, so the names can be reused)',
      declare: declareDown,
      handler: runDown,
    }),
    defineCommand({
      name: 'gc',
      description: 'archive every preview of this project whose expiry has passed',
      declare: declareGc,
      handler: runGc,
    }),
  ],
});
