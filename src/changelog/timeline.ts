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

/** Every env ID that ever served name: recorded under it or its retired form, or replaced by one that was. */
export function idsServing(entries: readonly ChangelogEntry[], name: string): Set<string> {
  const ids = new Set<string>();
  for (const e of entries) {
    if (!isStep(e) || e.name === null || baseName(e.name) !== name) continue;
    ids.add(e.env_id);
    if (e.replaces) ids.add(e.replaces);
  }
  return ids;
}

/** Every name the changelog knows, sorted, each a retired name's original. */
export function recordedNames(entries: readonly ChangelogEntry[]): string[] {
  const names = new Set<string>();
  for (const e of entries) if (isStep(e) && e.name !== null) names.add(baseName(e.name));
  return [...names].sort(compareNatural);
}

function historyWith(
  entries: readonly ChangelogEntry[],
  name: string,
  changes: ReadonlyMap<ChangelogEntry, FieldChange[]>,
): EnvironmentHistory {
  const ids = idsServing(entries, name);
  const steps = entries
    .filter(isStep)
    .filter((e) => ids.has(e.env_id))
    .map((entry) => ({ entry, changes: changes.get(entry) ?? [] }));
  const envIds = [...new Set(steps.map((s) => s.entry.env_id))];
  return { name, env_ids: envIds, steps };
}

/** The timeline of one name, oldest first (history order); empty steps when the changelog never recorded it. */
export function historyOf(entries: readonly ChangelogEntry[], name: string): EnvironmentHistory {
  return historyWith(entries, name, stepChanges(entries));
}

/**
 * The timeline of every name the changelog knows, in name order. One pass groups the steps by env ID and
 * the env IDs by name, so the cost grows with the entries, not with entries × names.
 */
export function historyAll(entries: readonly ChangelogEntry[]): EnvironmentHistory[] {
  const changes = stepChanges(entries);
  const stepsById = new Map<string, number[]>();
  const idsByName = new Map<string, Set<string>>();
  entries.forEach((e, i) => {
    if (!isStep(e)) return;
    const list = stepsById.get(e.env_id);
    if (list) list.push(i);
    else stepsById.set(e.env_id, [i]);
    if (e.name === null) return;
    const name = baseName(e.name);
    const ids = idsByName.get(name) ?? new Set<string>();
    ids.add(e.env_id);
    if (e.replaces) ids.add(e.replaces);
    idsByName.set(name, ids);
  });
  return [...idsByName.keys()].sort(compareNatural).map((name) => {
    const ids = idsByName.get(name) ?? new Set<string>();
    const order = [...ids].flatMap((id) => stepsById.get(id) ?? []).sort((a, b) => a - b);
    const steps = order.map((i) => {
      const entry = entries[i] as StepEntry;
      return { entry, changes: changes.get(entry) ?? [] };
    });
    return { name, env_ids: [...new Set(steps.map((st) => st.entry.env_id))], steps };
  });
}
