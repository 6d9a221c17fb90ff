// Opaque page cursors: "continue below insertion sequence N", so no environment is skipped or repeated mid-iteration.

import { invalidRequest } from './errors.js';

const PREFIX = 'page_';

export function encodeCursor(seq: number): string {
  return PREFIX + Buffer.from(`v1:${seq}`, 'utf8').toString('base64url');
}

/** The sequence number the next page starts below; a 400 for anything this emulator did not hand out. */
export function decodeCursor(cursor: string): number {
  const bad = () => invalidRequest('page: invalid page cursor (pass back a next_page value unchanged)');
  if (!cursor.startsWith(PREFIX)) throw bad();
  const body = cursor.slice(PREFIX.length);
  if (!/^[A-Za-z0-9_-]+$/.test(body)) throw bad();
  const match = /^v1:([1-9][0-9]{0,15})$/.exec(Buffer.from(body, 'base64url').toString('utf8'));
  if (!match?.[1]) throw bad();
  const seq = Number(match[1]);
  if (!Number.isSafeInteger(seq)) throw bad();
  return seq;
}
