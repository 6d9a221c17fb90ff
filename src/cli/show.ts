// `envsync show ENV_ID|HASH`: the exact config an env ID or config hash stood for, as an environment file.

import path from 'node:path';
import { readHistory } from '../changelog/cache.js';
import {
  checkRecordedHash,
  configOfHash,
  configOfId,
  looksLikeHash,
  parseQueryTime,
} from '../changelog/query.js';
import { changelogLocation } from '../changelog/store.js';
import { baseName } from '../changelog/timeline.js';
import { EnvsyncError } from '../errors.js';
import { environmentDocument, environmentFileText, schemaRefFor } from '../export/environment-file.js';
import type { ActionFactory, Ctx, Program } from './context.js';
import { formatOption, type OptsOf } from './options.js';
import { localChangelogHint, projectFor } from './shared.js';
import { warnAboutProblems } from './verify.js';

async function runShow(ctx: Ctx, ref: string, opts: ShowOptions): Promise<number> {
  const project = projectFor(ctx, 'files');
  const file = readHistory(changelogLocation(project.changelogPath));
  warnAboutProblems(ctx, file.problems);
  const { entries } = file;
  const byHash = looksLikeHash(ref) && !ref.startsWith('env_');
  const at = opts.at === undefined ? undefined : parseQueryTime(opts.at, new Date()).at;
  if (byHash && at) {
    throw new EnvsyncError('at_with_hash', '--at applies to an env ID, not to a config hash', {
      hint: 'a hash names one config whenever it was recorded; drop --at',
    });
  }
  let entry: ReturnType<typeof configOfId>;
  try {
    entry = byHash ? configOfHash(entries, ref) : configOfId(entries, ref, at);
  } catch (e) {
    const local = localChangelogHint(ctx, project);
    if (local && e instanceof EnvsyncError && (e.code === 'unknown_env_id' || e.code === 'unknown_hash')) {
      throw new EnvsyncError(e.code, e.message, { hint: local, cause: e });
    }
    throw e;
  }
  checkRecordedHash(entry);
  // A retired `<name>~<hash8>` name is not a valid file name; the file restores the config under its name.
  const doc = environmentDocument({
    name: baseName(entry.name ?? ''),
    description: entry.description,
    metadata: entry.metadata ?? {},
    config: entry.config,
    scope: null,
  });
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

function declareShow(program: Program) {
  return program
    .command('show')
    .description('print the config an env ID or config hash stood for, as an environment file')
    .argument('<ref>', 'an env ID, a config hash (sha256:…), or a unique prefix of ≥ 8 hex digits')
    .option('--at <time>', 'for an env ID: its config at that time (RFC 3339 or YYYY-MM-DD)')
    .addOption(formatOption(['yaml', 'json'], 'yaml'));
}
type ShowOptions = OptsOf<ReturnType<typeof declareShow>>;

export function registerShow(program: Program, action: ActionFactory): void {
  declareShow(program).action(action(runShow));
}
