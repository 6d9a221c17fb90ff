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

/**
 * The name's parked base (the name a halfway swap parked it from), as far as the name itself says: the text
 * before `~renaming-<tail>`; null for a name that is not parked. A base cut short to fit 256 characters is
 * returned cut: `parkedFor` tells whether it is a given name's.
 */
export function parkedBase(candidate: string): string | null {
  const at = candidate.lastIndexOf(PARKED);
  if (at < 0) return null;
  return /^[0-9A-Za-z]{1,8}$/.test(candidate.slice(at + PARKED.length)) ? candidate.slice(0, at) : null;
}

/** The bases a parked name of `name` can have: the name itself, or the name cut short to fit the suffix. */
export function parkedBasesOf(name: string): string[] {
  const bases = new Set([name]);
  for (let tail = 1; tail <= 8; tail++) bases.add(name.slice(0, MAX_NAME_LENGTH - PARKED.length - tail));
  return [...bases];
}

/**
 * The key two names share when an API may hold them to be the same name: Unicode compatibility form,
 * invisible format characters removed, case folded. `Data`, `data`, `data\u200b` and a decomposed `é`
 * all fold together; a plan treats such names as one, never as a free name beside a taken one.
 */
export function nameKey(name: string): string {
  return name
    .normalize('NFKC')
    .replace(/\p{Cf}/gu, '')
    .toLowerCase()
    .normalize('NFKC');
}
