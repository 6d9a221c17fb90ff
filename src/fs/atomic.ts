// Files written whole or not at all: temp file in the same directory, fsync, rename, fsync the directory.

import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, openSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { open, rename, unlink } from 'node:fs/promises';
import path from 'node:path';

export function tempPrefix(file: string): string {
  return `${path.basename(file)}.tmp-`;
}

/**
 * Replaces `file` so that a crash at any instant leaves either the old or the new text: write a temp
 * file in the same directory, fsync it, rename it over the old one, fsync the directory (the rename
 * itself is only durable once the directory entry is on disk).
 */
export async function writeFileAtomic(file: string, text: string): Promise<void> {
  const dir = path.dirname(file);
  const temp = path.join(dir, `${tempPrefix(file)}${randomBytes(6).toString('hex')}`);
  const handle = await open(temp, 'w', 0o644);
  try {
    try {
      await handle.writeFile(text, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, file);
  } catch (e) {
    // A write cut short (a full disk) must not leave its temp file taking the space that is left.
    await unlink(temp).catch(() => undefined);
    throw e;
  }
  await syncDir(dir);
}

async function syncDir(dir: string): Promise<void> {
  let handle: Awaited<ReturnType<typeof open>> | undefined;
  try {
    handle = await open(dir, 'r');
    await handle.sync();
  } catch (e) {
    // Some platforms and file systems cannot fsync a directory; the rename is still atomic there.
    const code = (e as NodeJS.ErrnoException).code;
    if (code !== 'EISDIR' && code !== 'EINVAL' && code !== 'EPERM' && code !== 'EBADF') throw e;
  } finally {
    await handle?.close();
  }
}

/** The same write for callers that cannot wait (a cache written during a synchronous read). */
export function writeFileAtomicSync(file: string, text: string): void {
  const dir = path.dirname(file);
  const temp = path.join(dir, `${tempPrefix(file)}${randomBytes(6).toString('hex')}`);
  const fd = openSync(temp, 'w', 0o644);
  try {
    try {
      const bytes = Buffer.from(text, 'utf8');
      for (let done = 0; done < bytes.length; ) done += writeSync(fd, bytes, done, bytes.length - done);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temp, file);
  } catch (e) {
    // A write cut short (a full disk) must not leave its temp file taking the space that is left.
    try {
      unlinkSync(temp);
    } catch {
      // Nothing left behind to remove.
    }
    throw e;
  }
  syncDirSync(dir);
}

/**
 * Makes a new or renamed directory entry durable. Some platforms and file systems cannot fsync a
 * directory (EISDIR, EINVAL, EPERM, EBADF); the file's own fsync still holds its bytes there.
 */
export function syncDirSync(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code !== 'EISDIR' && code !== 'EINVAL' && code !== 'EPERM' && code !== 'EBADF') throw e;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
