// Ownership tags (DESIGN §5): how envsync tells its environments from hand-made ones and finds drift.

import { configHash, shortHash } from '../hash/config-hash.js';
import { type ConfigHash, HASH_KEY, type LiveEnvironment, MANAGED_KEY, RESERVED_PREFIX } from '../model.js';

export const MAX_NAME_LENGTH = 256;

/** True when envsync manages this environment. */
export function isManaged(env: Pick<LiveEnvironment, 'metadata'>): boolean {
  return env.metadata[MANAGED_KEY] === 'true';
}

/** The hash envsync last wrote on the environment, or null. */
export function taggedHash(env: Pick<LiveEnvironment, 'metadata'>): ConfigHash | null {
  return env.metadata[HASH_KEY] ?? null;
}

/** The hash of the config the environment really has now. */
export function liveHash(env: Pick<LiveEnvironment, 'config'>): ConfigHash {
  return configHash(env.config);
}

/** The ownership tags to write for a config. */
export function ownershipTags(hash: ConfigHash): Record<string, string> {
  return { [MANAGED_KEY]: 'true', [HASH_KEY]: hash };
}

/** The user's metadata: everything but envsync's reserved keys. */
export function userMetadata(metadata: Record<string, string>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(metadata).filter(([k]) => !k.toLowerCase().startsWith(RESERVED_PREFIX)),
  );
}

/**
 * The name an environment moves to when it is superseded or archived: `<name>~<first 8 hex of its hash>`,
 * with the name shortened if the result would pass the API's 256-character limit.
 */
export function retiredName(name: string, hash: ConfigHash): string {
  const suffix = `~${shortHash(hash)}`;
  return `${name.slice(0, MAX_NAME_LENGTH - suffix.length)}${suffix}`;
}

const RETIRED = /^(.*)~[0-9a-f]{8}(?:-[0-9A-Za-z]+)?$/;

/** The original name of a retired (`<name>~<hash8>`) environment, or null for an ordinary name. */
export function retiredBaseName(name: string): string | null {
  return RETIRED.exec(name)?.[1] ?? null;
}
