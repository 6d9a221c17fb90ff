// A write's answer is believed only when it is the environment asked for: the ID, the name, the config hash
// and the tags (and archived_at after an archive). Anything else stops every further write of the run, is
// looked up, and only what the lookup confirms is recorded.

import { liveHash, taggedHash } from '../domain/ownership.js';
import { type EnvsyncError, UntrustedAnswerError } from '../errors.js';
import { shortHash } from '../hash/config-hash.js';
import { type ConfigHash, type LiveEnvironment, MANAGED_KEY } from '../model.js';
import { escapeText } from '../text/escape.js';

/** What an answer must be: each field given is compared. */
export interface Expected {
  id?: string;
  /** IDs a new environment cannot have: every ID this run already knew. */
  notAmong?: ReadonlySet<string>;
  name?: string;
  hash?: ConfigHash;
  /** This project's tags, carrying `hash`. */
  tagged?: string;
  /** Further tags the write set (a preview's), each with exactly this value. */
  tags?: Record<string, string>;
  archived?: boolean;
}

/** How the answer differs from what was asked, in words, or null when it is what was asked. */
export function mismatch(env: LiveEnvironment, expected: Expected): string | null {
  if (expected.id !== undefined && env.id !== expected.id) return `environment ${env.id}, not ${expected.id}`;
  if (expected.notAmong?.has(env.id)) return `${env.id}, an environment that already existed`;
  if (expected.name !== undefined && env.name !== expected.name)
    return `named ${JSON.stringify(escapeText(env.name))}, not ${JSON.stringify(escapeText(expected.name))}`;
  if (expected.hash !== undefined && liveHash(env) !== expected.hash)
    return `config ${shortHash(liveHash(env))}, not ${shortHash(expected.hash)}`;
  if (
    expected.tagged !== undefined &&
    (env.metadata[MANAGED_KEY] !== expected.tagged || taggedHash(env) !== (expected.hash ?? taggedHash(env)))
  )
    return 'without the ownership tags envsync wrote';
  const tag = Object.entries(expected.tags ?? {}).find(([k, v]) => env.metadata[k] !== v);
  if (tag !== undefined) return `without the tag ${tag[0]}: ${JSON.stringify(tag[1])} envsync wrote`;
  if (expected.archived === true && env.archived_at === null) return 'not archived (archived_at is null)';
  return null;
}

/** Stops the run's API writes once an answer could not be believed; the reason becomes the run's failure. */
export class Halt {
  reason: EnvsyncError | undefined;

  stop(reason: EnvsyncError): void {
    this.reason ??= reason;
  }

  /** Throws the reason once the run is halted: the gate asks before every write. */
  check(): void {
    if (this.reason) throw this.reason;
  }
}

/**
 * Believes `answer` only if it is what was asked. Otherwise halts the run, looks the environment up, and
 * returns what the lookup confirms; when it confirms nothing, throws an uncertain outcome (nothing recorded).
 */
export async function believe(
  halt: Halt,
  what: string,
  answer: LiveEnvironment,
  expected: Expected,
  lookUp: () => Promise<LiveEnvironment | undefined>,
): Promise<{ env: LiveEnvironment; confirmedBy: 'answer' | 'lookup' }> {
  const problem = mismatch(answer, expected);
  if (problem === null) return { env: answer, confirmedBy: 'answer' };
  const untrusted = new UntrustedAnswerError(
    'api_untrusted',
    `${what}: the API answered with ${problem}`,
    null,
    'nothing more was sent in this run, and only what a lookup confirmed was recorded; run `envsync plan` to see where things stand',
  );
  halt.stop(untrusted);
  const found = await lookUp();
  if (found !== undefined && mismatch(found, expected) === null) return { env: found, confirmedBy: 'lookup' };
  throw untrusted;
}
