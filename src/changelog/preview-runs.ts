// Preview runs (DESIGN §14): marked on their `begin` line, kept in the one history, and left out of what the
// main plan, status, verify and history read, so a preview is never recorded state, drift or "behind".

import type { ChangelogEntry } from '../model.js';

/** What a preview run did: `preview up` or `down` for one preview ID, `preview gc` for every expired one. */
export interface PreviewRun {
  action: 'up' | 'down' | 'gc';
  /** The preview IDs it touched (up and down: one). */
  ids: string[];
}

const ACTIONS: ReadonlySet<string> = new Set(['up', 'down', 'gc']);

/**
 * The `begin.detail` of a preview run: the plan's counts, marked `kind: "preview"` with the action and the
 * preview IDs. The entry format is unchanged (detail is free text); only its JSON says "preview".
 */
export function previewBeginDetail(run: PreviewRun, counts: object): string {
  return JSON.stringify({ ...counts, kind: 'preview', action: run.action, preview_ids: run.ids });
}

/** The preview run a run file holds, read off its `begin`; null for an apply, a forget, or a legacy file. */
export function previewRunOf(entries: readonly ChangelogEntry[]): PreviewRun | null {
  const begin = entries[0];
  if (begin?.op !== 'begin' || begin.v !== 2 || begin.detail === null) return null;
  let detail: unknown;
  try {
    detail = JSON.parse(begin.detail);
  } catch {
    return null;
  }
  if (typeof detail !== 'object' || detail === null || Array.isArray(detail)) return null;
  const { kind, action, preview_ids: ids } = detail as Record<string, unknown>;
  if (kind !== 'preview' || typeof action !== 'string' || !ACTIONS.has(action)) return null;
  if (!Array.isArray(ids) || !ids.every((id): id is string => typeof id === 'string')) return null;
  return { action: action as PreviewRun['action'], ids };
}

/** The entries of the main runs only, or of the preview runs only, in history order. */
export function entriesOfRuns(
  runs: readonly { preview: PreviewRun | null; file: { entries: readonly ChangelogEntry[] } }[],
  which: 'main' | 'previews',
): ChangelogEntry[] {
  return runs.filter((r) => (r.preview === null) === (which === 'main')).flatMap((r) => r.file.entries);
}
