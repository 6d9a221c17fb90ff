// Where each planned change comes from (a file with bases names its base) and which bases changes came from.

import { memberKey } from '../domain/members.js';
import type { DesiredPayload, FieldChange, Plan, PlanAction, SourceLocation } from '../model.js';
import { compareNatural } from '../util/order.js';

/** The file a change comes from, and the place to show (`file:line:column`, or the file alone). */
export interface ChangeOrigin {
  file: string;
  at: string;
}

const shown = (l: SourceLocation): ChangeOrigin => ({ file: l.file, at: `${l.file}:${l.line}:${l.column}` });

/** The environment's own file, from a payload's `file:line` source. */
function ownFile(desired: DesiredPayload): ChangeOrigin {
  const file = desired.source.replace(/:\d+$/, '');
  return { file, at: file };
}

function desiredOf(action: PlanAction): DesiredPayload | null {
  return 'desired' in action ? action.desired : null;
}

/**
 * Where a change of a planned environment was written: the value's place (a base's, when it inherited it);
 * for a removed member, the `remove:` entry that dropped it or the place of the member that replaces it (a
 * new version); null when no file holds what the change brings (a default, or a member no file lists now).
 * An environment without bases has its own file as the origin of every change.
 */
export function changeOrigin(change: FieldChange, desired: DesiredPayload): ChangeOrigin | null {
  const p = desired.provenance;
  if (p === undefined) return ownFile(desired);
  if (change.op === 'add') {
    const at = p.members[change.path]?.[change.value];
    return at ? shown(at) : null;
  }
  if (change.op === 'remove') {
    const key = memberKey(change.path);
    if (!key) return null;
    const name = key(change.value);
    const removed = p.removed[change.path]?.[name];
    if (removed) return shown(removed);
    const members = Object.entries(p.members[change.path] ?? {});
    const replacement = members.find(([member]) => key(member) === name)?.[1];
    return replacement ? shown(replacement) : null;
  }
  // A member whose version alone changed is one `set` of its list (pandas 2.2.0 → 2.2.1): where the new one is written.
  if (typeof change.after === 'string' && memberKey(change.path)) {
    const at = p.members[change.path]?.[change.after];
    return at ? shown(at) : null;
  }
  const field = p.fields[change.path];
  if (field) return shown(field);
  const metadataKey = /^metadata\.(.*)$/s.exec(change.path)?.[1];
  const removed = metadataKey === undefined ? undefined : p.removed.metadata?.[metadataKey];
  return removed ? shown(removed) : null;
}

/** `# from bases/python.yaml:5:9`, or why no file is named; '' for an action without desired state. */
export function originNote(action: PlanAction, change: FieldChange): string {
  if (!('desired' in action)) return '';
  const origin = changeOrigin(change, action.desired);
  if (origin) return `# from ${origin.at}`;
  return change.op === 'remove' || (change.op === 'set' && change.after === null)
    ? '# no file sets it now'
    : '# default';
}

/** A base and the planned environments with a change that comes from it. */
export interface BaseGroup {
  base: string;
  names: string[];
}

/**
 * For each base file, the environments whose planned changes come (at least in part) from it: a change to
 * a base plans every environment that inherits it, and a reviewer reads them as one change. Sorted by base.
 */
export function baseGroups(plan: Pick<Plan, 'actions'>): BaseGroup[] {
  const groups = new Map<string, string[]>();
  for (const action of plan.actions) {
    const desired = desiredOf(action);
    if (action.kind === 'noop' || !desired?.provenance) continue;
    const bases = new Set(desired.provenance.bases);
    const from = new Set(
      action.changes.flatMap((c) => {
        const origin = changeOrigin(c, desired);
        return origin && bases.has(origin.file) ? [origin.file] : [];
      }),
    );
    for (const base of from) {
      const names = groups.get(base);
      if (names) names.push(action.name);
      else groups.set(base, [action.name]);
    }
  }
  return [...groups]
    .map(([base, names]) => ({ base, names: names.sort(compareNatural) }))
    .sort((a, b) => compareNatural(a.base, b.base));
}

/** `a, b, c and 37 more`: the first few names of a group, for one line. */
export function groupNames(names: readonly string[], shownCount = 5): string {
  const first = names.slice(0, shownCount);
  const rest = names.length - first.length;
  return rest > 0 ? `${first.join(', ')} and ${rest} more` : first.join(', ');
}
