// Whether another apply changed live environments this changelog has not seen (pure): then it is behind.

import { retiredBaseName } from '../domain/naming.js';
import { isMine, liveHash, type Owner, taggedHash } from '../domain/ownership.js';
import { recordedById } from '../domain/records.js';
import { shortHash } from '../hash/config-hash.js';
import type { LiveEnvironment, RecordedEnvironment } from '../model.js';
import type { KnownHashes } from './state.js';

export interface BehindFinding {
  env_id: string;
  name: string;
  /** What was seen, in words: what another apply did. */
  detail: string;
}

export interface BehindInput {
  project: string;
  recorded: readonly RecordedEnvironment[];
  known: KnownHashes;
  live: readonly LiveEnvironment[];
  /** An interrupted run of this changelog is open: what it did explains any such change. */
  interrupted: boolean;
  /** Env IDs whose write this changelog recorded as uncertain: their change is explained too. */
  uncertain: ReadonlySet<string>;
}

/**
 * The changes only another envsync apply makes: an environment of this project whose hash tag matches
 * its config (envsync wrote both) with a config hash this changelog never recorded for that ID, or one it
 * does not know at all; and one it holds current that was archived under its retired `<name>~<hash8>`
 * name (envsync renames before it archives; a hand archive does not). A description or metadata that
 * differs under a known config is indistinguishable from a console edit, so it is drift, not this.
 */
export function changelogBehind(input: BehindInput): BehindFinding[] {
  if (input.interrupted) return [];
  const byId = recordedById(input.recorded);
  const owner: Owner = { project: input.project, recorded: (id) => byId.has(id) };
  const found: BehindFinding[] = [];
  for (const env of input.live) {
    if (!isMine(env, owner) || input.uncertain.has(env.id) || input.uncertain.has(env.name)) continue;
    const rec = byId.get(env.id);
    if (env.archived_at) {
      if (rec && !rec.archived && retiredBaseName(env.name) === rec.name)
        found.push({
          env_id: env.id,
          name: rec.name,
          detail: `${env.id} (${rec.name}) was archived as ${env.name}`,
        });
      continue;
    }
    const hash = liveHash(env);
    if (taggedHash(env) !== hash) continue;
    const known = input.known[env.id];
    if (!known) found.push({ env_id: env.id, name: env.name, detail: `${env.id} (${env.name}) was created` });
    else if (!known.includes(hash))
      found.push({
        env_id: env.id,
        name: env.name,
        detail: `${env.id} (${env.name}) now has config ${shortHash(hash)}`,
      });
  }
  return found;
}
