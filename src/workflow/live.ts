// The live side as a plan may believe it: one checked list, and every recorded ID that list lacks looked up
// by ID, so a short or partial list can never make an environment "gone".

import pLimit from 'p-limit';
import { ApiError, UntrustedAnswerError } from '../errors.js';
import type { EnvironmentsApi, LiveEnvironment, LiveList, LiveView, RecordedEnvironment } from '../model.js';

/** Lookups in flight at once when a list lacked recorded IDs. */
const LOOKUPS = 8;

/**
 * One checked list, archived environments included: their names may still be taken (DESIGN §6). `onItem`
 * sees each environment while the next page is on its way (work hidden in the wait).
 */
export function listLive(api: EnvironmentsApi, onItem?: (env: LiveEnvironment) => void): Promise<LiveList> {
  return api.list({ includeArchived: true, ...(onItem ? { onItem } : {}) });
}

/**
 * The list, plus the verdict on every environment this changelog holds current that the list lacks: only a
 * 404 from a lookup by ID makes it gone. One that answers was left out by the list, so the list cannot be
 * trusted and nothing is planned from it.
 */
export async function liveView(
  api: EnvironmentsApi,
  recorded: readonly RecordedEnvironment[],
  list?: LiveList,
): Promise<LiveView> {
  const { envs, unreadable } = list ?? (await listLive(api));
  const listed = new Set([...envs.map((e) => e.id), ...unreadable.flatMap((u) => (u.id ? [u.id] : []))]);
  const absent = recorded.filter((r) => !r.archived && !listed.has(r.env_id));
  const limit = pLimit(LOOKUPS);
  const verdicts = await Promise.all(absent.map((r) => limit(() => lookUp(api, r))));
  const present = absent.filter((_, i) => verdicts[i] === 'present');
  if (present.length > 0) {
    const names = present.slice(0, 5).map((r) => `${r.name} (${r.env_id})`);
    throw new UntrustedAnswerError(
      'list_incomplete',
      `the list of environments left out ${present.length} that exist${present.length > 5 ? ', among them' : ':'} ${names.join(', ')}`,
      null,
      'the API answered a list that is missing environments, so nothing was planned or recorded from it; run again, and report it if it persists',
    );
  }
  return { envs, unreadable, gone: absent.map((r) => r.env_id) };
}

async function lookUp(api: EnvironmentsApi, r: RecordedEnvironment): Promise<'gone' | 'present'> {
  try {
    await api.retrieve(r.env_id);
    return 'present';
  } catch (e) {
    if (e instanceof ApiError && e.status === 404) return 'gone';
    // It answered, but not in a form envsync can read: it exists.
    if (e instanceof UntrustedAnswerError && e.code === 'api_unreadable') return 'present';
    throw e;
  }
}
