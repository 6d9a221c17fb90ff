// Checks the changelog's own integrity: every run file's hashes, chain and sequence, and the DAG's parent links.

import { Changelog } from './changelog.js';
import type { HistoryProblem } from './history.js';

export type { HistoryProblem } from './history.js';

/** Every integrity problem of the changelog at `pathOrDir` (its directory, or the legacy file's path), and its notes. */
export function verifyHistory(pathOrDir: string): {
  problems: HistoryProblem[];
  notes: string[];
  entries: number;
} {
  const history = Changelog.open(pathOrDir).history();
  return { problems: history.problems, notes: history.notes, entries: history.entries.length };
}
