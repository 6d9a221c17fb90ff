// The history as a DAG of runs (pure): topological order, heads, forks, open runs, and every integrity problem.

import path from 'node:path';
import type { ChangelogEntry, HistoryProblem } from '../model.js';
import { entryHash, normalConfigHash } from './entry.js';
import { type PreviewRun, previewRunOf } from './preview-runs.js';
import type { ChangelogFile } from './store.js';
import { runFileName } from './writer.js';

export type { HistoryProblem } from '../model.js';

export interface RunNode {
  file: ChangelogFile;
  /** The hash of its last entry: what a later run's `begin.parents` names. null for a file with no entry. */
  tip: string | null;
  /** The tips this run began from (the legacy file has none). */
  parents: string[];
  /** When it began (its first entry), for ordering runs no parent link orders. */
  at: string;
  /** It has no `end`: an apply that was interrupted. */
  open: boolean;
  /** The env IDs whose write this run recorded as uncertain (its `end` says so). */
  uncertain: string[];
  /** A `preview up`/`down`/`gc` run (its begin says so): kept apart from the main history's state. */
  preview: PreviewRun | null;
}

export interface History {
  /** Runs in topological order; ties (forks) by begin time, then file name, so folding is deterministic. */
  runs: RunNode[];
  /** Every entry of every run, in run order. */
  entries: ChangelogEntry[];
  /** Runs no later run began from. */
  heads: RunNode[];
  /**
   * Main runs (not previews) no later main run began from: what the main history's state is read from, so
   * a preview run that began from an interrupted apply never hides that apply from the next one.
   */
  mainHeads: RunNode[];
  /** Integrity problems: edited, removed, reordered or unreadable lines, missing parents, torn tails. */
  problems: HistoryProblem[];
  /** Facts worth showing that are not problems: forks. */
  notes: string[];
}

const short = (hash: string) => hash.replace(/^sha256:/, '').slice(0, 12);

/** The plan ids of `begin` entries with no matching `end`, in one chain (a legacy file holds many runs). */
export function openPlanIds(entries: readonly ChangelogEntry[]): string[] {
  const open = new Set<string>();
  for (const e of entries) {
    if (e.op === 'begin') open.add(e.plan_id);
    else if (e.op === 'end') open.delete(e.plan_id);
  }
  return [...open];
}

/** `end.detail` is the run's JSON summary; `uncertain` lists env IDs whose write may or may not have landed. */
export function uncertainOf(entries: readonly ChangelogEntry[]): string[] {
  const end = entries.at(-1);
  if (end?.op !== 'end' || end.detail === null) return [];
  try {
    const detail: unknown = JSON.parse(end.detail);
    if (typeof detail !== 'object' || detail === null || !('uncertain' in detail)) return [];
    const list = detail.uncertain;
    return Array.isArray(list) ? list.filter((x): x is string => typeof x === 'string') : [];
  } catch {
    return [];
  }
}

function nodeOf(file: ChangelogFile): RunNode {
  const first = file.entries[0];
  const last = file.entries.at(-1);
  return {
    file,
    tip: last?.hash ?? null,
    parents: first?.op === 'begin' && first.v === 2 ? (first.parents ?? []) : [],
    at: first?.at ?? '',
    open: file.legacy ? openPlanIds(file.entries).length > 0 : last?.op !== 'end',
    uncertain: uncertainOf(file.entries),
    preview: file.legacy ? null : previewRunOf(file.entries),
  };
}

/** The checks within one file: each line typed, hashed, chained and counted; a run file is one begin…end. */
export function checkFile(file: ChangelogFile): HistoryProblem[] {
  const problems: HistoryProblem[] = file.badLines.map((b) => ({
    file: file.path,
    line: b.line,
    message: b.torn ? 'unterminated last line (a write cut short)' : `not a changelog entry: ${b.message}`,
  }));
  const at = (i: number) => file.lines[i] ?? null;
  const add = (i: number, message: string) => problems.push({ file: file.path, line: at(i), message });
  const planId = file.entries[0]?.plan_id;
  file.entries.forEach((e, i) => {
    const prev = file.entries[i - 1];
    if (entryHash(e) !== e.hash)
      add(i, `entry seq ${e.seq} was modified: its hash does not match its content`);
    if (i === 0 && e.prev !== null)
      add(i, 'the first entry points at a previous one: lines before it are missing');
    if (i === 0 && e.seq !== 1) add(i, `the first entry is seq ${e.seq}: lines before it are missing`);
    if (prev) {
      if (e.prev !== prev.hash)
        add(
          i,
          `entry seq ${e.seq} does not chain to the line before it (a line was removed, inserted or reordered)`,
        );
      if (e.seq !== prev.seq + 1) add(i, `seq ${e.seq} follows seq ${prev.seq}`);
    }
    if (e.config !== null && e.config_hash !== null) {
      const actual = normalConfigHash(e.config);
      if (actual !== e.config_hash)
        add(i, `entry seq ${e.seq} records config hash ${e.config_hash}, but its config hashes to ${actual}`);
    }
    if (file.legacy) return;
    if (e.v !== 2) add(i, `entry seq ${e.seq} is a v1 entry in a run file`);
    else if ((e.parents !== null) !== (e.op === 'begin'))
      add(i, `entry seq ${e.seq}: only a begin entry has parents`);
    if (i === 0 && e.op !== 'begin') add(i, `a run file starts with ${e.op}, not begin`);
    if (i === 0 && e.op === 'begin' && file.name !== runFileName(new Date(e.at), e.plan_id))
      add(
        i,
        `the run file's name does not match its begin (${runFileName(new Date(e.at), e.plan_id)}): renamed, or copied from another run`,
      );
    if (i > 0 && e.op === 'begin') add(i, 'a second begin in one run file');
    if (prev?.op === 'end') add(i, `entry seq ${e.seq} follows the run's end`);
    if (e.plan_id !== planId)
      add(i, `entry seq ${e.seq} belongs to plan ${e.plan_id}, not this run's ${planId}`);
  });
  if (file.legacy) {
    const begins = new Map<string, number>();
    file.entries.forEach((e, i) => {
      if (e.op === 'begin') begins.set(e.plan_id, i);
      if (e.op === 'end') {
        if (!begins.has(e.plan_id)) add(i, `end of plan ${e.plan_id} without its begin`);
        begins.delete(e.plan_id);
      }
    });
  }
  return problems;
}

interface Ordered {
  runs: RunNode[];
  problems: HistoryProblem[];
  children: Map<RunNode, RunNode[]>;
}

/** Kahn's algorithm; among runs ready at once, the earliest begin (then file name) goes first. */
function order(nodes: readonly RunNode[]): Ordered {
  const byTip = new Map<string, RunNode>();
  const lineOf = new Map<string, { node: RunNode; line: number | null }>();
  for (const n of nodes) {
    if (n.tip) byTip.set(n.tip, n);
    for (const [i, e] of n.file.entries.entries())
      lineOf.set(e.hash, { node: n, line: n.file.lines[i] ?? null });
  }
  const problems: HistoryProblem[] = [];
  const children = new Map<RunNode, RunNode[]>(nodes.map((n) => [n, []]));
  const waiting = new Map<RunNode, number>();
  for (const n of nodes) {
    let count = 0;
    for (const hash of new Set(n.parents)) {
      const parent = byTip.get(hash);
      if (parent && parent !== n) {
        children.get(parent)?.push(n);
        count++;
        continue;
      }
      const inside = lineOf.get(hash);
      const where = { file: n.file.path, line: n.file.lines[0] ?? null };
      problems.push({
        ...where,
        message: inside
          ? `this run began from line ${inside.line} of ${inside.node.file.name}, which is not its last line: lines were added to that run after it ended`
          : `this run began from ${short(hash)}, which ends no run file: a run file is missing or was cut short`,
      });
    }
    waiting.set(n, count);
  }
  const cmp = (a: RunNode, b: RunNode) =>
    Number(b.file.legacy) - Number(a.file.legacy) ||
    (a.at < b.at ? -1 : a.at > b.at ? 1 : 0) ||
    (a.file.name < b.file.name ? -1 : a.file.name > b.file.name ? 1 : 0);
  const ready = nodes.filter((n) => waiting.get(n) === 0).sort(cmp);
  const runs: RunNode[] = [];
  while (ready.length > 0) {
    const n = ready.shift() as RunNode;
    runs.push(n);
    for (const child of children.get(n) ?? []) {
      const left = (waiting.get(child) ?? 0) - 1;
      waiting.set(child, left);
      if (left === 0) {
        // Insert in order: the ready list stays sorted, so the order never depends on the file system.
        const at = ready.findIndex((r) => cmp(child, r) < 0);
        ready.splice(at === -1 ? ready.length : at, 0, child);
      }
    }
  }
  if (runs.length < nodes.length) {
    const placed = new Set(runs);
    const stuck = nodes.filter((n) => !placed.has(n)).sort(cmp);
    for (const n of stuck)
      problems.push({
        file: n.file.path,
        line: n.file.lines[0] ?? null,
        message: 'this run is its own ancestor (its parents were edited)',
      });
    runs.push(...stuck);
  }
  return { runs, problems, children };
}

function forkNotes(runs: readonly RunNode[], children: Map<RunNode, RunNode[]>): string[] {
  const notes: string[] = [];
  for (const n of runs) {
    const kids = (children.get(n) ?? []).map((c) => c.file.name).sort();
    if (kids.length > 1)
      notes.push(
        `fork: ${kids.join(' and ')} both began from ${n.file.name} (applies that did not see each other; both are kept)`,
      );
  }
  const roots = runs.filter((n) => !n.file.legacy && n.parents.length === 0).map((n) => n.file.name);
  if (roots.length > 1) notes.push(`fork: ${roots.join(' and ')} both began an empty history`);
  return notes;
}

/**
 * The history as a DAG: the legacy file (if any) is its root, each run file a node whose `begin.parents`
 * name the runs it continued. Forks are legitimate; a missing or extended parent, and any problem inside a
 * file, is reported. A torn tail (or one set aside) counts as a problem while its run is still a head.
 */
export function buildHistory(
  legacy: ChangelogFile | null,
  runFiles: readonly ChangelogFile[],
  /** The torn tails set aside earlier (`<run>.jsonl.torn-N`), as paths. */
  aside: readonly string[] = [],
): History {
  const nodes = [...(legacy ? [legacy] : []), ...runFiles]
    .filter((f) => f.entries.length > 0 || f.badLines.length > 0)
    .map(nodeOf);
  const { runs, problems, children } = order(nodes);
  for (const n of nodes) problems.push(...checkFile(n.file));
  const heads = runs.filter((n) => (children.get(n) ?? []).length === 0);
  // Children before parents: whether any main run descends from each run.
  const mainBelow = new Map<RunNode, boolean>();
  for (const n of [...runs].reverse())
    mainBelow.set(
      n,
      (children.get(n) ?? []).some((c) => c.preview === null || mainBelow.get(c) === true),
    );
  const mainHeads = runs.filter((n) => n.preview === null && mainBelow.get(n) !== true);
  const headNames = new Set(heads.map((h) => h.file.name));
  for (const file of aside) {
    const runName = path.basename(file).replace(/\.torn-\d+$/, '');
    // An emptied run file is no node: its fragment counts until a later run (a later file name) exists.
    const closed = runs.some((r) => r.file.name === runName)
      ? !headNames.has(runName)
      : runs.some((r) => !r.file.legacy && r.file.name > runName);
    if (!closed) {
      problems.push({
        file,
        line: null,
        message: `a torn last line of ${runName} was set aside here; the next apply that records a change closes that run`,
      });
    }
  }
  for (const h of heads) {
    if (!h.open || h.file.entries.length === 0) continue;
    problems.push({
      file: h.file.path,
      line: h.file.lines[0] ?? null,
      message: `apply of plan ${openPlanIds(h.file.entries).join(', ') || h.file.entries[0]?.plan_id} began but never ended (interrupted; the next apply reconciles it)`,
    });
  }
  return {
    runs,
    entries: runs.flatMap((r) => r.file.entries),
    heads,
    mainHeads,
    problems,
    notes: forkNotes(runs, children),
  };
}

/** The `begin.parents` of the next run: the sorted tips of the heads. */
export function parentsFor(history: Pick<History, 'heads'>): string[] {
  return history.heads.flatMap((h) => (h.tip ? [h.tip] : [])).sort();
}

/** Heads left open: interrupted applies the next run reconciles (and whose changes are not "another apply"). */
export function openHeads(history: Pick<History, 'heads'>): RunNode[] {
  return history.heads.filter((h) => h.open);
}
