// Reads a workspace's changelog for the few tests that must look at entries rather than at `verify`,
// `history` or `plan`. The changelog's place on disk is known here and nowhere else in the tests.

import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import type { ChangelogEntry } from '../../src/model.js';

/** The changelog, relative to the project root: the one line to change when it moves. */
export const CHANGELOG = '.envsync/changelog';

/** The changelog's files in order: the file itself, or (a directory of run files) its `.jsonl` files by name. */
function changelogFiles(root: string): string[] {
  const at = path.join(root, CHANGELOG);
  if (!existsSync(at)) return [];
  if (!statSync(at).isDirectory()) return [at];
  return readdirSync(at)
    .filter((n) => n.endsWith('.jsonl'))
    .sort()
    .map((n) => path.join(at, n));
}

function changelogLines(root: string): string[] {
  return changelogFiles(root).flatMap((f) => {
    try {
      return readFileSync(f, 'utf8').split('\n').filter(Boolean);
    } catch {
      return []; // A run file being created this instant.
    }
  });
}

/**
 * How many whole (newline-terminated) lines the changelog holds now: what a test waits on to kill an apply.
 * A line being written does not count: killing when it shows would land inside its write.
 */
export function changelogLineCount(root: string): number {
  return changelogFiles(root).reduce((n, f) => {
    try {
      const text = readFileSync(f, 'utf8');
      return n + text.split('\n').length - 1;
    } catch {
      return n; // A run file being created this instant.
    }
  }, 0);
}

/** Every complete entry, in order. */
export function changelogEntries(root: string): ChangelogEntry[] {
  return changelogLines(root).flatMap((l) => {
    try {
      return [JSON.parse(l) as ChangelogEntry];
    } catch {
      return [];
    }
  });
}
