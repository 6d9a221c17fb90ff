// What plan and apply report, as typed Reporter events: actions started and finished in order, failures and
// warnings as events of their own, whatever words the CLI draws them with.

import { writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createApiClient } from '../../src/api/client.js';
import type { EnvironmentsApi } from '../../src/model.js';
import { applyChanges } from '../../src/workflow/apply.js';
import { forgetEnvironments } from '../../src/workflow/forget.js';
import { loadDesiredOrThrow, type PlanSettings, planOnly } from '../../src/workflow/plan.js';
import { startFaultProxy } from '../helpers/fault-proxy.js';
import { RecordingReporter } from '../helpers/reporter.js';
import { envFile, TEST_KEY, TEST_PROJECT, Workspace } from '../helpers/workspace.js';

describe('Reporter events from plan and apply', () => {
  let ws: Workspace;
  beforeEach(async () => {
    ws = await Workspace.start();
  });
  afterEach(() => ws.close());

  function settings(): PlanSettings {
    return {
      project: TEST_PROJECT,
      workspace: null,
      adopt: false,
      allowReferenced: false,
      maxArchive: 5,
      targets: [],
      planId: `plan_${Math.random().toString(36).slice(2)}`,
      now: new Date(),
      findings: [],
    };
  }

  /** `applyChanges` on the workspace's files, auto-approved, every event kept; the API through `baseUrl`. */
  async function apply(o: { parallelism?: number; baseUrl?: string; changelog?: string } = {}) {
    const reporter = new RecordingReporter();
    const api: EnvironmentsApi = createApiClient({
      baseUrl: o.baseUrl ?? ws.emu.url,
      apiKey: TEST_KEY,
      reporter,
    });
    const outcome = await applyChanges(
      { kind: 'files', desired: loadDesiredOrThrow(ws.envDir, ws.dir, []), settings: settings() },
      {
        api,
        changelogPath: o.changelog ?? ws.changelog,
        reporter,
        identity: { actor: 'tester', git_commit: null, target: api.target },
        now: () => new Date(),
        project: TEST_PROJECT,
        parallelism: o.parallelism ?? 4,
        lockTimeoutMs: 0,
        host: { planned: () => {}, confirm: 'auto' },
      },
    );
    return { outcome, reporter };
  }

  it('each action starts, then finishes with the ID it made, in plan order one at a time; nothing else is said', async () => {
    ws.files({ 'b.yaml': envFile('b'), 'a.yaml': envFile('a') });
    const { outcome, reporter } = await apply({ parallelism: 1 });
    expect(outcome.status).toBe('applied');
    expect(reporter.actions()).toEqual([
      'start create a',
      'done create a',
      'start create b',
      'done create b',
    ]);
    const live = Object.fromEntries((await ws.live()).map((e) => [e.name, e.id]));
    expect(reporter.of('action_done').map((e) => [e.name, e.env_id])).toEqual([
      ['a', live.a],
      ['b', live.b],
    ]);
    expect(reporter.of('warning')).toEqual([]);
    expect(reporter.of('action_failed')).toEqual([]);
  });

  it('creates and updates all finish before the first archive starts', async () => {
    ws.files({
      'keep.yaml': envFile('keep'),
      'old-1.yaml': envFile('old-1'),
      'old-2.yaml': envFile('old-2'),
    });
    await apply();
    ws.files({
      'keep.yaml': envFile('keep', 'description: changed\n'),
      'new.yaml': envFile('new'),
      'old-1.yaml': null,
      'old-2.yaml': null,
    });
    const { outcome, reporter } = await apply({ parallelism: 4 });
    expect(outcome.status).toBe('applied');
    const lines = reporter.actions();
    expect([...lines].sort()).toEqual([
      'done archive old-1',
      'done archive old-2',
      'done create new',
      'done update keep',
      'start archive old-1',
      'start archive old-2',
      'start create new',
      'start update keep',
    ]);
    const firstArchive = lines.findIndex((l) => l.startsWith('start archive'));
    const lastOther = Math.max(lines.indexOf('done create new'), lines.indexOf('done update keep'));
    expect(lastOther).toBeLessThan(firstArchive);
    // Every action starts before it finishes.
    for (const name of ['keep', 'new', 'old-1', 'old-2']) {
      const start = lines.findIndex((l) => l.startsWith('start') && l.endsWith(` ${name}`));
      const done = lines.findIndex((l) => l.startsWith('done') && l.endsWith(` ${name}`));
      expect(start).toBeLessThan(done);
    }
  });

  it('a write the API refuses is action_failed with its message; the other actions still finish', async () => {
    ws.files({ 'a.yaml': envFile('a'), 'b.yaml': envFile('b') });
    await apply();
    const idOfA = (await ws.live()).find((e) => e.name === 'a')?.id as string;
    ws.files({ 'a.yaml': envFile('a', 'description: new\n'), 'b.yaml': envFile('b', 'description: new\n') });
    const proxy = await startFaultProxy(ws.emu.url, (method, path) =>
      method === 'POST' && path.startsWith(`/v1/environments/${idOfA}`) ? 400 : undefined,
    );
    try {
      const { outcome, reporter } = await apply({ parallelism: 1, baseUrl: proxy.url });
      expect(outcome.status).toBe('applied');
      expect(reporter.actions()).toEqual([
        'start update a',
        'failed update a',
        'start update b',
        'done update b',
      ]);
      const [failed] = reporter.of('action_failed');
      expect(failed).toMatchObject({ kind: 'update', name: 'a' });
      expect(failed?.message).toMatch(/400/);
    } finally {
      await proxy.close();
    }
  });

  it("taking over a dead holder's lock is one warning, reported before any action", async () => {
    ws.files({ 'a.yaml': envFile('a') });
    await apply();
    ws.files({ 'a.yaml': envFile('a', 'description: again\n') });
    writeFileSync(
      `${ws.changelog}.lock`,
      JSON.stringify({ pid: 2 ** 22 + 7, host: hostname(), started_at: '2026-01-01T00:00:00.000Z' }),
    );
    const { outcome, reporter } = await apply();
    expect(outcome.status).toBe('applied');
    const warnings = reporter.of('warning');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]?.message).toContain(`pid ${2 ** 22 + 7}`);
    const kinds = reporter.events.map((e) => e.type).filter((t) => t !== 'request' && t !== 'waiting');
    expect(kinds).toEqual(['warning', 'action_start', 'action_done']);
  });

  it('forget warns of a lock takeover as apply does, then forgets', async () => {
    ws.files({ 'a.yaml': envFile('a'), 'b.yaml': envFile('b') });
    await apply();
    ws.files({ 'b.yaml': null });
    writeFileSync(
      `${ws.changelog}.lock`,
      JSON.stringify({ pid: 2 ** 22 + 7, host: hostname(), started_at: '2026-01-01T00:00:00.000Z' }),
    );
    const reporter = new RecordingReporter();
    const api = createApiClient({ baseUrl: ws.emu.url, apiKey: TEST_KEY, reporter });
    const forgotten = await forgetEnvironments({
      api,
      changelogPath: ws.changelog,
      reporter,
      identity: { actor: 'tester', git_commit: null, target: api.target },
      now: () => new Date(),
      project: TEST_PROJECT,
      lockTimeoutMs: 0,
      names: ['b'],
      desired: loadDesiredOrThrow(ws.envDir, ws.dir, []).environments,
      dryRun: false,
    });
    expect(forgotten.map((f) => f.name)).toEqual(['b']);
    expect(reporter.of('warning').map((w) => w.message)).toEqual([
      `took over the lock of pid ${2 ** 22 + 7} (${hostname()}), which is gone`,
    ]);
  });

  it('an apply with nothing to change starts no action; its API calls are request events, reads only', async () => {
    ws.files({ 'a.yaml': envFile('a') });
    await apply();
    const { outcome, reporter } = await apply();
    expect(outcome.status).toBe('unchanged');
    expect(reporter.actions()).toEqual([]);
    const requests = reporter.of('request');
    expect(requests.length).toBeGreaterThan(0);
    expect(requests.map((r) => [r.method, r.status])).toEqual(requests.map(() => ['GET', 200]));
    expect(requests.every((r) => r.path.startsWith('/v1/environments'))).toBe(true);
  });

  it('a plan over a changelog that lacks an earlier apply warns that it is behind, and starts nothing', async () => {
    ws.files({ 'a.yaml': envFile('a') });
    // Another checkout applied and recorded it; this changelog never heard of it.
    await apply({ changelog: `${ws.dir}/other-checkout/changelog` });
    ws.files({ 'a.yaml': envFile('a', 'description: mine\n') });
    const reporter = new RecordingReporter();
    const api = createApiClient({ baseUrl: ws.emu.url, apiKey: TEST_KEY, reporter });
    const { plan } = await planOnly(loadDesiredOrThrow(ws.envDir, ws.dir, []), {
      api,
      changelogPath: ws.changelog,
      reporter,
      settings: settings(),
    });
    expect(plan.actions.length).toBeGreaterThan(0);
    expect(reporter.actions()).toEqual([]);
    expect(reporter.of('warning').map((w) => w.message)).toEqual([
      expect.stringMatching(/behind|not seen|pull/),
    ]);
  });
});
