// Which config did that session run on, and never strand a deployment: through the SDK, against the emulator.

import path from 'node:path';
import Anthropic from '@anthropic-ai/sdk';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startEmulator } from '../../src/emulator/index.js';
import type { Plan } from '../../src/model.js';
import { baseEnv, runCli } from '../helpers/cli.js';
import { makeAgent, makeDeployment } from '../helpers/emulator-refs.js';
import { envFile, pipEnv, Workspace } from '../helpers/workspace.js';

describe('resolve --session and sessions NAME', () => {
  let ws: Workspace;
  beforeEach(async () => {
    ws = await Workspace.start();
  });
  afterEach(() => ws.close());

  it('gives each session the config its environment held when it started, through update and recreate', async () => {
    const sdk = ws.sdk();
    const agent = await makeAgent(sdk);
    const envId = async () => (await ws.live()).find((e) => e.name === 'data')?.id as string;
    const start = async () =>
      (await sdk.beta.sessions.create({ agent: agent.id, environment_id: await envId() })).id;

    ws.files({ 'data.yaml': pipEnv('data', ['pandas==2.2.0']) });
    expect((await ws.cli(['apply', '--auto-approve'])).code).toBe(0);
    const s1 = await start();
    ws.files({ 'data.yaml': pipEnv('data', ['pandas==2.2.1']) });
    expect((await ws.cli(['apply', '--auto-approve'])).code).toBe(0);
    const s2 = await start();
    const firstId = await envId();
    ws.files({
      'data.yaml': pipEnv('data', ['pandas==2.2.1'], 'lifecycle: {on_config_change: recreate}\n').replace(
        '2.2.1',
        '2.3.0',
      ),
    });
    expect((await ws.cli(['apply', '--auto-approve'])).code).toBe(0);
    const s3 = await start();
    expect(await envId()).not.toBe(firstId);

    const resolved = [];
    for (const id of [s1, s2, s3]) {
      const r = await ws.cli(['resolve', '--session', id, '--format', 'json']);
      expect(r.code, r.stderr).toBe(0);
      resolved.push(JSON.parse(r.stdout));
    }
    const pins = resolved.map((d) => d.config.packages.pip[0]);
    expect(pins).toEqual(['pandas==2.2.0', 'pandas==2.2.1', 'pandas==2.3.0']);
    expect(new Set(resolved.map((d) => d.config_hash)).size).toBe(3);
    expect(resolved.map((d) => [d.name, d.changed_since])).toEqual([
      ['data', true],
      ['data', true],
      ['data', false],
    ]);
    expect(resolved[0]).toMatchObject({
      format_version: 1,
      session_id: s1,
      env_id: firstId,
      source: 'environments/data.yaml:1',
    });
    const text = await ws.cli(['resolve', '--session', s1]);
    expect(text.stdout).toContain(`${s1} started`);
    expect(text.stdout).toContain(resolved[0].config_hash);
    expect(text.stdout).toContain('has changed since');

    const grouped = await ws.cli(['sessions', 'data', '--format', 'json']);
    expect(grouped.code, grouped.stderr).toBe(0);
    const doc = JSON.parse(grouped.stdout) as {
      groups: { config_hash: string; count: number; session_ids: string[] }[];
    };
    expect(doc.groups.map((g) => [g.config_hash, g.session_ids])).toEqual([
      [resolved[2].config_hash, [s3]],
      [resolved[1].config_hash, [s2]],
      [resolved[0].config_hash, [s1]],
    ]);
    expect((await ws.cli(['sessions', 'data'])).stdout).toContain('data: 3 sessions since');
  });

  it('with --local, the session\'s "see it" line is a command that reads the local changelog', async () => {
    ws.files({ 'data.yaml': envFile('data') });
    const local = (args: string[]) => runCli(args, { cwd: ws.dir, env: baseEnv() });
    expect((await local(['apply', '--local', '--auto-approve'])).code).toBe(0);
    // The local API's own state, served for a moment to start a session on the environment it holds.
    const emulator = await startEmulator({ statePath: path.join(ws.dir, '.envsync/local/state.json') });
    let sessionId: string;
    try {
      const sdk = new Anthropic({ apiKey: 'any', baseURL: emulator.url, maxRetries: 0 });
      const [env] = await sdk.beta.environments.list().then((page) => page.data);
      const agent = await makeAgent(sdk);
      sessionId = (await sdk.beta.sessions.create({ agent: agent.id, environment_id: env?.id as string })).id;
    } finally {
      await emulator.close();
    }
    const r = await local(['resolve', '--session', sessionId, '--local']);
    expect(r.code, r.stderr).toBe(0);
    const see = /see it: {2}(.*)$/m.exec(r.stdout)?.[1] ?? '';
    expect(see).toMatch(/^envsync --local show sha256:[0-9a-f]{64}$/);
    const shown = await local(see.split(' ').slice(1));
    expect(shown.code, shown.stderr).toBe(0);
    expect(shown.stdout).toContain('name: data');
  });

  it('says so when a session ran on an environment this changelog never recorded', async () => {
    const sdk = ws.sdk();
    const env = await sdk.beta.environments.create({ name: 'elsewhere' });
    const agent = await makeAgent(sdk);
    const session = await sdk.beta.sessions.create({ agent: agent.id, environment_id: env.id });
    const r = await ws.cli(['resolve', '--session', session.id]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`which this changelog never recorded`);
    expect(r.stderr).toContain('another project');
  });
});

describe('reference-aware plans', () => {
  let ws: Workspace;
  beforeEach(async () => {
    ws = await Workspace.start();
    ws.files({ 'keep.yaml': envFile('keep'), 'old.yaml': envFile('old') });
    expect((await ws.cli(['apply', '--auto-approve'])).code).toBe(0);
  });
  afterEach(() => ws.close());

  it('blocks archiving an environment a deployment uses (exit 3, named); --allow-referenced goes ahead', async () => {
    const old = (await ws.live()).find((e) => e.name === 'old');
    const agent = await makeAgent(ws.sdk());
    const deployment = await makeDeployment(ws.sdk(), agent.id, old?.id as string, {
      name: 'nightly-report',
    });
    ws.files({ 'old.yaml': null });
    const plan = await ws.cli(['plan']);
    expect(plan.code).toBe(3);
    expect(plan.stdout).toContain(`nightly-report (${deployment.id}, active)`);
    const json = JSON.parse(
      (await ws.cli(['plan', '--format', 'json', '--allow-referenced'])).stdout,
    ) as Plan;
    const archive = json.actions.find((a) => a.kind === 'archive');
    expect(archive?.kind === 'archive' && archive.references?.deployments).toEqual([
      { id: deployment.id, name: 'nightly-report', status: 'active' },
    ]);
    expect((await ws.cli(['apply', '--auto-approve'])).code).toBe(3);
    expect((await ws.cli(['apply', '--auto-approve', '--allow-referenced'])).code).toBe(0);
    expect((await ws.live()).map((e) => e.name)).toEqual(['keep']);
  });

  it('a saved plan is stale when a deployment took up the ID it archives after it was made', async () => {
    ws.files({ 'old.yaml': null });
    expect((await ws.cli(['plan', '--out', 'plan.json'])).code).toBe(0);
    const old = (await ws.live()).find((e) => e.name === 'old');
    const agent = await makeAgent(ws.sdk());
    const deployment = await makeDeployment(ws.sdk(), agent.id, old?.id as string, { name: 'late' });
    const r = await ws.cli(['apply', '--plan', 'plan.json']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`deployment late (${deployment.id}) now uses ${old?.id}`);
    expect((await ws.live()).map((e) => e.name).sort()).toEqual(['keep', 'old']);
  });

  it('a plan without archive or recreate lists nothing more than the environments', async () => {
    ws.files({ 'keep.yaml': envFile('keep', 'description: changed\n') });
    ws.emu.resetStats();
    expect((await ws.cli(['plan'])).code).toBe(0);
    expect(ws.emu.stats().requests).toBe(1);
  });

  it('with repoint_deployments, a recreate moves the deployment to the new ID and the changelog says so', async () => {
    const old = (await ws.live()).find((e) => e.name === 'old');
    const agent = await makeAgent(ws.sdk());
    const deployment = await makeDeployment(ws.sdk(), agent.id, old?.id as string);
    ws.files({
      'old.yaml': pipEnv(
        'old',
        ['pandas==2.2.0'],
        'lifecycle: {on_config_change: recreate, repoint_deployments: true}\n',
      ),
    });
    const plan = await ws.cli(['plan']);
    expect(plan.code).toBe(0);
    expect(plan.stdout).toContain(`deployment nightly (${deployment.id}) moves to the new ID`);
    expect((await ws.cli(['apply', '--auto-approve'])).code).toBe(0);
    const fresh = (await ws.live()).find((e) => e.name === 'old');
    expect(fresh?.id).not.toBe(old?.id);
    expect((await ws.sdk().beta.deployments.retrieve(deployment.id)).environment_id).toBe(fresh?.id);
    const repoint = ws.entries().find((e) => e.op === 'repoint');
    expect(repoint).toMatchObject({ env_id: fresh?.id, replaces: old?.id });
    expect(repoint?.detail).toContain(
      `deployment nightly (${deployment.id}) moved from ${old?.id} to ${fresh?.id}`,
    );
    expect((await ws.cli(['verify', '--live'])).code).toBe(0);
  });
});
