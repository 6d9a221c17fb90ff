import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { foldRecorded } from '../../src/changelog/state.js';
import { verifyHistory } from '../../src/changelog/verify.js';
import { isMine, liveHash } from '../../src/domain/ownership.js';
import type { LiveEnvironment } from '../../src/model.js';
import { BIN, baseEnv } from '../helpers/cli.js';
import { pipEnv, TEST_KEY, TEST_PROJECT, Workspace } from '../helpers/workspace.js';

/** What must hold after any sequence of failures and re-runs: nothing duplicated, nothing unrecorded. */
async function expectConverged(ws: Workspace, names: string[]) {
  const live = (await ws.live()) as LiveEnvironment[];
  expect(live.map((e) => e.name).sort()).toEqual([...names].sort());
  const all = (await ws.live(true)) as LiveEnvironment[];
  // Every environment envsync ever made is either one of the live ones or archived: none is left behind.
  expect(all.filter((e) => !e.archived_at)).toHaveLength(names.length);

  expect(verifyHistory(ws.changelog).problems).toEqual([]);
  const recorded = new Map(foldRecorded(ws.entries()).map((r) => [r.env_id, r]));
  for (const env of live.filter((e) => isMine(e, { project: TEST_PROJECT, recorded: () => false }))) {
    const rec = recorded.get(env.id);
    expect(rec, `${env.name} ${env.id} is not in the changelog`).toBeDefined();
    expect(rec).toMatchObject({ name: env.name, config_hash: liveHash(env), archived: false });
  }
  const plan = await ws.cli(['plan']);
  expect(plan.stdout.trim()).toBe('No changes.');
}

async function applyUntilClean(ws: Workspace, maxRuns: number): Promise<number> {
  for (let run = 1; run <= maxRuns; run++) {
    const r = await ws.cli(['apply', '--auto-approve']);
    if (r.code === 0) return run;
  }
  throw new Error(`apply did not succeed in ${maxRuns} runs`);
}

describe('apply under faults', () => {
  it('converges through 10% 5xx and 20% dropped responses with nothing duplicated or lost', async () => {
    const ws = await Workspace.start({ failRate: 0.1, dropRate: 0.2, seed: 7 });
    try {
      const names = Array.from({ length: 30 }, (_, i) => `svc-${i}`);
      for (const n of names) ws.files({ [`${n}.yaml`]: pipEnv(n, ['requests==2.32.3']) });
      await applyUntilClean(ws, 6);
      const stats = ws.emu.stats();
      expect(stats.status.dropped ?? 0).toBeGreaterThan(0);
      expect((stats.status['500'] ?? 0) + (stats.status['529'] ?? 0)).toBeGreaterThan(0);

      // A second round of changes (updates and archives) under the same faults.
      for (const n of names.slice(0, 10)) ws.files({ [`${n}.yaml`]: pipEnv(n, ['requests==2.32.4']) });
      for (const n of names.slice(25)) ws.files({ [`${n}.yaml`]: null });
      await applyUntilClean(ws, 6);
      // Inspect through a fault-free emulator on the same state, so the checks themselves cannot flake.
      await ws.restart();
      await expectConverged(ws, names.slice(0, 25));
    } finally {
      await ws.close();
    }
  }, 120_000);
});

/** Starts `envsync apply` as a process and SIGKILLs it once the changelog has `atLines` lines. */
function applyAndKill(ws: Workspace, atLines: number): Promise<{ killed: boolean }> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [BIN, '--base-url', ws.emu.url, 'apply', '--auto-approve', '--parallelism', '2'],
      {
        cwd: ws.dir,
        env: baseEnv({ ANTHROPIC_API_KEY: TEST_KEY }) as NodeJS.ProcessEnv,
        stdio: 'ignore',
      },
    );
    let killed = false;
    const timer = setInterval(() => {
      if (!killed && ws.lineCount() >= atLines) {
        killed = child.kill('SIGKILL');
      }
    }, 2);
    child.on('error', reject);
    child.on('exit', () => {
      clearInterval(timer);
      resolve({ killed });
    });
  });
}

describe('apply killed with SIGKILL', () => {
  it.each([1, 3, 6, 10])(
    'converges on the next run after a kill at changelog line %i',
    async (atLines) => {
      const ws = await Workspace.start({ latencyMs: 40 });
      try {
        const names = Array.from({ length: 12 }, (_, i) => `k-${i}`);
        for (const n of names)
          ws.files({
            [`${n}.yaml`]: pipEnv(n, ['numpy==2.1.3'], 'lifecycle: {on_config_change: recreate}\n'),
          });
        const { killed } = await applyAndKill(ws, atLines);
        expect(killed).toBe(true);
        const after = await ws.cli(['apply', '--auto-approve']);
        expect(after.code, after.stderr).toBe(0);
        await expectConverged(ws, names);

        // Kill again in the middle of recreates and archives (5, the --max-archive default), then converge again.
        for (const n of names.slice(0, 3))
          ws.files({
            [`${n}.yaml`]: pipEnv(n, ['numpy==2.2.0'], 'lifecycle: {on_config_change: recreate}\n'),
          });
        for (const n of names.slice(10)) ws.files({ [`${n}.yaml`]: null });
        const base = ws.lineCount();
        await applyAndKill(ws, base + atLines);
        const again = await ws.cli(['apply', '--auto-approve']);
        expect(again.code, again.stderr).toBe(0);
        await expectConverged(ws, names.slice(0, 10));
      } finally {
        await ws.close();
      }
    },
    60_000,
  );
});

describe('apply into a rate limit', () => {
  it('slows down on 429s (honouring retry-after) instead of failing', async () => {
    // 4 writes per second on the server, no pacing on envsync's side: it must run into 429s.
    const ws = await Workspace.start({
      rateLimit: { writesPerMinute: 4, readsPerMinute: 600 },
      rateWindowMs: 1000,
    });
    try {
      const names = Array.from({ length: 10 }, (_, i) => `rl-${i}`);
      for (const n of names) ws.files({ [`${n}.yaml`]: pipEnv(n, ['numpy==2.1.3']) });
      const r = await ws.cli(['apply', '--auto-approve']);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toContain('Apply complete: 10 created, 0 updated, 0 recreated, 0 archived, 0 failed.');
      expect(ws.emu.stats().rateLimited).toBeGreaterThan(0);
      await ws.restart();
      await expectConverged(ws, names);
    } finally {
      await ws.close();
    }
  }, 60_000);
});
