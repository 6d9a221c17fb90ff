// Wording shared by the text and markdown renderers: marks, values, notes, drift, folded defaults, short summaries.

import type {
  ActionKind,
  DriftInfo,
  EnvReferences,
  FieldChange,
  LockNotes,
  PackageManager,
  Plan,
  PlanAction,
} from '../model.js';
import { compareNatural, groupBy } from '../util/order.js';

/** Terraform's marks. */
export const MARKS: Record<ActionKind, string> = {
  create: '+',
  update: '~',
  recreate: '-/+',
  archive: '-',
  adopt: '<=',
  noop: ' ',
};

export function formatValue(value: unknown): string {
  return JSON.stringify(value) ?? 'null';
}

/** `name (env_…)`, or just the name for a create. */
export function actionTitle(action: PlanAction): string {
  return action.kind === 'create' ? action.name : `${action.name} (${action.env_id})`;
}

/** One line on what an action does beyond its field changes, or null when the changes say it all. */
/** What references an environment a plan retires, in words; null when nothing does or nothing was listed. */
export function referencesNote(refs: EnvReferences | null): string | null {
  if (!refs || (refs.deployments.length === 0 && refs.recent_sessions === 0)) return null;
  const parts: string[] = [];
  if (refs.deployments.length > 0) {
    parts.push(
      `used by ${refs.deployments.map((d) => `deployment ${d.name} (${d.id}, ${d.status})`).join(', ')}`,
    );
  }
  if (refs.recent_sessions > 0)
    parts.push(`${refs.recent_sessions} session${refs.recent_sessions === 1 ? '' : 's'} in the last 7 days`);
  return parts.join('; ');
}

export function actionNote(action: PlanAction): string | null {
  switch (action.kind) {
    case 'recreate': {
      const why = action.reason === 'type_change' ? 'config.type changes' : 'on_config_change is recreate';
      const old = action.adopted ? 'the unmanaged environment' : 'the old environment';
      const fate = action.keep_superseded ? 'is kept' : 'is archived';
      const moves =
        action.repoint.length > 0
          ? `; ${action.repoint.map((d) => `deployment ${d.name} (${d.id})`).join(', ')} ${action.repoint.length === 1 ? 'moves' : 'move'} to the new ID`
          : '';
      const used = referencesNote(action.references);
      return `${why}: a new environment replaces it; ${old} moves to ${action.superseded_name} and ${fate}${moves}${used ? ` (${used})` : ''}`;
    }
    case 'adopt':
      return 'envsync takes over this environment and tags it as managed';
    case 'update':
      return action.changes.length === 0 ? "only envsync's ownership tags are rewritten" : null;
    case 'archive': {
      const notes = [
        action.archived_name === action.name ? 'already renamed; archived as is' : null,
        referencesNote(action.references),
      ].filter((n) => n !== null);
      return notes.length > 0 ? notes.join('; ') : null;
    }
    default:
      return null;
  }
}

/** One field change as a mark and text, the way both renderers print it: sets by member, scalars by value. */
export function changeLine(change: FieldChange): { mark: '+' | '-' | '~'; text: string } {
  if (change.op === 'add') return { mark: '+', text: `${change.path}: ${formatValue(change.value)}` };
  if (change.op === 'remove') return { mark: '-', text: `${change.path}: ${formatValue(change.value)}` };
  if (change.before === null) return { mark: '+', text: `${change.path}: ${formatValue(change.after)}` };
  if (change.after === null) return { mark: '-', text: `${change.path}: ${formatValue(change.before)}` };
  return {
    mark: '~',
    text: `${change.path}: ${formatValue(change.before)} → ${formatValue(change.after)}`,
  };
}

/**
 * A package change as the file wrote it, with what envsync.lock made of it: `"pandas"  (locked 2.2.3)`; a
 * spec sent as written says why (`not locked: …`). Other changes, and plans made without a lock, as they are.
 */
export function withLockNote(
  change: FieldChange,
  locks: LockNotes,
): { change: FieldChange; note: string | null } {
  const manager = /^config\.packages\.(apt|cargo|gem|go|npm|pip)$/.exec(change.path)?.[1] as
    | PackageManager
    | undefined;
  const sent = change.op === 'add' ? change.value : change.op === 'set' ? change.after : null;
  const note = manager === undefined || typeof sent !== 'string' ? undefined : locks[manager]?.[sent];
  if (note === undefined) return { change, note: null };
  if (note.version === null) return { change, note: `(not locked: ${note.reason ?? 'no entry'})` };
  const written =
    change.op === 'add' ? { ...change, value: note.written } : { ...change, after: note.written };
  return { change: written, note: `(locked ${note.version})` };
}

export interface DriftFinding {
  name: string;
  env_id: string | null;
  kind: DriftInfo['kind'];
  detail: string;
}

/** Every drift finding in the plan, those tied to actions and those without, in name order. */
export function driftFindings(plan: Pick<Plan, 'actions' | 'drift'>): DriftFinding[] {
  const fromActions = plan.actions.flatMap((a) =>
    a.drift === null
      ? []
      : [{ name: a.name, env_id: a.drift.env_id, kind: a.drift.kind, detail: a.drift.detail }],
  );
  const loose = plan.drift.map((d) => ({ name: d.name, env_id: d.env_id, kind: d.kind, detail: d.detail }));
  return [...fromActions, ...loose].sort((a, b) => compareNatural(a.name, b.name));
}

/** A drift finding's kind in words, the same in every renderer. */
export function driftKindText(kind: DriftInfo['kind']): string {
  return kind === 'missing'
    ? 'missing'
    : kind === 'config_changed'
      ? 'config changed'
      : 'changed outside envsync';
}

/** Actions worth listing: everything but noops. */
export function listedActions(plan: Pick<Plan, 'actions'>): PlanAction[] {
  return plan.actions.filter((a) => a.kind !== 'noop');
}

export function wideningText(action: PlanAction): string {
  return action.widening.map((w) => w.detail).join(', ');
}

/**
 * What the normal form fills in when a file says nothing, in the order the words are shown. A create
 * setting one of these changes nothing whether or not the file spelled it out, so it is folded into one
 * line instead of listed as a field. Empty package lists produce no change at all: `null` path.
 */
const DEFAULTS: ReadonlyArray<{ path: string | null; value: unknown; words: string }> = [
  { path: 'config.type', value: 'cloud', words: 'cloud' },
  { path: null, value: null, words: 'no packages' },
  { path: 'config.networking.type', value: 'unrestricted', words: 'networking unrestricted' },
  { path: 'config.networking.allow_mcp_servers', value: false, words: 'no MCP servers' },
  { path: 'config.networking.allow_package_managers', value: false, words: 'no package managers' },
];

function isDefault(change: FieldChange): boolean {
  if (change.op !== 'set' || change.before !== null) return false;
  return DEFAULTS.some((d) => d.path === change.path && d.value === change.after);
}

export interface FoldedChanges {
  /** The changes worth a line: for a create, what the file sets. */
  changes: FieldChange[];
  /** For a create, the defaults it takes, in words (`networking unrestricted`, `no packages`); else empty. */
  defaults: string[];
}

/** A create's changes without the fields at their defaults; other actions' changes untouched. */
export function foldDefaults(action: PlanAction): FoldedChanges {
  if (action.kind !== 'create') return { changes: action.changes, defaults: [] };
  const folded = new Set(action.changes.filter(isDefault).map((c) => c.path));
  const config = action.desired.config;
  const noPackages =
    config.type === 'cloud' && Object.values(config.packages).every((list) => list.length === 0);
  const defaults = DEFAULTS.filter((d) => (d.path === null ? noPackages : folded.has(d.path))).map(
    (d) => d.words,
  );
  return { changes: action.changes.filter((c) => !isDefault(c)), defaults };
}

/** `(defaults: cloud, no packages, networking unrestricted)`, or null when a create sets everything. */
export function defaultsNote(defaults: readonly string[]): string | null {
  return defaults.length === 0 ? null : `(defaults: ${defaults.join(', ')})`;
}

/** The part of the environment a change touches, for one-line summaries. */
function areaOf(path: string): string {
  const [head, second] = path.split('.');
  if (head !== 'config') return head ?? path;
  return second ?? 'type';
}

/**
 * A short what-changes text for one-line listings: `description, metadata (2), packages (+3 -1)`.
 * Areas keep the order of the changes, which is the diff's order.
 */
export function changeSummary(changes: readonly FieldChange[]): string {
  const parts: string[] = [];
  for (const [area, group] of groupBy(changes, (c) => areaOf(c.path))) {
    const added = group.filter((c) => c.op === 'add').length;
    const removed = group.filter((c) => c.op === 'remove').length;
    if (added + removed === group.length) {
      parts.push(
        `${area} (${[added > 0 ? `+${added}` : '', removed > 0 ? `-${removed}` : ''].filter(Boolean).join(' ')})`,
      );
    } else parts.push(group.length === 1 ? area : `${area} (${group.length})`);
  }
  return parts.join(', ');
}
