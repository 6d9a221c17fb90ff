// The apply safety sequence as one library call: blocked, cancelled, stale after the prompt, applied.

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createApiClient } from '../../src/api/client.js';
import { type EnvironmentsApi, type Plan, silentReporter } from '../../src/model.js';
import { type ApplyHost, applyChanges } from '../../src/workflow/apply.js';
import { loadDesiredOrThrow } from '../../src/workflow/plan.js';
import { envFile, TEST_KEY, TEST_PROJECT, Workspace } from '../helpers/workspace.js';

describe('applyChanges: blocked → confirm → fresh check → apply, in the library', () => {
  let ws: Workspace;
  let api: EnvironmentsApi;
  beforeEach(async () => {
    ws = await Workspace.start();
    api = createApiClient({ baseUrl: ws.emu.url, apiKey: TEST_KEY, reporter: silentReporter });
  });
  afterEach(() => ws.close());

  function run(host: ApplyHost, settings: Partial<{ adopt: boolean }> = {}) {
    const desired = loadDesiredOrThrow(ws.envDir, ws.dir, []);
    return applyChanges(
      {
        kind: 'files',
        desired,
        settings: {
          project: TEST_PROJECT,
          workspace: null,
          adopt: settings.adopt ?? false,
          allowReferenced: false,
          maxArchive: 5,
          targets: [],
          findings: [],
          planId: `plan_${Math.random().toString(36).slice(2)}`,
          now: new Date(),
        },
      },
      {
        api,
        changelogPath: ws.changelog,
        reporter: silentReporter,
        identity: { actor: 'tester', git_commit: null, target: api.target },
        now: () => new Date(),
        project: TEST_PROJECT,
        parallelism: 4,
        lockTimeoutMs: 0,
        host,
      },
    );
  }

  it('refuses a blocked plan without asking and without writing, even with auto-approve', async () => {
    await ws.sdk().beta.environments.create({ name: 'hand-made' });
    ws.files({ 'a.yaml': envFile('hand-made'), 'b.yaml': envFile('fresh') });
    let planned: Plan | undefined;
    const outcome = await run({ planned: (p) => (planned = p), confirm: 'auto' });
    expect(outcome.status).toBe('blocked');
    expect(planned?.blocked.map((b) => b.rule)).toEqual(['unmanaged_conflict']);
    expect((await ws.live()).map((e) => e.name)).toEqual(['hand-made']);
    expect(ws.entries()).toEqual([]);
  });

  it('asks, and a no changes nothing', async () => {
    ws.files({ 'a.yaml': envFile('a') });
    const asked: number[] = [];
    const outcome = await run({
      planned: () => {},
      confirm: async (plan) => {
        asked.push(plan.summary.create);
        return false;
      },
    });
    expect([outcome.status, asked]).toEqual(['cancelled', [1]]);
    expect(await ws.live()).toEqual([]);
  });

  it('lists again after the answer: a change made while the prompt waited makes the plan stale, nothing written', async () => {
    ws.files({ 'a.yaml': envFile('a') });
    expect((await run({ planned: () => {}, confirm: 'auto' })).status).toBe('applied');
    const before = ws.entries().length;
    ws.files({ 'a.yaml': envFile('a', 'description: new\n') });
    const outcome = await run({
      planned: () => {},
      confirm: async () => {
        const [a] = await ws.live();
        await ws.sdk().beta.environments.update(a?.id as string, { description: 'console edit' });
        return true;
      },
    });
    expect(outcome.status).toBe('stale');
    expect(outcome.status === 'stale' && outcome.reasons.join()).toContain('changed at');
    expect((await ws.live())[0]?.description).toBe('console edit');
    expect(ws.entries().length).toBe(before);
  });

  it('applies after a yes, and says unchanged when there is nothing to do', async () => {
    ws.files({ 'a.yaml': envFile('a') });
    const outcome = await run({ planned: () => {}, confirm: async () => true });
    expect(outcome.status === 'applied' && outcome.result.created).toBe(1);
    expect((await run({ planned: () => {}, confirm: async () => true })).status).toBe('unchanged');
  });
});
