// The audit page's data: timelines as lanes and display-ready steps, every string from the changelog made visible-safe.

import { wideningOf } from '../../domain/diff.js';
import { retiredBaseName } from '../../domain/naming.js';
import type { FieldChange, NormalConfig } from '../../model.js';
import { changeLine } from '../../render/format.js';
import { escapeText } from '../../text/escape.js';
import { commitUrl, type RepositoryLink } from './repository.js';
import { matchSessions, type SessionMatch, type SessionRef } from './sessions.js';

/**
 * What the page needs of a changelog entry: fields `history --format json` prints. `op` is a string, not the
 * union, so an op a newer changelog adds is drawn as a plain step rather than refused.
 */
export interface PageEntry {
  seq: number;
  at: string;
  op: string;
  name: string | null;
  env_id: string | null;
  config_hash: string | null;
  config: NormalConfig | null;
  replaces: string | null;
  source: string | null;
  git_commit: string | null;
  actor: string;
  plan_id: string;
  detail: string | null;
}

export interface PageStep {
  entry: PageEntry;
  changes: readonly FieldChange[];
}

/** One name's timeline, as `historyOf`/`historyAll` return it. */
export interface PageHistory {
  name: string;
  env_ids: readonly string[];
  steps: readonly PageStep[];
}

/** The sessions listed through the API, and from when they were listed. */
export interface SessionsSeen {
  since: string | null;
  sessions: readonly SessionRef[];
}

/** One env ID's lane: the rows it spans in its name's timeline (to its archive, or to the end). */
export interface Lane {
  id: string;
  from: number;
  to: number;
  /** The rail column it is drawn in: a column is reused once its lane has ended, as git's graph does. */
  col: number;
  archived: boolean;
  /** The name this ID took later, when it is not the history's name (renamed away): it serves that name now. */
  movedTo: string | null;
  steps: number;
  firstAt: string;
  lastAt: string;
  sessions: number | null;
}

/** A step as the page's script draws it; short keys because a long history embeds a hundred thousand. */
export interface StepRow {
  /** lane index */
  l: number;
  /** when */
  t: string;
  /** op, for the CSS class (`drift`, `update`, … or `other`) */
  o: string;
  /** Terraform's mark */
  m: string;
  /** label */
  k: string;
  /** config hash (the page shows its first 8 hex digits; the env ID comes from the lane) */
  H: string;
  /** actor */
  a: string;
  /** commit (the page shortens it), and its web page or null */
  C: string;
  u: string | null;
  /** notes: what it replaced, why, from which file */
  n: string[];
  /** field changes as [mark, text] */
  d: [string, string][];
  /** what it widens */
  w: string[];
  /** sessions on this step, or null when sessions were not listed */
  s: number | null;
  /** plan ID and seq */
  p: string;
  q: number;
}

export interface EnvView {
  name: string;
  archived: boolean;
  lanes: Lane[];
  steps: StepRow[];
  drifts: number;
  widenings: number;
  sessions: number | null;
  lastAt: string | null;
}

const KNOWN_OPS: Record<string, { mark: string; label: string }> = {
  create: { mark: '+', label: 'create' },
  update: { mark: '~', label: 'update' },
  recreate: { mark: '-/+', label: 'recreate' },
  archive: { mark: '-', label: 'archive' },
  adopt: { mark: '<=', label: 'adopt' },
  drift: { mark: '!', label: 'drift found' },
  forget: { mark: 'x', label: 'forget' },
};

function opOf(op: string): { cls: string; mark: string; label: string } {
  const known = KNOWN_OPS[op];
  return known ? { cls: op, ...known } : { cls: 'other', mark: '·', label: escapeText(op) };
}

function notesOf(e: PageEntry): string[] {
  const notes: string[] = [];
  if (e.replaces) notes.push(`replaces ${e.replaces}`);
  if (e.detail) notes.push(e.detail);
  if (e.source) notes.push(`from ${e.source}`);
  return notes.map(escapeText);
}

/** Lanes in order of first appearance; an archive ends its lane (an archived environment serves nothing). */
function lanesOf(history: PageHistory): { lanes: Lane[]; laneOf: Map<string, number> } {
  const laneOf = new Map<string, number>();
  const lanes: Lane[] = [];
  history.steps.forEach((step, row) => {
    const id = step.entry.env_id ?? '';
    let index = laneOf.get(id);
    if (index === undefined) {
      index = lanes.length;
      laneOf.set(id, index);
      lanes.push({
        id: escapeText(id),
        from: row,
        to: row,
        col: 0,
        archived: false,
        movedTo: null,
        steps: 0,
        firstAt: escapeText(step.entry.at),
        lastAt: '',
        sessions: null,
      });
    }
    const lane = lanes[index] as Lane;
    lane.steps++;
    lane.to = row;
    lane.lastAt = escapeText(step.entry.at);
    if (step.entry.op === 'archive') lane.archived = true;
    if (step.entry.name !== null) {
      const now = retiredBaseName(step.entry.name) ?? step.entry.name;
      lane.movedTo = now === history.name ? null : escapeText(now);
    }
  });
  const last = history.steps.length - 1;
  for (const lane of lanes) if (!lane.archived) lane.to = last;
  // Lanes are in order of their first row: each takes the lowest column whose last lane has ended, so an
  // environment recreated a hundred times still draws as wide as the most IDs it had alive at once.
  const columnEnds: number[] = [];
  for (const lane of lanes) {
    const free = columnEnds.findIndex((end) => end < lane.from);
    lane.col = free === -1 ? columnEnds.length : free;
    columnEnds[lane.col] = lane.to;
  }
  return { lanes, laneOf };
}

/** What each step widens, against that env ID's previous config (a recreate against the one it replaces). */
function wideningsOf(history: PageHistory): Map<PageStep, string[]> {
  const lastConfig = new Map<string, NormalConfig>();
  const out = new Map<PageStep, string[]>();
  for (const step of history.steps) {
    const e = step.entry;
    if (e.config === null || e.env_id === null) continue;
    const prior = lastConfig.get(e.env_id) ?? (e.replaces ? lastConfig.get(e.replaces) : undefined) ?? null;
    const widening = wideningOf(prior, e.config);
    if (widening.length > 0)
      out.set(
        step,
        widening.map((w) => escapeText(w.detail)),
      );
    lastConfig.set(e.env_id, e.config);
  }
  return out;
}

export interface PageOptions {
  repository: RepositoryLink | null;
  sessions: SessionsSeen | null;
}

/** What the page's totals line counts. */
export interface PageTotals {
  steps: number;
  envIds: number;
  drifts: number;
  widenings: number;
  archived: number;
}

/** Everything the rows of one name need that is worked out over all names once (the sessions). */
export interface PageContext {
  repository: RepositoryLink | null;
  match: SessionMatch<PageStep> | null;
}

export function pageContext(histories: readonly PageHistory[], options: PageOptions): PageContext {
  return {
    repository: options.repository,
    match: options.sessions
      ? matchSessions(
          histories.flatMap((h) => h.steps),
          options.sessions.sessions,
        )
      : null,
  };
}

/** One name's view: its lanes and a display-ready row per step. */
export function envView(history: PageHistory, context: PageContext): EnvView {
  const { match, repository } = context;
  const { lanes, laneOf } = lanesOf(history);
  const widen = wideningsOf(history);
  const steps = history.steps.map((step): StepRow => {
    const e = step.entry;
    const op = opOf(e.op);
    const lane = laneOf.get(e.env_id ?? '') ?? 0;
    const sessions = match ? (match.perStep.get(step) ?? 0) : null;
    const laneView = lanes[lane] as Lane;
    if (sessions !== null) laneView.sessions = (laneView.sessions ?? 0) + sessions;
    return {
      l: lane,
      t: escapeText(e.at),
      o: op.cls,
      m: op.mark,
      k: op.label,
      H: e.config_hash ? escapeText(e.config_hash) : '-',
      a: escapeText(e.actor),
      C: e.git_commit ? escapeText(e.git_commit) : '',
      u: commitUrl(repository, e.git_commit),
      n: notesOf(e),
      d: step.changes.map((c) => {
        const line = changeLine(c);
        return [line.mark, escapeText(line.text)];
      }),
      w: widen.get(step) ?? [],
      s: sessions,
      p: escapeText(e.plan_id),
      q: e.seq,
    };
  });
  let drifts = 0;
  let widenings = 0;
  let sessions = match ? 0 : null;
  for (const row of steps) {
    if (row.o === 'drift') drifts++;
    if (row.w.length > 0) widenings++;
    if (sessions !== null) sessions += row.s ?? 0;
  }
  return {
    name: escapeText(history.name),
    archived: lanes.length > 0 && lanes.every((l) => l.archived),
    lanes,
    steps,
    drifts,
    widenings,
    sessions,
    lastAt: steps.at(-1)?.t ?? null,
  };
}

/** What the totals line counts, added up one name at a time. */
export function addTotals(totals: PageTotals, env: EnvView): void {
  totals.steps += env.steps.length;
  totals.envIds += env.lanes.length;
  totals.drifts += env.drifts;
  totals.widenings += env.widenings;
  if (env.archived) totals.archived++;
}

export const noTotals = (): PageTotals => ({
  steps: 0,
  envIds: 0,
  drifts: 0,
  widenings: 0,
  archived: 0,
});
