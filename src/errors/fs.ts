// A failed system call as an EnvsyncError: the errno table (a code, a few words, what to do) and the wrapper.

import type { ErrorCode } from './codes.js';
import { EnvsyncError } from './error.js';

/** What a failed system call's errno means for the user: a code, a few words, and what to do. */
const FS_ERRORS: Record<string, { code: ErrorCode; reason: string; hint: (path: string) => string }> = {
  ENOENT: {
    code: 'fs_not_found',
    reason: 'no such file or directory',
    hint: (p) => `check the path; the folder that holds ${p} must exist`,
  },
  EACCES: {
    code: 'fs_permission',
    reason: 'permission denied',
    hint: (p) => `check the permissions of ${p} and of the folder that holds it`,
  },
  EPERM: {
    code: 'fs_permission',
    reason: 'operation not permitted',
    hint: (p) => `check the permissions of ${p} and of the folder that holds it`,
  },
  EROFS: {
    code: 'fs_read_only',
    reason: 'the file system is read-only',
    hint: () => 'choose a path on a writable file system',
  },
  ENOSPC: {
    code: 'fs_full',
    reason: 'no space left on the device',
    hint: () => 'free some disk space and run again',
  },
  EDQUOT: {
    code: 'fs_full',
    reason: 'disk quota exceeded',
    hint: () => 'free some disk space or raise the quota, and run again',
  },
  EEXIST: {
    code: 'fs_exists',
    reason: 'something already exists there',
    hint: (p) => `move ${p} away or choose another path`,
  },
  EISDIR: {
    code: 'fs_is_directory',
    reason: 'it is a directory',
    hint: () => 'pass the path of a file, not of a folder',
  },
  ENOTDIR: {
    code: 'fs_not_directory',
    reason: 'a part of the path is a file, not a folder',
    hint: (p) => `check each folder on the way to ${p}`,
  },
};

function errnoOf(e: unknown): string | undefined {
  if (!(e instanceof Error) || !('code' in e)) return undefined;
  return typeof e.code === 'string' && /^E[A-Z]+$/.test(e.code) ? e.code : undefined;
}

/**
 * A failed file or system call as an EnvsyncError naming the path, with a hint (`what` says what envsync
 * was doing, e.g. 'write the changelog'). An EnvsyncError passes through; anything that is not a system
 * error is envsync's bug, so it is marked as one rather than blamed on the user.
 */
export function wrapFsError(e: unknown, path: string, what: string): EnvsyncError {
  if (e instanceof EnvsyncError) return e;
  const errno = errnoOf(e);
  if (errno === undefined) {
    const message = e instanceof Error ? e.message : String(e);
    return new EnvsyncError('internal', `cannot ${what} ${path}: ${message}`, {
      cause: e,
      source: 'envsync',
    });
  }
  const known = FS_ERRORS[errno];
  if (!known) {
    const message = e instanceof Error ? e.message : errno;
    return new EnvsyncError('fs_error', `cannot ${what} ${path}: ${message}`, {
      cause: e,
      hint: `the system said ${errno}; check ${path} and the disk it is on`,
    });
  }
  return new EnvsyncError(known.code, `cannot ${what} ${path}: ${known.reason} (${errno})`, {
    cause: e,
    hint: known.hint(path),
  });
}

/** A raw system error that escaped to the CLI edge, still carrying its path (`fs` errors do). */
export function isSystemError(e: unknown): e is NodeJS.ErrnoException {
  return errnoOf(e) !== undefined;
}
