// What references the environments a plan would archive or recreate: listed only when it has such actions.

import type { EnvironmentsApi, EnvReferences, Plan, PlanAction, ReferenceIndex } from '../model.js';

/** Sessions started this long before the plan count as recent. */
export const RECENT_SESSIONS_MS = 7 * 24 * 3600 * 1000;

/** The env IDs whose archive (directly, or as a recreate's old environment) could strand something. */
export function retiringIds(plan: Pick<Plan, 'actions'>): string[] {
  return plan.actions
    .filter((a: PlanAction) => a.kind === 'archive' || (a.kind === 'recreate' && !a.keep_superseded))
    .map((a) => (a.kind === 'archive' || a.kind === 'recreate' ? a.env_id : ''));
}

/**
 * One list of deployments and one of the sessions started in the last 7 days, grouped by the env IDs asked
 * about. Lists cannot filter by environment, so both are paged and filtered here.
 */
export async function listReferences(
  api: EnvironmentsApi,
  ids: readonly string[],
  now: Date,
): Promise<ReferenceIndex> {
  const wanted = new Set(ids);
  const byEnv: Record<string, EnvReferences> = {};
  const entry = (id: string) => {
    byEnv[id] ??= { deployments: [], recent_sessions: 0 };
    return byEnv[id];
  };
  for (const id of wanted) entry(id);
  for (const d of await api.references.listDeployments()) {
    if (d.archived_at === null && wanted.has(d.environment_id)) {
      entry(d.environment_id).deployments.push({ id: d.id, name: d.name, status: d.status });
    }
  }
  const since = new Date(now.getTime() - RECENT_SESSIONS_MS).toISOString();
  for (const s of await api.references.sessionsSince(since)) {
    if (wanted.has(s.environment_id)) entry(s.environment_id).recent_sessions++;
  }
  return { sessions_since: since, byEnv };
}

/**
 * Deployments that took up an ID the plan retires after the plan listed its references (a saved plan, or
 * one that waited at the prompt): the plan never weighed them, so it is stale. Nothing with
 * --allow-referenced, and nothing when the plan retires nothing (no extra list then).
 */
export async function newReferences(api: EnvironmentsApi, plan: Plan, now: Date): Promise<string[]> {
  const ids = retiringIds(plan);
  if (ids.length === 0 || plan.options.allow_referenced) return [];
  const index = await listReferences(api, ids, now);
  const reasons: string[] = [];
  for (const a of plan.actions) {
    if (a.kind !== 'archive' && !(a.kind === 'recreate' && !a.keep_superseded)) continue;
    const weighed = new Set([
      ...(a.references?.deployments ?? []).map((d) => d.id),
      ...(a.kind === 'recreate' ? a.repoint.map((d) => d.id) : []),
    ]);
    for (const d of index.byEnv[a.env_id]?.deployments ?? []) {
      if (!weighed.has(d.id))
        reasons.push(
          `deployment ${d.name} (${d.id}) now uses ${a.env_id}, which the plan would leave archived`,
        );
    }
  }
  return reasons;
}
