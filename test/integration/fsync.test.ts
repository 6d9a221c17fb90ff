// Every fsync that makes a write durable, seen with strace in a real CLI run and checked in order: the atomic
// write (temp file, then rename, then its directory), the run file's directory, the torn-tail repair (the copy,
// the file before and after its truncate), a lost newline restored, and the cut back after a failed write.

import { spawn } from 'node:child_process';
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { build } from 'esbuild';
import { beforeAll, expect, it } from 'vitest';
import { baseEnv, ROOT, tempDir } from '../helpers/cli.js';
import { describeWithTool, STRACE } from '../helpers/tools.js';
import { envFile, TEST_KEY, Workspace } from '../helpers/workspace.js';

/** One traced call: its name, the path of its file descriptor (or its first path), and for a rename, the second. */
interface Call {
  call: string;
  path: string;
  to?: string;
}

/**
 * The CLI bundled from src/ (as scripts/bundle.mjs bundles dist/): the calls are those of the source under
 * test, not of a build that may be stale, and a mutation of src/ (scripts/mutate-safety.mjs) is seen.
 */
let bin = '';

/** Parses strace -f -y output: a call's entry line (whole, or `<unfinished ...>`) in the order made. */
function parseTrace(text: string): Call[] {
  const calls: Call[] = [];
  for (const line of text.split('\n')) {
    const m = /^\d+\s+(fsync|fdatasync|ftruncate|rename|renameat|renameat2)\((.*)$/.exec(line);
    if (!m) continue;
    const [, call = '', args = ''] = m;
    const quoted = [...args.matchAll(/"((?:[^"\\]|\\.)*)"/g)].map((q) => q[1] ?? '');
    if (call.startsWith('rename')) calls.push({ call: 'rename', path: quoted[0] ?? '', to: quoted[1] ?? '' });
    else
      calls.push({
        call: call === 'fdatasync' ? 'fsync' : call,
        path: /^\d+<([^>]*)>/.exec(args)?.[1] ?? '',
      });
  }
  return calls;
}

/**
 * Runs `envsync ARGS` under strace against the workspace's emulator (which runs in this process, so it must
 * go on answering: the child is awaited asynchronously). `fileSizeKb` caps the size of any file the CLI writes
 * (RLIMIT_FSIZE, with SIGXFSZ ignored): a write past it fails with EFBIG, as on a full disk.
 */
async function traced(
  ws: Workspace,
  args: string[],
  fileSizeKb?: number,
): Promise<{ code: number | null; calls: Call[] }> {
  const log = path.join(tempDir('envsync-strace-'), 'strace.log');
  const cli = [process.execPath, bin, '--base-url', ws.emu.url, ...args];
  const limited =
    fileSizeKb === undefined
      ? cli
      : ['bash', '-c', `trap '' XFSZ; ulimit -f ${fileSizeKb}; exec "$@"`, 'bash', ...cli];
  const trace = [
    '-f',
    '--seccomp-bpf',
    '-y',
    '-e',
    'trace=fsync,fdatasync,ftruncate,rename,renameat,renameat2',
    '-o',
    log,
  ];
  const code = await run('strace', [...trace, ...limited], ws.dir);
  return { code, calls: parseTrace(readFileSync(log, 'utf8')) };
}

/** The same CLI untraced, to set a scene (faster than strace, and than loading the CLI into this process). */
function setUp(ws: Workspace, args: string[]): Promise<number | null> {
  return run(process.execPath, [bin, '--base-url', ws.emu.url, ...args], ws.dir);
}

function run(command: string, args: string[], cwd: string): Promise<number | null> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd,
      env: baseEnv({ ANTHROPIC_API_KEY: TEST_KEY }) as NodeJS.ProcessEnv,
      stdio: 'ignore',
    });
    child.on('error', reject);
    child.on('close', resolve);
  });
}

/** The calls on one file (by its path), as `call` strings in order. */
const on = (calls: Call[], file: string) => calls.filter((c) => c.path === file).map((c) => c.call);

describeWithTool(STRACE, 'fsync, seen with strace', () => {
  beforeAll(async () => {
    const out = tempDir('envsync-bundle-');
    await build({
      entryPoints: { bin: path.join(ROOT, 'src/cli/bin.ts') },
      outdir: out,
      bundle: true,
      splitting: true,
      format: 'esm',
      platform: 'node',
      target: 'node20',
      banner: {
        js: "import { createRequire as __envsyncRequire } from 'node:module';\nconst require = __envsyncRequire(import.meta.url);",
      },
      logLevel: 'error',
    });
    bin = path.join(out, 'bin.js');
  }, 60_000);

  it('apply: every entry, and the changelog directory once its run file is made', async () => {
    const ws = await Workspace.start();
    try {
      ws.files({ 'a.yaml': envFile('a'), 'b.yaml': envFile('b') });
      const { code, calls } = await traced(ws, ['apply', '--auto-approve']);
      expect(code).toBe(0);
      const [run] = ws.runFiles();
      expect(on(calls, run as string)).toEqual(ws.entries().map(() => 'fsync'));
      // The directory entry of the new run file is made durable after the file's first line.
      const first = calls.findIndex((c) => c.path === run);
      const dir = calls.findIndex((c) => c.call === 'fsync' && c.path === ws.changelog);
      expect(dir).toBeGreaterThan(first);
    } finally {
      await ws.close();
    }
  });

  it('the atomic write, async (plan --out) and sync (the changelog cache): temp file, rename, directory', async () => {
    const ws = await Workspace.start();
    try {
      ws.files({ 'a.yaml': envFile('a') });
      expect(await setUp(ws, ['apply', '--auto-approve'])).toBe(0);
      ws.files({ 'b.yaml': envFile('b') });
      const { code, calls } = await traced(ws, ['plan', '--out', 'plan.json']);
      expect(code).toBe(0);
      const cache = path.join(ws.dir, '.envsync/.cache/changelog.state.jsonl');
      for (const file of [path.join(ws.dir, 'plan.json'), cache]) {
        const renamed = calls.findIndex((c) => c.call === 'rename' && c.to === file);
        expect(renamed, file).toBeGreaterThan(-1);
        const temp = calls[renamed]?.path as string;
        expect(path.basename(temp)).toMatch(new RegExp(`^${path.basename(file)}\\.tmp-`));
        expect(on(calls.slice(0, renamed), temp), file).toEqual(['fsync']);
        // The directory, after this rename and before the next one (the cache's index follows it there).
        const after = calls.slice(renamed + 1);
        const next = after.findIndex((c) => c.call === 'rename');
        expect(on(next === -1 ? after : after.slice(0, next), path.dirname(file)), file).toEqual(['fsync']);
      }
    } finally {
      await ws.close();
    }
  });

  it('a torn tail: its copy, then the file before and after the truncate', async () => {
    const ws = await Workspace.start();
    try {
      ws.files({ 'a.yaml': envFile('a') });
      expect(await setUp(ws, ['apply', '--auto-approve'])).toBe(0);
      const [run] = ws.runFiles() as [string];
      appendFileSync(run, '{"v":2,"seq":4,"op":"beg');
      const { code, calls } = await traced(ws, ['apply', '--auto-approve']);
      expect(code).toBe(0);
      const aside = `${run}.torn-1`;
      expect(on(calls, aside)).toEqual(['fsync']);
      expect(on(calls, run)).toEqual(['fsync', 'ftruncate', 'fsync']);
      const copied = calls.findIndex((c) => c.path === aside);
      expect(calls.findIndex((c) => c.path === run)).toBeGreaterThan(copied);
    } finally {
      await ws.close();
    }
  });

  it('a last entry that lost its newline gets it back, fsynced', async () => {
    const ws = await Workspace.start();
    try {
      ws.files({ 'a.yaml': envFile('a') });
      expect(await setUp(ws, ['apply', '--auto-approve'])).toBe(0);
      const [run] = ws.runFiles() as [string];
      writeFileSync(run, readFileSync(run, 'utf8').replace(/\n$/, ''));
      const { code, calls } = await traced(ws, ['apply', '--auto-approve']);
      expect(code).toBe(0);
      expect(on(calls, run)).toEqual(['fsync']);
      expect(readFileSync(run, 'utf8').endsWith('\n')).toBe(true);
    } finally {
      await ws.close();
    }
  });

  it('a write that fails midway is cut back to the last whole line, and the cut fsynced', async () => {
    const ws = await Workspace.start();
    try {
      ws.files(Object.fromEntries(['a', 'b', 'c', 'd', 'e'].map((n) => [`${n}.yaml`, envFile(n)])));
      // 2 KiB: the run file takes its begin and a create or two, and the next line stops partway.
      const { code, calls } = await traced(ws, ['apply', '--auto-approve', '--parallelism', '1'], 2);
      expect(code).toBe(1);
      const [run] = ws.runFiles() as [string];
      const ops = on(calls, run);
      expect(ops).toContain('ftruncate');
      expect(ops.slice(ops.indexOf('ftruncate'))).toEqual(['ftruncate', 'fsync']);
      // What is left is whole lines only.
      expect(readFileSync(run, 'utf8').endsWith('\n')).toBe(true);
    } finally {
      await ws.close();
    }
  });
});
