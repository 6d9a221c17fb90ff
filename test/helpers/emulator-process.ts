// Runs `envsync emulator` as a real child process of the built binary and reads its URL from the first line.

import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { BIN, baseEnv, ROOT } from './cli.js';

export interface EmulatorProcess {
  child: ChildProcessWithoutNullStreams;
  url: string;
  firstLine: string;
  stdout(): string;
  stderr(): string;
  /** Resolves with the stream's text once `done` holds for it: an event, not a wait of a fixed time. */
  until(stream: 'stdout' | 'stderr', done: (text: string) => boolean): Promise<string>;
  /** Resolves with the exit code, or the signal's name when it was killed. */
  exited: Promise<number | string>;
}

/** Spawns the built CLI (run `npm run build` first) and waits for its `listening on URL` line. */
export function spawnEmulator(args: string[]): Promise<EmulatorProcess> {
  const child = spawn(process.execPath, [BIN, 'emulator', ...args], {
    cwd: ROOT,
    env: baseEnv() as NodeJS.ProcessEnv,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  const text = (stream: 'stdout' | 'stderr') => (stream === 'stdout' ? stdout : stderr);
  const until = (stream: 'stdout' | 'stderr', done: (text: string) => boolean) =>
    new Promise<string>((resolve, reject) => {
      const check = () => {
        if (!done(text(stream))) return;
        child[stream].off('data', check);
        resolve(text(stream));
      };
      // After the helper's own listener (added first), so the text includes this chunk.
      child[stream].on('data', check);
      check();
      // A process that ends without it fails the wait at once, showing what it did say.
      child.on('close', () => {
        if (!done(text(stream)))
          reject(new Error(`emulator ended without it on ${stream}:\n${text(stream)}\n${stderr}`));
      });
    });
  const exited = new Promise<number | string>((resolve) => {
    child.on('exit', (code, signal) => resolve(code ?? signal ?? -1));
  });
  return new Promise((resolve, reject) => {
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.stdout.on('data', (d) => {
      stdout += d;
      const newline = stdout.indexOf('\n');
      if (newline === -1) return;
      const firstLine = stdout.slice(0, newline);
      const url = /^listening on (http:\/\/127\.0\.0\.1:\d+)$/.exec(firstLine)?.[1];
      if (!url) {
        reject(new Error(`unexpected first line: ${firstLine}`));
        return;
      }
      resolve({ child, url, firstLine, stdout: () => stdout, stderr: () => stderr, until, exited });
    });
    void exited.then((code) => reject(new Error(`emulator exited (${code}) before listening:\n${stderr}`)));
  });
}
