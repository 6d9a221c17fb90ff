// Ownership tags (DESIGN §5): whose environment this is (this project's, another's, nobody's) and its hash tag.

import { configHash } from '../hash/config-hash.js';
import { type ConfigHash, HASH_KEY, isReservedKey, type LiveEnvironment, MANAGED_KEY } from '../model.js';

/** The tag value envsync wrote before ownership was scoped to a project. */
export const LEGACY_OWNER = 'true';

/** Who is asking: a project, and the env IDs its own changelog records (which vouch for legacy tags). */
export interface Owner {
  project: string;
  recorded(envId: string): boolean;
}

export type Ownership =
  /** Tagged with this project. */
  | { kind: 'mine' }
  /** Tagged `"true"` (before projects) and recorded in this project's changelog: this project's, tag to rewrite. */
  | { kind: 'legacy' }
  /** No tag, but this project's changelog records the ID: the tags were stripped outside envsync (drift, restored). */
  | { kind: 'stripped' }
  /** Another project's; `owner` is its tag (`"true"` for a legacy tag this changelog does not record). */
  | { kind: 'foreign'; owner: string }
  | { kind: 'unmanaged' };

export function ownershipOf(env: Pick<LiveEnvironment, 'id' | 'metadata'>, owner: Owner): Ownership {
  const tag = env.metadata[MANAGED_KEY];
  if (tag === undefined || tag === '')
    return owner.recorded(env.id) ? { kind: 'stripped' } : { kind: 'unmanaged' };
  if (tag === owner.project) return { kind: 'mine' };
  if (tag === LEGACY_OWNER && owner.recorded(env.id)) return { kind: 'legacy' };
  return { kind: 'foreign', owner: tag };
}

/**
 * True when this project manages the environment: its own tag, a legacy tag its changelog vouches for, or no
 * tag at all on an ID its changelog records (identity is the recorded ID, not the tag someone can remove).
 */
export function isMine(env: Pick<LiveEnvironment, 'id' | 'metadata'>, owner: Owner): boolean {
  const kind = ownershipOf(env, owner).kind;
  return kind === 'mine' || kind === 'legacy' || kind === 'stripped';
}

/** How a foreign owner is named in messages. */
export function ownerLabel(tag: string): string {
  return tag === LEGACY_OWNER
    ? 'an envsync project from before projects (tag "true", not in this changelog)'
    : `project "${tag}"`;
}

/** The hash envsync last wrote on the environment, or null. */
export function taggedHash(env: Pick<LiveEnvironment, 'metadata'>): ConfigHash | null {
  return env.metadata[HASH_KEY] ?? null;
}

/** Each live config's hash, once: the plan, drift and verify steps all ask for it, per environment. */
const liveHashes = new WeakMap<object, ConfigHash>();

/** The hash of the config the environment really has now. Live configs are parsed once and never changed. */
export function liveHash(env: Pick<LiveEnvironment, 'config'>): ConfigHash {
  const config = env.config as object | null;
  if (config === null || typeof config !== 'object') return configHash(env.config);
  let hash = liveHashes.get(config);
  if (hash === undefined) {
    hash = configHash(env.config);
    liveHashes.set(config, hash);
  }
  return hash;
}

/** The ownership tags to write for a config. */
export function ownershipTags(project: string, hash: ConfigHash): Record<string, string> {
  return { [MANAGED_KEY]: project, [HASH_KEY]: hash };
}

/** The user's metadata: everything but envsync's reserved keys. */
export function userMetadata(metadata: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(metadata).filter(([k]) => !isReservedKey(k)));
}
