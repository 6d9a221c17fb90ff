// Checks the changelog's own integrity: every hash, the chain, the sequence, and begin/end pairs.

import type { ChangelogEntry } from '../model.js';
import { type BadLine, entryHash } from './store.js';

export interface ChainProblem {
  /** 1-based line in the file, or null when the problem is not tied to one line. */
  line: number | null;
  message: string;
}

export function verifyChain(
  entries: readonly ChangelogEntry[],
  badLines: readonly BadLine[] = [],
  /** Each entry's line, as `readChangelog` found it; without it, lines are counted as if none were blank. */
  entryLines?: readonly number[],
): ChainProblem[] {
  const problems: ChainProblem[] = badLines.map((b) => ({
    line: b.line,
    message: b.torn
      ? 'unterminated last line (a write cut short)'
      : 'not a changelog entry (unparseable line)',
  }));
  // Lines in the file: entries are in file order, bad lines interleaved; recover each entry's line number.
  const badSet = new Set(badLines.map((b) => b.line));
  let lineNo = 0;
  const lineOf: number[] = entryLines ? [...entryLines] : [];
  for (let i = lineOf.length; i < entries.length; i++) {
    lineNo++;
    while (badSet.has(lineNo)) lineNo++;
    lineOf.push(lineNo);
  }

  const begins = new Map<string, number>();
  entries.forEach((e, i) => {
    const line = lineOf[i] ?? null;
    const prev = entries[i - 1];
    if (entryHash(e) !== e.hash)
      problems.push({
        line,
        message: `entry seq ${e.seq} was modified: its hash does not match its content`,
      });
    if (i === 0 && e.prev !== null)
      problems.push({
        line,
        message: 'the first entry points at a previous one: lines before it are missing',
      });
    if (prev) {
      if (e.prev !== prev.hash) {
        problems.push({
          line,
          message: `entry seq ${e.seq} does not chain to the line before it (a line was removed, inserted or reordered)`,
        });
      }
      if (e.seq !== prev.seq + 1) problems.push({ line, message: `seq ${e.seq} follows seq ${prev.seq}` });
    }
    if (e.op === 'begin') begins.set(e.plan_id, line ?? 0);
    if (e.op === 'end') {
      if (!begins.has(e.plan_id))
        problems.push({ line, message: `end of plan ${e.plan_id} without its begin` });
      begins.delete(e.plan_id);
    }
  });
  for (const [planId, line] of begins) {
    problems.push({
      line,
      message: `apply of plan ${planId} began but never ended (interrupted; the next apply reconciles it)`,
    });
  }
  return problems.sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
}
