// The rows the preview commands report (DESIGN §14): each copy's name, preview name, env ID, expiry and what the run
// did to it, from the plan, what the apply reported and the live environments.

import type { ApplyResult } from '../apply/execute.js';
import type { Extended } from '../apply/preview-expiry.js';
import { PREVIEW_SEPARATOR, previewOf } from '../domain/preview.js';
import {
  EXPIRES_KEY,
  HASH_KEY,
  type LiveEnvironment,
  type LiveView,
  type Plan,
  type PlanAction,
} from '../model.js';
import { compareNatural } from '../util/order.js';

/** One preview copy, as the table `preview up` prints it (and as `--format json` carries it). */
export interface PreviewEnvironment {
  /** The environment's name in the files (the copy's name without `--<ID>`). */
  name: string;
  preview_id: string;
  preview_name: string;
  /** null for a copy a dry run would create, or whose create failed. */
  env_id: string | null;
  config_hash: string | null;
  /** When `preview gc` may archive it (RFC 3339), or null when its tag is missing or unreadable. */
  expires: string | null;
  /** What this run did (or, with --dry-run, would do) to it; `failed` when its action failed. */
  action: PlanAction['kind'] | 'extended' | 'failed';
}

/** What a run came to, as far as the rows need it. */
export interface Applied {
  status: 'blocked' | 'dry_run' | 'unchanged' | 'applied';
  result: ApplyResult | null;
  extended: Extended | null;
}

/** The copy's name in the files: its name without a retired `~hash8` and without `--<ID>`. */
function baseOf(previewName: string, id: string): string {
  const name = previewName.replace(/~[0-9a-f]{8}(?:-\d+)?$/, '');
  const suffix = `${PREVIEW_SEPARATOR}${id}`;
  return name.endsWith(suffix) ? name.slice(0, -suffix.length) : name;
}

export function rowOf(env: LiveEnvironment, action: PreviewEnvironment['action']): PreviewEnvironment {
  const info = previewOf(env.metadata);
  const id = info?.id ?? '';
  return {
    name: baseOf(env.name, id),
    preview_id: id,
    preview_name: env.name,
    env_id: env.id,
    config_hash: env.metadata[HASH_KEY] ?? null,
    expires: info?.expires ? (env.metadata[EXPIRES_KEY] ?? null) : null,
    action,
  };
}

export const byName = (a: PreviewEnvironment, b: PreviewEnvironment) =>
  compareNatural(a.preview_name, b.preview_name) || compareNatural(a.env_id ?? '', b.env_id ?? '');

/** up: each planned copy as a row; with the run's result, the env ID each action left (or `failed`). */
export function upRows(
  id: string,
  expires: string | null,
  plan: Plan,
  done: ReadonlyMap<string, string>,
  applied: Applied,
): PreviewEnvironment[] {
  const failed = new Set(applied.result?.failed.map((f) => f.name) ?? []);
  const extended = new Set(applied.extended?.extended.map((e) => e.env_id) ?? []);
  const notExtended = new Set(applied.extended?.failed.map((f) => f.name) ?? []);
  return plan.actions
    .filter((a) => a.kind !== 'archive')
    .map((a): PreviewEnvironment => {
      const envId = done.get(a.name) ?? (a.kind === 'create' ? null : a.env_id);
      const broke = failed.has(a.name) || notExtended.has(a.name);
      const didNothing = applied.status === 'applied' && a.kind === 'noop' && !extended.has(a.env_id ?? '');
      return {
        name: baseOf(a.name, id),
        preview_id: id,
        preview_name: a.name,
        env_id: envId,
        config_hash: a.kind === 'noop' ? a.from_hash : a.desired.config_hash,
        // What the run wrote; a copy it could not write keeps whatever expiry it had (not shown).
        expires: broke || didNothing ? null : expires,
        action: broke ? 'failed' : a.kind === 'noop' && extended.has(a.env_id) ? 'extended' : a.kind,
      };
    })
    .sort(byName);
}

/** The archive actions of a plan as rows; those that failed are left out (the failures say why). */
export function archivedRows(plan: Plan, view: LiveView, result: ApplyResult | null): PreviewEnvironment[] {
  const failed = new Set(result?.failed.map((f) => f.name) ?? []);
  const byId = new Map(view.envs.map((e) => [e.id, e]));
  return plan.actions
    .flatMap((a) => {
      const env = a.kind === 'archive' ? byId.get(a.env_id) : undefined;
      return env && !failed.has(a.name) ? [rowOf(env, 'archive')] : [];
    })
    .sort(byName);
}
