// Which recorded step each session ran on: the step whose time window on the session's env ID holds its created_at.

/** What the page needs of a session: the SDK's session object has these, and more. */
export interface SessionRef {
  environment_id: string;
  created_at: string;
}

/** What the matcher needs of a step. */
interface MatchStep {
  entry: { env_id: string | null; at: string };
}

export interface SessionMatch<S> {
  /** Sessions per step, for the steps that served at least one. */
  perStep: Map<S, number>;
  /** Sessions on a shown env ID created before its first recorded step (before an adopt, or a clock skew). */
  before: number;
  /** Sessions on a shown env ID: perStep's sum plus before. Sessions on other environments are not counted. */
  total: number;
}

/** The index of the last time ≤ t in ascending times, or -1. */
function lastAtOrBefore(times: readonly number[], t: number): number {
  let lo = 0;
  let hi = times.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if ((times[mid] as number) <= t) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found;
}

/**
 * Counts sessions per step. A step's window on its env ID runs from its own time to the next step on the
 * same ID, so a session belongs to the config that ID served when the session was created (a drift step
 * included: that is what the container really had). Steps on one ID are ordered by time, ties in the given
 * order, as `resolve` orders them; the list API cannot filter by environment, so this filters locally.
 */
export function matchSessions<S extends MatchStep>(
  steps: Iterable<S>,
  sessions: Iterable<SessionRef>,
): SessionMatch<S> {
  const byId = new Map<string, { step: S; t: number }[]>();
  for (const step of steps) {
    const id = step.entry.env_id;
    const t = Date.parse(step.entry.at);
    if (id === null || Number.isNaN(t)) continue;
    const list = byId.get(id) ?? [];
    list.push({ step, t });
    byId.set(id, list);
  }
  const index = new Map<string, { steps: S[]; times: number[] }>();
  for (const [id, list] of byId) {
    // A stable sort: entries of the same millisecond keep their changelog order.
    const sorted = [...list].sort((a, b) => a.t - b.t);
    index.set(id, { steps: sorted.map((x) => x.step), times: sorted.map((x) => x.t) });
  }
  const perStep = new Map<S, number>();
  let before = 0;
  let total = 0;
  for (const session of sessions) {
    const on = index.get(session.environment_id);
    const t = Date.parse(session.created_at);
    if (!on || Number.isNaN(t)) continue;
    total++;
    const i = lastAtOrBefore(on.times, t);
    const step = on.steps[i];
    if (step === undefined) before++;
    else perStep.set(step, (perStep.get(step) ?? 0) + 1);
  }
  return { perStep, before, total };
}
