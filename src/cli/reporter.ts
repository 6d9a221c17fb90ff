// Draws Reporter events: a live line per action on a TTY, plain lines in CI, nothing with --quiet.

import type { Reporter, ReporterEvent } from '../model.js';
import { escapeText } from '../text/escape.js';
import type { Ctx } from './context.js';
import { newProgress, type Progress, progressLine } from './progress.js';

const VERB: Record<string, string> = {
  create: 'creating',
  update: 'updating',
  recreate: 'recreating',
  archive: 'archiving',
  adopt: 'adopting',
  noop: 'checking',
};
const DONE: Record<string, string> = {
  create: 'created',
  update: 'updated',
  recreate: 'recreated',
  archive: 'archived',
  adopt: 'adopted',
  noop: 'unchanged',
};

/** The CLI's reporter, plus what only the CLI knows: when an apply starts and how many actions it has. */
export interface CliReporter extends Reporter {
  /** An apply of `total` actions begins: progress is counted from here. */
  start(total: number): void;
  /** Stops the live line's clock and clears it. */
  stop(): void;
}

/** In CI (no terminal): a progress line at most every this many ms, or at every tenth of the run. */
const CI_EVERY_MS = 5_000;
/** Runs shorter than this get no progress lines in CI. */
const CI_MIN_TOTAL = 10;

export function cliReporter(
  ctx: Ctx,
  options: { now?: () => number; width?: () => number; tick?: number } = {},
): CliReporter {
  const { io, err: p } = ctx;
  const now = options.now ?? Date.now;
  const width = options.width ?? (() => io.stderrColumns?.() ?? 80);
  const tty = io.stderrIsTTY;
  let progress: Progress | undefined;
  let liveLine = false;
  let timer: ReturnType<typeof setInterval> | undefined;
  let lastCiLine = 0;
  let lastCiTenth = 0;
  const clearLive = () => {
    if (liveLine) io.stderr.write('\r\u001b[2K');
    liveLine = false;
  };
  const drawLive = () => {
    if (!tty || !progress || ctx.global.quiet) return;
    // One column short of the width: a full last column makes some terminals wrap.
    io.stderr.write(`\r\u001b[2K${p.dim(progressLine(progress, now(), Math.max(10, width() - 1)))}`);
    liveLine = true;
  };
  const line = (text: string) => {
    clearLive();
    io.stderr.write(`${text}\n`);
    drawLive();
  };
  /** Without a terminal: a plain progress line every few seconds or every tenth, never a redraw. */
  const ciProgress = () => {
    // A short run's own ✓ lines say enough; progress lines are for runs long enough to wait on.
    if (tty || !progress || ctx.global.quiet || progress.total < CI_MIN_TOTAL) return;
    const finished = progress.done + progress.failed;
    const tenth = Math.floor((finished / progress.total) * 10);
    if (now() - lastCiLine < CI_EVERY_MS && tenth === lastCiTenth) return;
    lastCiLine = now();
    lastCiTenth = tenth;
    io.stderr.write(`${progressLine(progress, now(), 200)}\n`);
  };
  const label = (kind: string, name: string) => `${VERB[kind]} ${name}`;

  return {
    start(total: number) {
      progress = newProgress(total, now());
      lastCiLine = now();
      if (tty && !ctx.global.quiet && options.tick !== 0) {
        timer = setInterval(drawLive, options.tick ?? 1000);
        timer.unref();
      }
    },
    stop() {
      if (timer) clearInterval(timer);
      clearLive();
    },
    event(e: ReporterEvent) {
      if (e.type === 'request') {
        if (ctx.global.verbose)
          line(
            p.dim(
              `${e.method} ${escapeText(e.path)} → ${e.status} ${e.request_id ?? ''} ${Math.round(e.ms)}ms`,
            ),
          );
        return;
      }
      if (e.type === 'warning') {
        line(`${p.yellow('warning')}: ${escapeText(e.message)}`);
        return;
      }
      if (e.type === 'waiting') {
        if (progress) progress.waiting = { until: now() + e.ms, reason: e.reason };
        if (tty) drawLive();
        else if (e.ms >= 1000 && !ctx.global.quiet)
          line(
            `waiting ${Math.ceil(e.ms / 1000)}s for ${e.reason === 'rate_limit' ? 'the rate limit' : 'the API (429)'}`,
          );
        return;
      }
      if (ctx.global.quiet) return;
      switch (e.type) {
        case 'action_start':
          progress?.running.push(label(e.kind, e.name));
          if (tty) drawLive();
          else line(`${escapeText(e.name)}: ${VERB[e.kind]}…`);
          break;
        case 'action_done':
          if (progress) {
            progress.running = progress.running.filter((r) => r !== label(e.kind, e.name));
            progress.done++;
            progress.waiting = null;
          }
          line(
            `${p.green('✓')} ${escapeText(e.name)}: ${DONE[e.kind]} ${p.dim(`${e.env_id}${ctx.global.verbose ? ` in ${e.ms}ms` : ''}`)}`,
          );
          ciProgress();
          break;
        case 'action_failed':
          if (progress) {
            progress.running = progress.running.filter((r) => r !== label(e.kind, e.name));
            progress.failed++;
          }
          line(`${p.red('✗')} ${escapeText(e.name)}: ${e.kind} failed`);
          ciProgress();
          break;
        case 'notice':
          line(escapeText(e.message));
          break;
      }
    },
  };
}
