// The process edges the CLI writes to and reads from, injectable so tests can run main() in-process.

import type { Paint } from '../model.js';

export type { Paint };

export interface Out {
  write(text: string): unknown;
}

export interface CliIo {
  stdout: Out;
  stderr: Out;
  stdin: NodeJS.ReadableStream;
  env: Record<string, string | undefined>;
  cwd: string;
  stdoutIsTTY: boolean;
  stderrIsTTY: boolean;
  stdinIsTTY: boolean;
  /** The terminal's width in columns when stderr is one (it can change while a run goes on). */
  stderrColumns?: () => number | undefined;
  /**
   * While registered, the first SIGINT/SIGTERM calls `handler` instead of ending the process, and a second
   * one exits at once (130). Returns the function that unregisters it.
   */
  onInterrupt?: (handler: () => void) => () => void;
}

/**
 * A process stream that a closed reader cannot break: `envsync apply | head -1` closes stdout after one line,
 * and the EPIPE that follows must not stop an apply halfway. After EPIPE the stream's output is dropped.
 */
function pipeSafe(stream: NodeJS.WriteStream): Out {
  let closed = false;
  stream.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE' || e.code === 'ERR_STREAM_DESTROYED') closed = true;
    else throw e;
  });
  return {
    write(text: string) {
      if (closed || stream.destroyed) return false;
      return stream.write(text);
    },
  };
}

export function processIo(): CliIo {
  return {
    stdout: pipeSafe(process.stdout),
    stderr: pipeSafe(process.stderr),
    stdin: process.stdin,
    env: process.env,
    cwd: process.cwd(),
    stdoutIsTTY: Boolean(process.stdout.isTTY),
    stderrIsTTY: Boolean(process.stderr.isTTY),
    stdinIsTTY: Boolean(process.stdin.isTTY),
    stderrColumns: () => process.stderr.columns,
    onInterrupt(handler) {
      let signals = 0;
      const listener = () => {
        signals++;
        if (signals === 1) handler();
        else process.exit(130);
      };
      process.on('SIGINT', listener);
      process.on('SIGTERM', listener);
      return () => {
        process.off('SIGINT', listener);
        process.off('SIGTERM', listener);
      };
    },
  };
}

const wrap = (open: number, close: number) => (s: string) => `\u001b[${open}m${s}\u001b[${close}m`;

export function paint(enabled: boolean): Paint {
  if (!enabled) {
    const id = (s: string) => s;
    return { red: id, green: id, yellow: id, cyan: id, bold: id, dim: id };
  }
  return {
    red: wrap(31, 39),
    green: wrap(32, 39),
    yellow: wrap(33, 39),
    cyan: wrap(36, 39),
    bold: wrap(1, 22),
    dim: wrap(2, 22),
  };
}

/**
 * Whether to colour a stream, by the common conventions (no-color.org, Node's FORCE_COLOR, TERM=dumb), first
 * match wins: --no-color, then NO_COLOR (non-empty) → never; FORCE_COLOR 0/false → never, 1/2/3/true/empty →
 * always, even off a TTY (other values are ignored); TERM=dumb → never; otherwise only on a TTY.
 * Decided here rather than by Node 20's util.styleText, which colours unconditionally and reads none of these.
 */
export function colorEnabled(
  env: Record<string, string | undefined>,
  isTTY: boolean,
  flag: boolean,
): boolean {
  if (!flag) return false;
  if (env.NO_COLOR) return false;
  const force = env.FORCE_COLOR;
  if (force === '0' || force === 'false') return false;
  if (force === '' || force === '1' || force === '2' || force === '3' || force === 'true') return true;
  if (env.TERM === 'dumb') return false;
  return isTTY;
}
