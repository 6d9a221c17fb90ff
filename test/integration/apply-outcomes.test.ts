// Apply's guarantees at the moment of each write: compare-and-swap on updated_at, lost or 409 creates
// resolved in the same run, and every entry fsynced before the next write.

import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BIN, baseEnv, runCli, tempDir } from '../helpers/cli.js';
import { type HookAnswer, startHookProxy } from '../helpers/hook-proxy.js';
import { describeWithTool, STRACE } from '../helpers/tools.js';
import { envFile, TEST_KEY, Workspace } from '../helpers/workspace.js';

describe('apply at the moment of each write', () => {
  let ws: Workspace;
  beforeEach(async () => {
    ws = await Workspace.start();
  });
  afterEach(() => ws.close());

  /** Runs apply through a proxy whose hook sees every request. */
  async function applyThrough(hook: (method: string, p: string) => Promise<HookAnswer> | HookAnswer) {
    const proxy = await startHookProxy(ws.emu.url, hook);
    try {
      return await runCli(['--base-url', proxy.url, 'apply', '--auto-approve'], {
        cwd: ws.dir,
        env: baseEnv({ ANTHROPIC_API_KEY: TEST_KEY }),
      });
    } finally {
      await proxy.close();
    }
  }

  it('refuses an update when the environment changed after the plan was checked (compare-and-swap on updated_at)', async () => {
    ws.files({ 'a.yaml': envFile('a', 'description: first\n') });
    expect((await ws.cli(['apply', '--auto-approve'])).code).toBe(0);
    const [a] = await ws.live();
    ws.files({ 'a.yaml': envFile('a', 'description: second\n') });
    let edited = false;
    const r = await applyThrough(async (method, p): Promise<HookAnswer> => {
      // The console edit lands between the plan's checks and apply's own read of the environment.
      if (method === 'GET' && p === `/v1/environments/${a?.id}` && !edited) {
        edited = true;
        await ws.sdk().beta.environments.update(a?.id as string, { description: 'console edit' });
      }
      return 'forward';
    });
    expect(edited).toBe(true);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('changed since the plan was made');
    expect((await ws.live())[0]?.description).toBe('console edit');
  });

  it('keeps a create whose write landed but its answer was lost, in the same run', async () => {
    ws.files({ 'a.yaml': envFile('a') });
    let first = true;
    const r = await applyThrough((method, p) => {
      if (method === 'POST' && p === '/v1/environments' && first) {
        first = false;
        return 'lose_answer';
      }
      return 'forward';
    });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('Apply complete: 1 created');
    const live = await ws.live();
    expect(live).toHaveLength(1);
    const creates = ws.entries().filter((e) => e.op === 'create');
    expect(creates.map((e) => e.env_id)).toEqual([live[0]?.id]);
  });

  it("a first-attempt 409 is not a lost answer: the holder, tagged with this project's hash, is recorded as another apply's create, not as this run's", async () => {
    ws.files({ 'a.yaml': envFile('a') });
    let first = true;
    const r = await applyThrough((method, p) => {
      if (method === 'POST' && p === '/v1/environments' && first) {
        first = false;
        // The write lands (as another apply's would have), and this run is told the name is taken.
        return { status: 409 };
      }
      return 'forward';
    });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('0 created');
    expect(r.stdout).toContain('1 already done by another apply');
    const live = await ws.live();
    expect(live).toHaveLength(1);
    const steps = ws.entries().filter((e) => e.env_id !== null);
    expect(steps.map((e) => [e.op, e.env_id])).toEqual([['drift', live[0]?.id]]);
    expect(steps[0]?.at).toBe(live[0]?.created_at);
    expect(steps[0]?.detail).toMatch(/^created by another apply at .* nothing sent$/);
    // The changelog knows it now: nothing is behind, nothing left to do.
    expect((await ws.cli(['plan', '--detailed-exitcode'])).code).toBe(0);
    expect((await ws.cli(['verify', '--live'])).code).toBe(0);
  });
});

describeWithTool(STRACE, 'every entry is fsynced (strace)', () => {
  it('calls fsync at least once per entry written', async () => {
    const ws = await Workspace.start();
    try {
      ws.files({ 'a.yaml': envFile('a'), 'b.yaml': envFile('b'), 'c.yaml': envFile('c') });
      const log = path.join(tempDir(), 'strace.log');
      // Asynchronous: the emulator runs in this process and must keep answering while apply runs.
      const code = await new Promise<number | null>((resolve, reject) => {
        const child = spawn(
          'strace',
          [
            '-f',
            '-e',
            'trace=fsync,fdatasync',
            '-o',
            log,
            process.execPath,
            BIN,
            '--base-url',
            ws.emu.url,
            'apply',
            '--auto-approve',
          ],
          {
            cwd: ws.dir,
            env: baseEnv({ ANTHROPIC_API_KEY: TEST_KEY }) as NodeJS.ProcessEnv,
            stdio: 'ignore',
          },
        );
        child.on('error', reject);
        child.on('close', resolve);
      });
      expect(code).toBe(0);
      const entries = ws.entries().length;
      expect(entries).toBe(5);
      const fsyncs = readFileSync(log, 'utf8')
        .split('\n')
        .filter((l) => /fsync\(\d+\)\s+= 0/.test(l)).length;
      // One per entry, plus the directory once the file is made.
      expect(fsyncs).toBeGreaterThanOrEqual(entries + 1);
    } finally {
      await ws.close();
    }
  }, 30_000);
});
