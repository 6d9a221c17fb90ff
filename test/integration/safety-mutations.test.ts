// Safety lines no other test would miss: each test here fails when the line that enforces its behaviour is
// deleted (scripts/mutate-safety.mjs deletes each one and runs the test that must fail).

import { appendFileSync, existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createApiClient } from '../../src/api/client.js';
import { Halt } from '../../src/apply/answers.js';
import { gatedApi } from '../../src/apply/context.js';
import { ownershipTags } from '../../src/domain/ownership.js';
import { EnvsyncError } from '../../src/errors.js';
import type { ReporterEvent } from '../../src/model.js';
import { rateLimitFor } from '../../src/workflow/connect.js';
import { makeAgent, makeDeployment } from '../helpers/emulator-refs.js';
import { type HookAnswer, startHookProxy } from '../helpers/hook-proxy.js';
import { envFile, pipEnv, TEST_KEY, TEST_PROJECT, Workspace } from '../helpers/workspace.js';

let ws: Workspace;
beforeEach(async () => {
  ws = await Workspace.start();
});
afterEach(() => ws.close());

/** Another apply takes the lock over: from now on this one holds nothing. */
function stealLock(): void {
  writeFileSync(
    `${ws.changelog}.lock`,
    `${JSON.stringify({ pid: 1, host: 'elsewhere', started_at: new Date().toISOString(), token: 'stolen' })}\n`,
  );
}

const isWrite = (method: string) => method !== 'GET';

/** The config hash the plan gives a file's create. */
async function plannedHash(): Promise<string> {
  const r = await ws.cli(['plan', '--format', 'json']);
  return JSON.parse(r.stdout).actions[0].desired.config_hash as string;
}

describe('a create whose answer was lost is kept only if it is provably this run’s', () => {
  /** The create never reaches the API (a 500 after the fact); `impostor` takes the name meanwhile. */
  async function applyWithImpostor(metadata: Record<string, string>) {
    ws.files({ 'a.yaml': envFile('a') });
    let impostor = '';
    const r = await ws.cliThrough(
      async (method, p) => {
        if (method === 'POST' && p === '/v1/environments' && !impostor) {
          impostor = (await ws.sdk().beta.environments.create({ name: 'a', metadata })).id;
          return { refuse: 500 };
        }
        return 'forward';
      },
      ['apply', '--auto-approve'],
    );
    return { r, impostor };
  }

  it('not when the environment found by name carries another config hash', async () => {
    const { r, impostor } = await applyWithImpostor(ownershipTags(TEST_PROJECT, 'sha256:not-this-config'));
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`a: the name was taken by ${impostor} while applying`);
    expect(ws.entries().filter((e) => e.op === 'create')).toEqual([]);
  });

  it('not when it carries this config hash but another project’s tag', async () => {
    ws.files({ 'a.yaml': envFile('a') });
    const hash = await plannedHash();
    const { r, impostor } = await applyWithImpostor(ownershipTags('other-project', hash));
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`a: the name was taken by ${impostor} while applying`);
    expect(ws.entries().filter((e) => e.op === 'create')).toEqual([]);
  });
});

describe('once the lock is lost no API write goes out, even mid-action', () => {
  /**
   * `apply`, with the lock taken over while the first update of `envId` (its rename) is on the wire; `after`
   * lists every write that went out once the lock was lost.
   */
  async function applyLosingLockAt(envId: string | undefined) {
    const after: string[] = [];
    let lost = false;
    const r = await ws.cliThrough(
      (method, p) => {
        if (lost && isWrite(method)) after.push(`${method} ${p}`);
        if (method === 'POST' && p === `/v1/environments/${envId}` && !lost) {
          stealLock();
          lost = true;
        }
        return 'forward';
      },
      ['apply', '--auto-approve'],
    );
    return { r, lost, after };
  }

  it('an archive whose rename lost the lock is not archived', async () => {
    ws.files({ 'a.yaml': envFile('a'), 'b.yaml': envFile('b') });
    expect((await ws.cli(['apply', '--auto-approve'])).code).toBe(0);
    const b = (await ws.live()).find((e) => e.name === 'b');
    ws.files({ 'b.yaml': null });
    const { r, lost, after } = await applyLosingLockAt(b?.id);
    expect(lost).toBe(true);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('no longer holds the lock');
    expect(after).toEqual([]);
    expect((await ws.live(true)).find((e) => e.id === b?.id)?.archived_at).toBeNull();
  });

  it('a recreate whose rename lost the lock creates nothing and renames nothing back', async () => {
    ws.files({ 'r.yaml': pipEnv('r', ['numpy==2.1.3'], 'lifecycle: {on_config_change: recreate}\n') });
    expect((await ws.cli(['apply', '--auto-approve'])).code).toBe(0);
    const [old] = await ws.live();
    ws.files({ 'r.yaml': pipEnv('r', ['numpy==2.2.0'], 'lifecycle: {on_config_change: recreate}\n') });
    const { r, lost, after } = await applyLosingLockAt(old?.id);
    expect(lost).toBe(true);
    expect(r.code).toBe(1);
    expect(after).toEqual([]);
    expect((await ws.live()).map((e) => e.id)).toEqual([old?.id]);
  });

  it('the gate refuses create, update, archive, delete and repoint once the writer has failed', async () => {
    const env = await ws.sdk().beta.environments.create({ name: 'x' });
    const agent = await makeAgent(ws.sdk());
    const deployment = await makeDeployment(ws.sdk(), agent.id, env.id);
    const events: ReporterEvent[] = [];
    const api = createApiClient({
      baseUrl: ws.emu.url,
      apiKey: TEST_KEY,
      reporter: { event: (e) => events.push(e) },
    });
    const lockLost = new EnvsyncError('lock_lost', 'this apply no longer holds the lock');
    const gated = gatedApi(
      api,
      {
        ready: () => {
          throw lockLost;
        },
      },
      new Halt(),
    );
    ws.emu.resetStats();
    const writes = [
      () => gated.create({ name: 'y', description: null, metadata: {}, config: { type: 'cloud' } } as never),
      () => gated.update(env.id, { description: 'changed' }),
      () => gated.archive(env.id),
      () => gated.delete(env.id),
      () => gated.references.repointDeployment(deployment.id, env.id),
    ];
    for (const write of writes) await expect(write()).rejects.toBe(lockLost);
    expect(Object.keys(ws.emu.stats().byRoute)).toEqual([]);
  });
});

describe('the first changelog failure', () => {
  it('leaves the actions after it not started, and says which', async () => {
    ws.files({ 'a.yaml': envFile('a'), 'b.yaml': envFile('b'), 'c.yaml': envFile('c') });
    let lost = false;
    const r = await ws.cliThrough(
      (method, p) => {
        if (method === 'POST' && p === '/v1/environments' && !lost) {
          stealLock();
          lost = true;
        }
        return 'forward';
      },
      ['apply', '--auto-approve', '--parallelism', '1'],
    );
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('Apply stopped: 1 created');
    expect(r.stdout).toContain('2 not started');
    expect(await ws.live()).toHaveLength(1);
  });
});

describe('a torn last line set aside', () => {
  it('is counted by verify until a run continues the history', async () => {
    ws.files({ 'a.yaml': envFile('a') });
    expect((await ws.cli(['apply', '--auto-approve'])).code).toBe(0);
    const run = ws.runFiles().at(-1) as string;
    appendFileSync(run, '{"v":2,"seq":4,"op":"beg');
    // The apply sets the tail aside, then fails to list the API: no run is written to close the history.
    const failed = await ws.applyThrough((method, p) =>
      method === 'GET' && p === '/v1/environments' ? 400 : undefined,
    );
    expect(failed.code).toBe(1);
    expect(failed.stderr).toContain('kept it aside in');
    expect(existsSync(`${run}.torn-1`)).toBe(true);
    expect(ws.runFiles()).toEqual([run]);
    const open = await ws.cli(['verify']);
    expect(open.code).toBe(1);
    // Named by its path from here, like every other file verify reports.
    expect(open.stdout).toContain(
      `${path.relative(ws.dir, `${run}.torn-1`)}: a torn last line of ${path.basename(run)} was set aside here`,
    );
    // A run that writes (here: a create) continues the history past the torn run.
    ws.files({ 'b.yaml': envFile('b') });
    expect((await ws.cli(['apply', '--auto-approve'])).code).toBe(0);
    const closed = await ws.cli(['verify']);
    expect([closed.code, closed.stdout]).toEqual([0, expect.not.stringContaining('set aside')]);
  });
});

describe('a saved plan is applied only where and as it was made', () => {
  async function savePlan(): Promise<void> {
    const r = await ws.cli(['plan', '--out', 'plan.json']);
    expect(r.code, r.stderr).toBe(0);
  }

  it('refuses a plan saved for another project', async () => {
    ws.files({ 'a.yaml': envFile('a') });
    await savePlan();
    writeFileSync(path.join(ws.dir, 'envsync.yaml'), 'project: other-project\n');
    const r = await ws.cli(['apply', '--plan', 'plan.json']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`the plan was made for project ${TEST_PROJECT}, not other-project`);
    expect(await ws.live()).toEqual([]);
  });

  it('refuses a create-only plan saved against another API', async () => {
    ws.files({ 'a.yaml': envFile('a') });
    await savePlan();
    // The same emulator under another address: another target, and nothing in the plan's fingerprints.
    const r = await ws.cliThrough(() => 'forward', ['apply', '--plan', 'plan.json']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`the plan was made for ${ws.emu.url}`);
    expect(await ws.live()).toEqual([]);
  });

  it('refuses a plan whose environment was archived since', async () => {
    ws.files({ 'a.yaml': envFile('a') });
    expect((await ws.cli(['apply', '--auto-approve'])).code).toBe(0);
    const [a] = await ws.live();
    ws.files({ 'a.yaml': envFile('a', 'description: new\n') });
    await savePlan();
    await ws.sdk().beta.environments.archive(a?.id as string);
    ws.emu.resetStats();
    const r = await ws.cli(['apply', '--plan', 'plan.json']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`a (${a?.id}) is gone or archived`);
    expect(Object.keys(ws.emu.stats().byRoute).filter((k) => !k.startsWith('GET'))).toEqual([]);
  });

  it('refuses a plan when a name it creates appeared since', async () => {
    ws.files({ 'a.yaml': envFile('a') });
    await savePlan();
    await ws.sdk().beta.environments.create({ name: 'a' });
    ws.emu.resetStats();
    const r = await ws.cli(['apply', '--plan', 'plan.json']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('an environment named a appeared');
    expect(Object.keys(ws.emu.stats().byRoute).filter((k) => !k.startsWith('GET'))).toEqual([]);
  });

  it.each([
    ['--adopt', ['--adopt', 'a']],
    ['--max-archive', ['--max-archive', '9']],
    ['--allow-referenced', ['--allow-referenced']],
    ['--target', ['--target', 'a']],
    ['--frozen', ['--frozen']],
    ['--offline', ['--offline']],
  ])('refuses %s with --plan', async (flag, args) => {
    ws.files({ 'a.yaml': envFile('a') });
    await savePlan();
    const r = await ws.cli(['apply', '--plan', 'plan.json', ...args]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${flag} cannot change a saved plan`);
    expect(await ws.live()).toEqual([]);
  });
});

describe('pacing in a run: the client against the emulator, on an injected clock', () => {
  /** What the client did, in order, at what time on its own clock (sleep moves the clock on, nothing waits). */
  function pacedClient(baseUrl: string) {
    let clock = 0;
    const log: { at: number; e: ReporterEvent }[] = [];
    const api = createApiClient({
      baseUrl,
      apiKey: TEST_KEY,
      // What a run against the Anthropic API gets without --rate-limit.
      rateLimit: rateLimitFor('https://api.anthropic.com', undefined),
      reporter: { event: (e) => log.push({ at: clock, e }) },
      now: () => clock,
      sleep: async (ms) => {
        clock += ms;
      },
    });
    // A request event comes with its answer; its `ms` on this clock dates when it was sent.
    const sent = (method: string) =>
      log.flatMap((l) => (l.e.type === 'request' && l.e.method === method ? [l.at - l.e.ms] : []));
    return { api, log, sent };
  }
  const body = (name: string) =>
    ({ name, description: null, metadata: {}, config: { type: 'cloud' } }) as never;

  it('the Anthropic API’s default paces writes at 60 a minute: one a second, each after a wait', async () => {
    const { api, log, sent } = pacedClient(ws.emu.url);
    await Promise.all(['a', 'b', 'c'].map((n) => api.create(body(n))));
    expect(sent('POST')).toEqual([0, 1000, 2000]);
    expect(log.filter((l) => l.e.type === 'waiting').map((l) => l.e)).toEqual([
      { type: 'waiting', reason: 'rate_limit', ms: 1000 },
      { type: 'waiting', reason: 'rate_limit', ms: 1000 },
    ]);
    expect((await ws.live()).map((e) => e.name).sort()).toEqual(['a', 'b', 'c']);
  });

  it('and reads at 600 a minute, apart from the writes: ten at once, then one every 100 ms', async () => {
    const env = await ws.sdk().beta.environments.create({ name: 'x' });
    const { api, sent } = pacedClient(ws.emu.url);
    await api.create(body('w'));
    await Promise.all(Array.from({ length: 12 }, () => api.retrieve(env.id)));
    expect(sent('GET')).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 100, 200]);
  });

  it('honours a 429’s retry-after while pacing: no write goes out before it has passed', async () => {
    let refused = false;
    const proxy = await startHookProxy(ws.emu.url, (method) => {
      if (method === 'POST' && !refused) {
        refused = true;
        return {
          respond: {
            status: 429,
            headers: { 'retry-after': '5' },
            body: { type: 'error', error: { type: 'rate_limit_error', message: 'slow down' } },
          },
        };
      }
      return 'forward';
    });
    try {
      const { api, log, sent } = pacedClient(proxy.url);
      await api.create(body('a'));
      await api.create(body('b'));
      // The 429 at 0: its retry 5 s later (not at the next token, 1 s), the next write at the token after.
      expect(sent('POST')).toEqual([0, 5000, 6000]);
      const waits = log.filter((l) => l.e.type === 'waiting').map((l) => [l.at, l.e]);
      expect(waits).toEqual([
        [0, { type: 'waiting', reason: 'retry_after', ms: 5000 }],
        [5000, { type: 'waiting', reason: 'rate_limit', ms: 1000 }],
      ]);
    } finally {
      await proxy.close();
    }
    expect((await ws.live()).map((e) => e.name).sort()).toEqual(['a', 'b']);
  });
});

describe('a deployment that took up a retiring environment while the prompt waited', () => {
  it('makes the plan stale: the deployments are listed again after the answer', async () => {
    ws.files({ 'a.yaml': envFile('a'), 'b.yaml': envFile('b') });
    expect((await ws.cli(['apply', '--auto-approve'])).code).toBe(0);
    const b = (await ws.live()).find((e) => e.name === 'b');
    const agent = await makeAgent(ws.sdk());
    ws.files({ 'b.yaml': null });
    let listed = 0;
    let late = '';
    const proxy = await startHookProxy(ws.emu.url, async (method, p): Promise<HookAnswer> => {
      if (method === 'GET' && p === '/v1/deployments') listed++;
      // The list after the prompt: the plan listed deployments once already.
      if (method === 'GET' && p === '/v1/environments' && listed === 1 && !late)
        late = (await makeDeployment(ws.sdk(), agent.id, b?.id as string, { name: 'late' })).id;
      return 'forward';
    });
    const r = await ws
      .cli(['--base-url', proxy.url, 'apply'], { tty: true, stdin: 'yes\n' })
      .finally(() => proxy.close());
    expect(late).not.toBe('');
    expect(r.code).toBe(1);
    expect(`${r.stdout}${r.stderr}`).toContain(`deployment late (${late}) now uses ${b?.id}`);
    expect((await ws.live(true)).find((e) => e.id === b?.id)?.archived_at).toBeNull();
  });
});
