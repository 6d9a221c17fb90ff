// A second `preview up` extends the expiry of the previews it leaves as they are: one metadata write each,
// its answer checked like every write, recorded as an `update` of the preview run.

import pLimit from 'p-limit';
import { EnvsyncError } from '../errors.js';
import { EXPIRES_KEY, type LiveFingerprint, type NoopAction } from '../model.js';
import { believe } from './answers.js';
import { type ApplyDeps, record } from './context.js';
import type { ApplyFailure } from './execute.js';
import { liveRecordFields } from './reconcile.js';

export interface Extended {
  /** The previews whose expiry was moved. */
  extended: Array<{ name: string; env_id: string }>;
  failed: ApplyFailure[];
}

/**
 * Writes `deps.tags` (the preview ID and the new expiry) on each unchanged preview, and nothing else: the
 * config, name and user metadata stay. The answer must be the same environment, name and config, with the
 * ownership tags and the new preview tags; anything else halts the run like any untrusted answer.
 */
export async function extendExpiry(
  deps: ApplyDeps,
  noops: readonly NoopAction[],
  seen: ReadonlyMap<string, LiveFingerprint>,
  parallelism: number,
  /** The first Ctrl-C: no new write starts. */
  interrupt?: AbortSignal,
): Promise<Extended> {
  const out: Extended = { extended: [], failed: [] };
  const tags = deps.tags ?? {};
  const limit = pLimit(Math.max(1, parallelism));
  await Promise.all(
    noops.map((action) =>
      limit(async () => {
        const fp = seen.get(action.env_id);
        const stopped =
          deps.halt.reason !== undefined || deps.writer.failure !== undefined || interrupt?.aborted === true;
        if (stopped || fp === undefined) return;
        deps.reporter.event({ type: 'action_start', kind: 'update', name: action.name });
        const started = deps.now().getTime();
        try {
          const answer = await deps.api.update(action.env_id, { metadata: tags });
          const expected = {
            id: action.env_id,
            name: fp.name,
            hash: fp.config_hash,
            tagged: deps.owner.project,
            tags,
          };
          const { env } = await believe(deps.halt, `extend ${action.env_id}`, answer, expected, () =>
            deps.api.retrieve(action.env_id).catch(() => undefined),
          );
          record(deps, {
            op: 'update',
            ...liveRecordFields(env),
            detail: `preview expiry extended to ${tags[EXPIRES_KEY] ?? '?'}`,
          });
          out.extended.push({ name: action.name, env_id: env.id });
          deps.reporter.event({
            type: 'action_done',
            kind: 'update',
            name: action.name,
            env_id: env.id,
            ms: deps.now().getTime() - started,
          });
        } catch (e) {
          const message = e instanceof Error ? e.message : String(e);
          out.failed.push({
            name: action.name,
            kind: 'update',
            code: e instanceof EnvsyncError ? e.code : 'internal',
            message,
            hint: e instanceof EnvsyncError ? e.hint : undefined,
          });
          deps.reporter.event({ type: 'action_failed', kind: 'update', name: action.name, message });
        }
      }),
    ),
  );
  return out;
}
