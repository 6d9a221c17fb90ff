// Handing environments over from `ant apply`: claude-lock.json rewritten without their entries, every other
// byte as ant wrote it, replaced atomically, and never over a lock that changed since it was read.

import { readFileSync } from 'node:fs';
import { EnvsyncError, wrapFsError } from '../errors.js';
import { writeFileAtomic } from '../fs/atomic.js';
import { withoutMembers } from './json-text.js';
import type { AntLock } from './lock.js';

/** The lock's text without the entries under `keys`: the other entries and fields stay byte for byte, in order. */
export function lockTextWithout(lock: AntLock, keys: ReadonlySet<string>): string {
  const drop = new Set(lock.resources.filter((r) => keys.has(r.key)).map((r) => r.index));
  return withoutMembers(lock.text, lock.resourcesNode, drop);
}

/**
 * Writes the lock without the entries under `keys`. Refused (nothing written) when the file no longer holds
 * the text that was read: `ant apply` may have run since, and its entries must not be lost.
 */
export async function handOver(lock: AntLock, keys: ReadonlySet<string>): Promise<void> {
  let now: string;
  try {
    now = readFileSync(lock.abs, 'utf8');
  } catch (e) {
    throw wrapFsError(e, lock.shown, 'read');
  }
  if (now !== lock.text) {
    throw new EnvsyncError(
      'ant_lock_changed',
      `${lock.shown} changed since envsync read it; it was not rewritten`,
      {
        hint: 'another tool (ant apply?) wrote it meanwhile: run the import again to hand the environments over',
      },
    );
  }
  try {
    await writeFileAtomic(lock.abs, lockTextWithout(lock, keys));
  } catch (e) {
    throw wrapFsError(e, lock.shown, 'write');
  }
}
