// Names envsync gives environments it retires: `<name>~<hash8>`, never one already in use.

import { shortHash } from '../hash/config-hash.js';
import type { ConfigHash } from '../model.js';

export const MAX_NAME_LENGTH = 256;

function withSuffix(name: string, suffix: string): string {
  return `${name.slice(0, MAX_NAME_LENGTH - suffix.length)}${suffix}`;
}

/**
 * The name an environment moves to when it is superseded or archived: `<name>~<first 8 hex of its hash>`,
 * with the name shortened if the result would pass the API's 256-character limit.
 */
export function retiredName(name: string, hash: ConfigHash): string {
  return withSuffix(name, `~${shortHash(hash)}`);
}

const RETIRED = /^(.*)~[0-9a-f]{8}(?:-[0-9A-Za-z]+)?$/;

/** The original name of a retired (`<name>~<hash8>`) environment, or null for an ordinary name. */
export function retiredBaseName(name: string): string | null {
  return RETIRED.exec(name)?.[1] ?? null;
}

/**
 * Hands out `<name>~<hash8>`, then `<name>~<hash8>-2`, … so a rename never lands on a name in use.
 * `taken` must hold every name the API may still reserve, archived environments' included: the plan
 * fixes the name, and apply uses exactly it (or fails the action) so a saved plan is what runs.
 */
export function retirer(taken: Set<string>): (name: string, hash: ConfigHash) => string {
  return (name, hash) => {
    let candidate = retiredName(name, hash);
    for (let n = 2; taken.has(candidate); n += 1) candidate = withSuffix(name, `~${shortHash(hash)}-${n}`);
    taken.add(candidate);
    return candidate;
  };
}

const PARKED = '~renaming-';

/** A temporary name for an environment in a cycle of renames (a swap); within the API's 256 characters. */
export function parkedName(name: string, envId: string): string {
  return withSuffix(name, `${PARKED}${envId.slice(-8)}`);
}

/** Whether `candidate` is `name` parked by a run of renames that stopped halfway. */
export function isParkedFor(candidate: string, name: string): boolean {
  const at = candidate.lastIndexOf(PARKED);
  if (at < 0) return false;
  const tail = candidate.slice(at + PARKED.length);
  return /^[0-9A-Za-z]{1,8}$/.test(tail) && candidate === withSuffix(name, `${PARKED}${tail}`);
}
