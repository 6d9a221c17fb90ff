// The audit timeline: which env IDs served a name, and every recorded step with its field-level change.

import { type DiffSide, diffEnvironment } from '../domain/diff.js';
import { retiredBaseName } from '../domain/naming.js';
import type { ChangelogEntry, FieldChange, StepEntry } from '../model.js';
import { compareNatural } from '../util/order.js';

/** One recorded change to one environment, with what it changed relative to that environment's previous record. */
export interface TimelineStep {
  entry: StepEntry;
  changes: FieldChange[];
}

export interface EnvironmentHistory {
  /** The name the environments served (a retired `<name>~<hash8>` counts as `<name>`). */
  name: string;
  /** Every env ID that ever served the name, in the order they first appear. */
  env_ids: string[];
  steps: TimelineStep[];
}

/** begin and end frame a run; they say nothing about one environment. */
export function isStep(entry: ChangelogEntry): entry is StepEntry {
  return entry.env_id !== null;
}

/** The name an environment is filed under: superseded and archived ones keep their original name's history. */
export function baseName(name: string): string {
  return retiredBaseName(name) ?? name;
}

function sideOf(entry: StepEntry, config: NonNullable<ChangelogEntry['config']>): DiffSide {
  // Scope is not recorded, so it is never compared.
  return { description: entry.description, metadata: entry.metadata ?? {}, scope: null, config };
}

/**
 * The field-level change of every step, keyed by the entry. Each env ID is compared with its own previous
 * record; a recreate's new ID is compared with the environment it replaces, so the step shows what the
 * new config changed rather than listing every field as new. Entries without a config (an environment
 * found gone) change nothing and leave the previous record in place for the next comparison.
 */
export function stepChanges(entries: readonly ChangelogEntry[]): Map<ChangelogEntry, FieldChange[]> {
  const last = new Map<string, { name: string | null; side: DiffSide; hash: string | null }>();
  const out = new Map<ChangelogEntry, FieldChange[]>();
  for (const entry of entries) {
    if (!isStep(entry)) continue;
    const id = entry.env_id;
    const prior = last.get(id) ?? (entry.replaces ? last.get(entry.replaces) : undefined);
    if (entry.config === null) {
      out.set(entry, []);
      continue;
    }
    const side = sideOf(entry, entry.config);
    // Most steps of a long history re-record what was there: the same config hash, description and
    // metadata diff to nothing, and need no deep comparison.
    const changes =
      prior && prior.hash === entry.config_hash && sameFields(prior.side, side)
        ? []
        : diffEnvironment(prior?.side ?? null, side);
    if (prior && entry.name !== null && prior.name !== null && prior.name !== entry.name) {
      changes.unshift({ op: 'set', path: 'name', before: prior.name, after: entry.name });
    }
    out.set(entry, changes);
    last.set(id, { name: entry.name ?? prior?.name ?? null, side, hash: entry.config_hash });
  }
  return out;
}

function sameFields(a: DiffSide, b: DiffSide): boolean {
  if (a.description !== b.description) return false;
  const ka = Object.keys(a.metadata);
  return ka.length === Object.keys(b.metadata).length && ka.every((k) => a.metadata[k] === b.metadata[k]);
}

/**
 * The rule, once: a step files its env ID — and the ID it replaces (a recreate) — under its name's base (a
 * retired `<name>~<hash8>` counts as `<name>`). Null for a step that names nothing.
 */
export function servedUnder(e: StepEntry): { name: string; ids: string[] } | null {
  if (e.name === null) return null;
  return { name: baseName(e.name), ids: e.replaces ? [e.env_id, e.replaces] : [e.env_id] };
}

/** Every env ID that ever served name: recorded under it or its retired form, or replaced by one that was. */
export function idsServing(entries: readonly ChangelogEntry[], name: string): Set<string> {
  const ids = new Set<string>();
  for (const e of entries) {
    const served = isStep(e) ? servedUnder(e) : null;
    if (served?.name === name) for (const id of served.ids) ids.add(id);
  }
  return ids;
}

/** Every name the changelog knows, sorted, each a retired name's original. */
export function recordedNames(entries: readonly ChangelogEntry[]): string[] {
  const names = new Set<string>();
  for (const e of entries) if (isStep(e) && e.name !== null) names.add(baseName(e.name));
  return [...names].sort(compareNatural);
}

/**
 * Steps that record nothing new: the `update` an apply wrote right after a `rename` of the same ID in the
 * same run (earlier versions did), which changes no field the rename did not already show. Hidden from every
 * audit view so a rename reads as one step, whether or not an old changelog holds the echo.
 */
function isRenameEcho(step: TimelineStep, before: StepEntry | undefined): boolean {
  return (
    step.entry.op === 'update' &&
    step.changes.length === 0 &&
    before?.op === 'rename' &&
    before.plan_id === step.entry.plan_id
  );
}

/** The steps, in order, without rename echoes (each compared with the previous step of its own ID). */
export function visibleSteps(steps: readonly TimelineStep[]): TimelineStep[] {
  const lastOf = new Map<string, StepEntry>();
  const out: TimelineStep[] = [];
  for (const step of steps) {
    const before = lastOf.get(step.entry.env_id);
    lastOf.set(step.entry.env_id, step.entry);
    if (!isRenameEcho(step, before)) out.push(step);
  }
  return out;
}

function timeline(name: string, steps: TimelineStep[]): EnvironmentHistory {
  const shown = visibleSteps(steps);
  return { name, env_ids: [...new Set(shown.map((s) => s.entry.env_id))], steps: shown };
}

/**
 * The timeline of one name, oldest first (history order): every env ID that ever served it, so the
 * history of an old name also shows where its environment went. Empty steps when the changelog never
 * recorded it.
 */
export function historyOf(entries: readonly ChangelogEntry[], name: string): EnvironmentHistory {
  const changes = stepChanges(entries);
  const ids = idsServing(entries, name);
  const steps = entries
    .filter(isStep)
    .filter((e) => ids.has(e.env_id))
    .map((entry) => ({ entry, changes: changes.get(entry) ?? [] }));
  return timeline(name, steps);
}

/**
 * The name each env ID is filed under when every name is listed: the name it was last recorded with (a
 * retired `<name>~<hash8>` counts as `<name>`), or, for an ID a recreate replaced, its replacer's. So a
 * renamed environment is listed once, under its current name, with the steps from before its rename.
 */
export function currentNames(entries: readonly ChangelogEntry[]): Map<string, string> {
  const lastName = new Map<string, string>();
  const replacedBy = new Map<string, string>();
  for (const e of entries) {
    if (!isStep(e)) continue;
    if (e.name !== null) lastName.set(e.env_id, baseName(e.name));
    if (e.replaces && e.replaces !== e.env_id) replacedBy.set(e.replaces, e.env_id);
  }
  const out = new Map<string, string>();
  for (const id of new Set([...lastName.keys(), ...replacedBy.keys()])) {
    // Follow the replacements to the newest ID (a chain of recreates); a cycle would be an edited changelog.
    let at = id;
    const seen = new Set<string>([at]);
    for (let next = replacedBy.get(at); next !== undefined && !seen.has(next); next = replacedBy.get(at)) {
      seen.add(next);
      at = next;
    }
    const name = lastName.get(at) ?? lastName.get(id);
    if (name !== undefined) out.set(id, name);
  }
  return out;
}

/**
 * The timeline of every name the changelog knows, in name order, each env ID under its current name only.
 * One pass groups the steps by env ID, so the cost grows with the entries, not with entries × names.
 */
export function historyAll(entries: readonly ChangelogEntry[]): EnvironmentHistory[] {
  const changes = stepChanges(entries);
  const nameOf = currentNames(entries);
  const stepsByName = new Map<string, TimelineStep[]>();
  for (const e of entries) {
    if (!isStep(e)) continue;
    const name = nameOf.get(e.env_id);
    if (name === undefined) continue;
    const list = stepsByName.get(name) ?? [];
    list.push({ entry: e, changes: changes.get(e) ?? [] });
    stepsByName.set(name, list);
  }
  return [...stepsByName.keys()]
    .sort(compareNatural)
    .map((name) => timeline(name, stepsByName.get(name) ?? []));
}
