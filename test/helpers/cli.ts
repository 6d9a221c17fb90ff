// Runs the real CLI: in-process through main() with captured streams, or as a child process of the built binary.

import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import type { CliIo } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const BIN = path.join(ROOT, 'dist/cli/bin.js');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  cwd?: string;
  env?: Record<string, string | undefined>;
  stdin?: string;
  tty?: boolean;
}

/** Edges for calling CLI code in-process with no terminal and nothing read: stderr goes to `onStderr`. */
export function quietIo(onStderr: (s: string) => void = () => undefined): CliIo {
  return {
    stdout: { write: () => true },
    stderr: {
      write: (s: string) => {
        onStderr(s);
        return true;
      },
    },
    stdin: process.stdin,
    env: {},
    cwd: '/',
    stdoutIsTTY: false,
    stderrIsTTY: false,
    stdinIsTTY: false,
  };
}

/** The environment tests start from: no real key, no CI markers that change output. */
export function baseEnv(extra: Record<string, string | undefined> = {}): Record<string, string | undefined> {
  return { PATH: process.env.PATH, HOME: process.env.HOME, USER: 'tester', ...extra };
}

export async function runCli(args: string[], options: RunOptions = {}): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const stdin = new PassThrough();
  stdin.end(options.stdin ?? '');
  const io: CliIo = {
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s) },
    stdin,
    env: options.env ?? baseEnv(),
    cwd: options.cwd ?? ROOT,
    stdoutIsTTY: options.tty ?? false,
    stderrIsTTY: options.tty ?? false,
    stdinIsTTY: options.tty ?? false,
  };
  const code = await main(args, io);
  return { code, stdout, stderr };
}

/** Spawns the built binary (run `npm run build` first; `npm test` does). */
export function spawnCli(args: string[], options: RunOptions = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: options.cwd ?? ROOT,
      env: (options.env ?? baseEnv()) as NodeJS.ProcessEnv,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
    child.stdin.end(options.stdin ?? '');
  });
}

/** The modeline reference from dir to the schema this checkout ships, computed independently of src/. */
export function shippedSchemaFrom(dir: string, kind = 'environment'): string {
  const rel = path.relative(ROOT, dir);
  // Outside this checkout (a temp project with no node_modules/envsync), the reference is the published $id.
  if (rel.startsWith('..') || path.isAbsolute(rel)) return `https://envsync.dev/schema/${kind}.schema.json`;
  return path
    .relative(dir, path.join(ROOT, `schema/${kind}.schema.json`))
    .split(path.sep)
    .join('/');
}

export function tempDir(prefix = 'envsync-test-'): string {
  return mkdtempSync(path.join(tmpdir(), prefix));
}
