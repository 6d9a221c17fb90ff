// `envsync status [DIR]`: for each desired name, the env ID to use and whether it is in sync.

import { shortHash } from '../hash/config-hash.js';
import { type LiveEnvironment, MANAGED_KEY, type Plan } from '../model.js';
import { planExitCode } from '../plan/summary.js';
import { escapeText } from '../text/escape.js';
import { compareNatural } from '../util/order.js';
import type { Ctx } from './context.js';
import { defineCommand, type OptionsOf, type Subject } from './define.js';
import { formatOption } from './options.js';
import { planFiles } from './shared.js';

export type StatusState =
  | 'in_sync'
  | 'pending'
  | 'drift'
  | 'missing'
  | 'unmanaged'
  | 'other_project'
  | 'unreadable'
  /** A claude-lock.json still tracks it: ant apply manages it until `import --from-ant --hand-over`. */
  | 'managed_by_ant';

export interface StatusRow {
  name: string;
  env_id: string | null;
  config_hash: string | null;
  desired_hash: string;
  state: StatusState;
  /** other_project: the project whose tag the environment carries. */
  owner: string | null;
  file: string;
}

/** Reads each desired name's state off a plan: what the planner would do says how far live is from the files. */
export function statusRows(
  plan: Plan,
  desired: { name: string; config_hash: string; source: { file: string; line: number } }[],
  liveEnvs: readonly LiveEnvironment[] = [],
): StatusRow[] {
  const actions = new Map(plan.actions.map((a) => [a.name, a]));
  const live = new Map(plan.live.map((l) => [l.name, l]));
  const byId = new Map(liveEnvs.map((e) => [e.id, e]));
  const blockedBy = new Map(plan.blocked.flatMap((b) => (b.name === null ? [] : [[b.name, b]])));
  return desired.map((d) => {
    const action = actions.get(d.name);
    const fp = live.get(d.name);
    const block = blockedBy.get(d.name);
    const held = block?.env_id ? byId.get(block.env_id) : undefined;
    let state: StatusState;
    let owner: string | null = null;
    if (block?.rule === 'foreign_owner') {
      state = 'other_project';
      owner = held?.metadata[MANAGED_KEY] ?? null;
    } else if (block?.rule === 'unreadable_live') state = 'unreadable';
    else if (block?.rule === 'managed_by_ant') state = 'managed_by_ant';
    else if (block?.rule === 'unmanaged_conflict') state = 'unmanaged';
    else if (!action || action.kind === 'create') state = 'missing';
    else if (action.drift) state = 'drift';
    else if (action.kind === 'noop') state = 'in_sync';
    else state = 'pending';
    return {
      name: d.name,
      env_id:
        state === 'missing'
          ? null
          : (fp?.id ?? (action && 'env_id' in action ? action.env_id : (block?.env_id ?? null))),
      config_hash: state === 'missing' ? null : (fp?.config_hash ?? null),
      desired_hash: d.config_hash,
      state,
      owner,
      file: `${d.source.file}:${d.source.line}`,
    };
  });
}

const LABEL: Record<StatusState, string> = {
  in_sync: 'in sync',
  pending: 'pending',
  drift: 'drift',
  missing: 'missing',
  unmanaged: 'unmanaged',
  other_project: 'other project',
  unreadable: 'unreadable',
  managed_by_ant: 'ant apply (claude-lock.json)',
};

const declare = (c: Subject) =>
  c
    .argument('[dir]', "directory of environment files (default: the project file's dirs)")
    .addOption(formatOption(['text', 'json'], 'text'))
    .option(
      '--detailed-exitcode',
      'exit 0 when everything is in sync, 2 when anything is pending, drifted, missing or to archive, 3 blocked',
    );

async function runStatus(
  ctx: Ctx,
  dir: string | undefined,
  opts: OptionsOf<typeof declare>,
): Promise<number> {
  const { plan, desired, live } = await planFiles(ctx, dir, { maxArchive: Number.MAX_SAFE_INTEGER }, false);
  // With --detailed-exitcode, plan's rule: 0 in step, 2 something to do (pending, drift, missing, an archive),
  // 3 blocked (an unmanaged name, another project's, one envsync cannot read); without it, status exits 0.
  const code = opts.detailedExitcode ? planExitCode(plan, true) : 0;
  const rows = statusRows(plan, desired.environments, live.envs).sort((a, b) =>
    compareNatural(a.name, b.name),
  );
  if (opts.format === 'json') {
    ctx.io.stdout.write(
      `${JSON.stringify({ format_version: 1, target: plan.target, project: plan.project, workspace: plan.workspace, environments: rows }, null, 2)}\n`,
    );
    return code;
  }
  const p = ctx.out;
  // Names come from files and the API: shown escaped, and measured as shown.
  const width = Math.max(4, ...rows.map((r) => escapeText(r.name).length));
  const colour = (s: StatusState) => (s === 'in_sync' ? p.green : s === 'pending' ? p.yellow : p.red);
  ctx.io.stdout.write(
    `${p.bold(`${'NAME'.padEnd(width)}  ${'ENV ID'.padEnd(28)}  ${'HASH'.padEnd(8)}  STATE`)}\n`,
  );
  for (const r of rows) {
    const hash = r.config_hash ? shortHash(r.config_hash) : '-';
    ctx.io.stdout.write(
      `${escapeText(r.name).padEnd(width)}  ${(r.env_id ?? '-').padEnd(28)}  ${hash.padEnd(8)}  ${colour(r.state)(`${LABEL[r.state]}${r.owner === null ? '' : ` (${escapeText(r.owner)})`}`)}\n`,
    );
  }
  return code;
}

export default defineCommand({
  name: 'status',
  description: 'for each environment file: the live env ID, its config hash, and whether it is in sync',
  needs: ['api'],
  examples: [
    'envsync status',
    'envsync status --format json | jq -r \'.environments[] | "\\(.name) \\(.env_id)"\'',
    'envsync status --detailed-exitcode       # 0 in sync, 2 something to do, 3 blocked',
  ],
  exitCodes:
    '0 success (with --detailed-exitcode: everything in sync), 1 error, 2 something to do (--detailed-exitcode), 3 blocked (--detailed-exitcode)',
  declare,
  handler: runStatus,
});
