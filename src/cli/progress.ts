// The state of a running apply and the one line that shows it: N/M, elapsed, ETA, what runs or waits.

import { escapeText } from '../text/escape.js';

export interface Progress {
  total: number;
  done: number;
  failed: number;
  /** ms since the epoch. */
  startedAt: number;
  /** What is in flight, in start order (`creating a`). */
  running: string[];
  /** Until when requests wait, and why; null when nothing waits. */
  waiting: { until: number; reason: 'rate_limit' | 'retry_after' } | null;
}

export function newProgress(total: number, now: number): Progress {
  return { total, done: 0, failed: 0, startedAt: now, running: [], waiting: null };
}

function clock(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  const m = Math.floor(s / 60);
  return m >= 60
    ? `${Math.floor(m / 60)}:${String(m % 60).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`
    : `${m}:${String(s % 60).padStart(2, '0')}`;
}

/** Cuts to `width` columns by code point (names are escaped, so one code point is one column or close). */
export function fitWidth(text: string, width: number): string {
  const chars = [...text];
  if (chars.length <= width) return text;
  return `${chars.slice(0, Math.max(0, width - 1)).join('')}…`;
}

/**
 * `[12/40] 30% · 0:12 · ETA 0:28 · creating a, b +3` — or `· waiting for the rate limit (4s)` while paced.
 * The ETA comes from the pace so far, so it is shown once something has finished.
 */
export function progressLine(p: Progress, now: number, width: number): string {
  const finished = p.done + p.failed;
  const elapsed = now - p.startedAt;
  const percent = p.total === 0 ? 100 : Math.floor((finished / p.total) * 100);
  const parts = [`[${finished}/${p.total}] ${percent}%`, clock(elapsed)];
  if (finished > 0 && finished < p.total)
    parts.push(`ETA ${clock((elapsed / finished) * (p.total - finished))}`);
  if (p.failed > 0) parts.push(`${p.failed} failed`);
  if (p.waiting && p.waiting.until > now) {
    const why = p.waiting.reason === 'rate_limit' ? 'the rate limit' : 'the API (429, retry-after)';
    parts.push(`waiting for ${why} (${Math.ceil((p.waiting.until - now) / 1000)}s)`);
  } else if (p.running.length > 0) {
    const shown = p.running.slice(0, 2).map(escapeText).join(', ');
    parts.push(p.running.length > 2 ? `${shown} +${p.running.length - 2}` : shown);
  }
  return fitWidth(parts.join(' · '), width);
}
