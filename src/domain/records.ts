// The changelog's records looked up by env ID: one index per list of records, however many steps ask.

import type { RecordedEnvironment } from '../model.js';

/** Each list of records' index by env ID, built once however many steps ask (the lists are never changed). */
const indexes = new WeakMap<readonly RecordedEnvironment[], ReadonlyMap<string, RecordedEnvironment>>();

/** The records by env ID: one map per list, shared by every step of a plan that looks records up by ID. */
export function recordedById(
  recorded: readonly RecordedEnvironment[],
  built?: ReadonlyMap<string, RecordedEnvironment>,
): ReadonlyMap<string, RecordedEnvironment> {
  let index = indexes.get(recorded);
  if (index === undefined) {
    index = built ?? new Map(recorded.map((r) => [r.env_id, r]));
    indexes.set(recorded, index);
  }
  return index;
}
