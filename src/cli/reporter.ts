// Draws Reporter events: a live line per action on a TTY, plain lines in CI, nothing with --quiet.

import type { Reporter, ReporterEvent } from '../model.js';
import type { Ctx } from './context.js';

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

export function cliReporter(ctx: Ctx): Reporter {
  const { io, err: p } = ctx;
  const tty = io.stderrIsTTY;
  const running = new Set<string>();
  let liveLine = false;
  const clearLive = () => {
    if (liveLine) io.stderr.write('\r\u001b[2K');
    liveLine = false;
  };
  const drawLive = () => {
    if (!tty || running.size === 0) return;
    const names = [...running];
    const shown = names.slice(0, 3).join(', ') + (names.length > 3 ? ` and ${names.length - 3} more` : '');
    io.stderr.write(`\r\u001b[2K${p.dim(`… ${shown}`)}`);
    liveLine = true;
  };
  const line = (text: string) => {
    clearLive();
    io.stderr.write(`${text}\n`);
    drawLive();
  };

  return {
    event(e: ReporterEvent) {
      if (e.type === 'request') {
        if (ctx.global.verbose)
          line(p.dim(`${e.method} ${e.path} → ${e.status} ${e.request_id ?? ''} ${Math.round(e.ms)}ms`));
        return;
      }
      if (e.type === 'warning') {
        line(`${p.yellow('warning')}: ${e.message}`);
        return;
      }
      if (ctx.global.quiet) return;
      switch (e.type) {
        case 'action_start':
          running.add(`${VERB[e.kind]} ${e.name}`);
          if (tty) drawLive();
          else line(`${e.name}: ${VERB[e.kind]}…`);
          break;
        case 'action_done':
          running.delete(`${VERB[e.kind]} ${e.name}`);
          line(
            `${p.green('✓')} ${e.name}: ${DONE[e.kind]} ${p.dim(`${e.env_id}${ctx.global.verbose ? ` in ${e.ms}ms` : ''}`)}`,
          );
          break;
        case 'action_failed':
          running.delete(`${VERB[e.kind]} ${e.name}`);
          line(`${p.red('✗')} ${e.name}: ${e.kind} failed: ${e.message}`);
          break;
        case 'notice':
          line(e.message);
          break;
      }
    },
  };
}
