// Runs a plan: creates and updates, then recreates, then archives, in parallel within each phase.

import pLimit from 'p-limit';
import { userMetadata } from '../domain/ownership.js';
import { normalizeConfig } from '../hash/config-hash.js';
import type { ActionKind, LiveEnvironment, LiveFingerprint, Plan, PlanAction } from '../model.js';
import { runArchive, runCreate, runRecreate, runUpdate } from './actions.js';
import { type ApplyDeps, record } from './context.js';

export interface ApplyFailure {
  name: string;
  kind: ActionKind;
  message: string;
  hint: string | undefined;
}

export interface ApplyResult {
  plan_id: string;
  created: number;
  updated: number;
  recreated: number;
  archived: number;
  adopted: number;
  failed: ApplyFailure[];
}

const PHASES: ReadonlyArray<ReadonlyArray<ActionKind>> = [
  ['create', 'update', 'adopt'],
  ['recreate'],
  ['archive'],
];

function runAction(deps: ApplyDeps, action: PlanAction, seen: Map<string, LiveFingerprint>): Promise<string> {
  switch (action.kind) {
    case 'create':
      return runCreate(deps, action);
    case 'update':
    case 'adopt':
      return runUpdate(deps, action, seen.get(action.env_id));
    case 'recreate':
      return runRecreate(deps, action, seen.get(action.env_id));
    case 'archive':
      return runArchive(deps, action, seen.get(action.env_id));
    case 'noop':
      return Promise.resolve(action.env_id);
  }
}

/** Records drift the plan found before anything fixes it, so history shows what was really there. */
function recordDrift(deps: ApplyDeps, plan: Plan, live: ReadonlyMap<string, LiveEnvironment>): void {
  for (const action of plan.actions) {
    const drift = action.drift;
    if (!drift?.env_id || action.kind === 'noop') continue;
    if (drift.kind === 'missing') {
      record(deps, {
        op: 'drift',
        name: action.name,
        env_id: drift.env_id,
        config_hash: drift.observed_hash,
        detail: drift.detail,
      });
    } else {
      const env = live.get(drift.env_id);
      record(deps, {
        op: 'drift',
        name: action.name,
        env_id: drift.env_id,
        config_hash: drift.observed_hash,
        config: env ? normalizeConfig(env.config) : null,
        description: env?.description ?? null,
        metadata: env ? userMetadata(env.metadata) : null,
        detail: drift.detail,
      });
    }
  }
  for (const finding of plan.drift) {
    if (!finding.env_id) continue;
    record(deps, {
      op: 'drift',
      name: finding.name,
      env_id: finding.env_id,
      config_hash: finding.observed_hash,
      detail: finding.detail,
    });
  }
}

/**
 * Applies the plan's actions. One failed action does not stop the others; every failure is returned.
 * The changelog gets `begin` first, an entry per change as it lands, and `end` last.
 */
export async function applyPlan(
  deps: ApplyDeps,
  plan: Plan,
  live: readonly LiveEnvironment[],
  parallelism: number,
): Promise<ApplyResult> {
  const result: ApplyResult = {
    plan_id: plan.plan_id,
    created: 0,
    updated: 0,
    recreated: 0,
    archived: 0,
    adopted: 0,
    failed: [],
  };
  const seen = new Map(plan.live.map((l) => [l.id, l]));
  const limit = pLimit(Math.max(1, parallelism));
  record(deps, { op: 'begin', detail: JSON.stringify(plan.summary) });
  recordDrift(deps, plan, new Map(live.map((e) => [e.id, e])));

  for (const phase of PHASES) {
    const actions = plan.actions.filter((a) => phase.includes(a.kind));
    await Promise.all(
      actions.map((action) =>
        limit(async () => {
          const started = Date.now();
          deps.reporter.event({ type: 'action_start', kind: action.kind, name: action.name });
          try {
            const envId = await runAction(deps, action, seen);
            count(result, action.kind);
            deps.reporter.event({
              type: 'action_done',
              kind: action.kind,
              name: action.name,
              env_id: envId,
              ms: Date.now() - started,
            });
          } catch (e) {
            const message = e instanceof Error ? e.message : String(e);
            const hint = (e as { hint?: string }).hint;
            result.failed.push({ name: action.name, kind: action.kind, message, hint });
            deps.reporter.event({ type: 'action_failed', kind: action.kind, name: action.name, message });
          }
        }),
      ),
    );
  }
  record(deps, {
    op: 'end',
    detail: JSON.stringify({
      created: result.created,
      updated: result.updated,
      recreated: result.recreated,
      archived: result.archived,
      adopted: result.adopted,
      failed: result.failed.length,
    }),
  });
  return result;
}

function count(result: ApplyResult, kind: ActionKind): void {
  if (kind === 'create') result.created++;
  else if (kind === 'update') result.updated++;
  else if (kind === 'recreate') result.recreated++;
  else if (kind === 'archive') result.archived++;
  else if (kind === 'adopt') result.adopted++;
}

/** `Apply complete: 2 created, 1 updated, 0 recreated, 1 archived, 0 failed.` */
export function applySummaryLine(r: ApplyResult): string {
  const adopted = r.adopted > 0 ? `, ${r.adopted} adopted` : '';
  return `Apply complete: ${r.created} created, ${r.updated} updated, ${r.recreated} recreated, ${r.archived} archived${adopted}, ${r.failed.length} failed.`;
}
