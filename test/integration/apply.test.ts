import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { verifyHistory } from '../../src/changelog/verify.js';
import { configHash } from '../../src/hash/config-hash.js';
import type { Plan } from '../../src/model.js';
import { envFile, pipEnv, TEST_KEY, TEST_PROJECT, Workspace } from '../helpers/workspace.js';

const pipHash = (...packages: string[]) => configHash({ type: 'cloud', packages: { pip: packages } });

describe('envsync apply against the emulator', () => {
  let ws: Workspace;
  beforeEach(async () => {
    ws = await Workspace.start();
  });
  afterEach(() => ws.close());

  it('runs the full create → update → recreate → archive cycle, recording each step', async () => {
    ws.files({
      'a.yaml': pipEnv('a', ['pandas==2.2.0']),
      'r.yaml': pipEnv('r', ['numpy==2.1.3'], 'lifecycle: {on_config_change: recreate}\n'),
      'z.yaml': envFile('z'),
    });
    const first = await ws.cli(['apply', '--auto-approve']);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toContain(
      'Apply complete: 3 created, 0 updated, 0 recreated, 0 archived, 0 failed.',
    );
    const live1 = new Map((await ws.live()).map((e) => [e.name, e]));
    const e1 = ws.entries();
    expect(e1.map((e) => [e.op, e.name])).toEqual([
      ['begin', null],
      ['create', 'a'],
      ['create', 'r'],
      ['create', 'z'],
      ['end', null],
    ]);
    const [, createA] = e1;
    expect(createA).toMatchObject({
      v: 2,
      seq: 2,
      env_id: live1.get('a')?.id,
      config_hash: pipHash('pandas==2.2.0'),
      source: 'environments/a.yaml:1',
      actor: 'tester',
      target: ws.emu.url,
      replaces: null,
      description: null,
      metadata: {},
    });
    expect(createA?.config).toMatchObject({ type: 'cloud', packages: { pip: ['pandas==2.2.0'] } });
    expect(new Set(e1.map((e) => e.plan_id)).size).toBe(1);
    expect(live1.get('a')?.metadata).toEqual({
      envsync_managed: TEST_PROJECT,
      envsync_config_hash: pipHash('pandas==2.2.0'),
    });

    ws.files({
      'a.yaml': pipEnv('a', ['pandas==2.2.1']),
      'r.yaml': pipEnv('r', ['numpy==2.2.0'], 'lifecycle: {on_config_change: recreate}\n'),
      'z.yaml': null,
    });
    const second = await ws.cli(['apply', '--auto-approve']);
    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout).toContain(
      'Apply complete: 0 created, 1 updated, 1 recreated, 1 archived, 0 failed.',
    );
    const live2 = new Map((await ws.live()).map((e) => [e.name, e]));
    expect([...live2.keys()].sort()).toEqual(['a', 'r']);
    expect(live2.get('a')?.id).toBe(live1.get('a')?.id);
    expect(live2.get('r')?.id).not.toBe(live1.get('r')?.id);

    const archived = (await ws.live(true)).filter((e) => e.archived_at);
    const oldR = archived.find((e) => e.id === live1.get('r')?.id);
    const oldZ = archived.find((e) => e.id === live1.get('z')?.id);
    expect(oldR?.name).toBe(`r~${pipHash('numpy==2.1.3').slice(7, 15)}`);
    expect(oldZ?.name).toMatch(/^z~[0-9a-f]{8}$/);

    const e2 = ws.entries().slice(e1.length);
    expect(e2.map((e) => [e.op, e.name, e.env_id])).toEqual([
      ['begin', null, null],
      ['update', 'a', live1.get('a')?.id],
      ['recreate', 'r', live2.get('r')?.id],
      ['archive', oldR?.name, live1.get('r')?.id],
      ['archive', oldZ?.name, live1.get('z')?.id],
      ['end', null, null],
    ]);
    expect(e2[2]).toMatchObject({ replaces: live1.get('r')?.id, config_hash: pipHash('numpy==2.2.0') });
    expect(e2[1]).toMatchObject({ config_hash: pipHash('pandas==2.2.1') });
    expect(verifyHistory(ws.changelog).problems).toEqual([]);

    const third = await ws.cli(['plan']);
    expect(third.stdout.trim()).toBe('No changes.');
  });

  it('refuses a stale saved plan and changes nothing', async () => {
    ws.files({ 'a.yaml': envFile('a') });
    await ws.cli(['apply', '--auto-approve']);
    ws.files({ 'a.yaml': envFile('a', 'description: planned\n'), 'b.yaml': envFile('b') });
    const planFile = path.join(ws.dir, 'p.json');
    await ws.cli(['plan', '--out', planFile]);
    const [a] = await ws.live();
    await ws.sdk().beta.environments.update(a?.id as string, { description: 'changed by hand meanwhile' });
    const before = ws.entries().length;
    ws.emu.resetStats();

    const r = await ws.cli(['apply', '--plan', planFile]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('error[stale_plan]: stale plan');
    expect(r.stderr).toMatch(/a \(env_\w+\) changed at/);
    expect(r.stderr).toContain('hint: run `envsync plan` again');
    expect(ws.entries()).toHaveLength(before);
    expect(Object.keys(ws.emu.stats().byRoute)).toEqual(['GET /v1/environments']);
  });

  it('refuses a saved plan when an environment appeared under a planned name', async () => {
    ws.files({ 'b.yaml': envFile('b') });
    const planFile = path.join(ws.dir, 'p.json');
    await ws.cli(['plan', '--out', planFile]);
    await ws.sdk().beta.environments.create({ name: 'b' });
    const r = await ws.cli(['apply', '--plan', planFile]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('an environment named b appeared');
    expect((await ws.live()).length).toBe(1);
  });

  it('refuses a second apply while one holds the lock', async () => {
    ws.files({ 'a.yaml': envFile('a') });
    // A lock held by a live process: this test's own.
    const lockFile = `${ws.changelog}.lock`;
    mkdirSync(path.dirname(lockFile), { recursive: true });
    writeFileSync(lockFile, JSON.stringify({ pid: process.pid, host: hostname(), started_at: 'now' }));
    const r = await ws.cli(['apply', '--auto-approve']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/error\[locked\]: another envsync apply holds the lock \(pid \d+/);
    expect(await ws.live()).toEqual([]);

    // A lock left by a process that is gone is taken over, with a message.
    writeFileSync(lockFile, JSON.stringify({ pid: 2 ** 22 + 7, host: hostname(), started_at: 'then' }));
    const again = await ws.cli(['apply', '--auto-approve']);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toMatch(/took over the lock of pid \d+/);
  });

  it("takes over another host's lock only once its heartbeat has stopped, naming the holder and the silence", async () => {
    ws.files({ 'a.yaml': envFile('a') });
    const lockFile = `${ws.changelog}.lock`;
    mkdirSync(path.dirname(lockFile), { recursive: true });
    // A CI container's apply on the same checkout: its PID means nothing here, its file's age does.
    const holder = JSON.stringify({ pid: process.pid, host: 'ci-runner-7', started_at: 'then' });
    writeFileSync(lockFile, holder);
    const r = await ws.cli(['apply', '--auto-approve']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /error\[locked\]: another envsync apply holds the lock \(pid \d+ on ci-runner-7, since then, last heard from/,
    );
    expect(await ws.live()).toEqual([]);

    const anHourAgo = new Date(Date.now() - 3_600_000);
    utimesSync(lockFile, anHourAgo, anHourAgo);
    const again = await ws.cli(['apply', '--auto-approve']);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toMatch(
      /took over the lock of pid \d+ on ci-runner-7, silent for 60m\d*s? \(no heartbeat\)/,
    );
    expect((await ws.live()).map((e) => e.name)).toEqual(['a']);
  });

  it('stops writing to the API as soon as its lock is gone, and the next apply records and finishes the rest', async () => {
    ws.files(Object.fromEntries(['a', 'b', 'c', 'd', 'e'].map((n) => [`${n}.yaml`, envFile(n)])));
    // Someone deletes the lock while the second create is on its way (it lands, but cannot be recorded).
    let creates = 0;
    const r = await ws.applyThrough(
      (method, p) => {
        if (method === 'POST' && p === '/v1/environments' && ++creates === 2) rmSync(`${ws.changelog}.lock`);
        return undefined;
      },
      ['--parallelism', '1'],
    );
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toContain('the lock file was deleted while applying');
    // What to do next says what happened: a lost lock, not a disk to free.
    expect(r.stderr).toContain('This run lost the changelog lock');
    expect(r.stderr).not.toContain('once the changelog is writable');
    // Two creates reached the API; none after the lock was found gone.
    expect(creates).toBe(2);
    expect(await ws.live()).toHaveLength(2);
    expect(ws.entries().filter((e) => e.op === 'create')).toHaveLength(1);

    const next = await ws.cli(['apply', '--auto-approve']);
    expect(next.code, next.stderr).toBe(0);
    expect((await ws.live()).map((e) => e.name).sort()).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect((await ws.cli(['verify', '--live'])).code).toBe(0);
    expect((await ws.cli(['plan', '--detailed-exitcode'])).code).toBe(0);
  });

  it('refuses to apply without --auto-approve when stdin is not a terminal', async () => {
    ws.files({ 'a.yaml': envFile('a') });
    const r = await ws.cli(['apply']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('refusing to apply without confirmation');
    expect(await ws.live()).toEqual([]);
  });

  it('a recreate whose create fails leaves the old environment serving under its name', async () => {
    ws.files({ 'r.yaml': pipEnv('r', ['numpy==2.1.3'], 'lifecycle: {on_config_change: recreate}\n') });
    await ws.cli(['apply', '--auto-approve']);
    const [old] = await ws.live();
    ws.files({ 'r.yaml': pipEnv('r', ['numpy==2.2.0'], 'lifecycle: {on_config_change: recreate}\n') });
    const r = await ws.applyThrough((method, p) =>
      method === 'POST' && p === '/v1/environments' ? 400 : undefined,
    );
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('0 recreated, 0 archived, 1 failed.');
    expect(r.stderr).toContain('injected by the test proxy');
    const live = await ws.live(true);
    expect(live).toHaveLength(1);
    expect(live[0]).toMatchObject({ id: old?.id, name: 'r', archived_at: null });
    expect(ws.entries().filter((e) => e.op === 'recreate')).toEqual([]);
  });

  it('never writes the API key to any output or file', async () => {
    ws.files({ 'a.yaml': envFile('a'), 'b.yaml': pipEnv('b', ['x==1']) });
    const outputs = [
      await ws.cli(['plan', '--out', path.join(ws.dir, 'plan.json'), '--verbose']),
      await ws.cli(['apply', '--auto-approve', '--verbose']),
      await ws.cli(['status', '--format', 'json']),
      await ws.cli(['plan', '--format', 'markdown']),
      await ws.cli(['apply', '--auto-approve', '--base-url', 'http://example.com']),
    ];
    for (const o of outputs) expect(o.stdout + o.stderr).not.toContain(TEST_KEY);
    const files: string[] = [];
    const walk = (d: string) => {
      for (const f of readdirSync(d)) {
        const p = path.join(d, f);
        if (statSync(p).isDirectory()) walk(p);
        else files.push(p);
      }
    };
    walk(ws.dir);
    expect(files.some((f) => f.includes(`${path.sep}.envsync${path.sep}changelog${path.sep}`))).toBe(true);
    for (const f of files) expect(readFileSync(f, 'utf8'), f).not.toContain(TEST_KEY);
  });

  it('prints the status of each environment', async () => {
    ws.files({ 'a.yaml': envFile('a'), 'b.yaml': envFile('b') });
    await ws.cli(['apply', '--auto-approve']);
    ws.files({ 'b.yaml': envFile('b', 'description: pending\n'), 'c.yaml': envFile('c') });
    const [a] = (await ws.live()).filter((e) => e.name === 'a');
    const r = await ws.cli(['status', '--format', 'json']);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout) as {
      environments: { name: string; state: string; env_id: string | null }[];
    };
    expect(doc.environments.map((e) => [e.name, e.state])).toEqual([
      ['a', 'in_sync'],
      ['b', 'pending'],
      ['c', 'missing'],
    ]);
    expect(doc.environments[0]?.env_id).toBe(a?.id);
    const text = await ws.cli(['status']);
    expect(text.stdout).toMatch(/^a +env_\w+ +[0-9a-f]{8} +in sync$/m);
    expect(text.stdout).toMatch(/^c +- +- +missing$/m);
  });

  it('records drift found outside envsync before fixing it, and shows it in status', async () => {
    ws.files({ 'a.yaml': pipEnv('a', ['pandas==2.2.0']) });
    await ws.cli(['apply', '--auto-approve']);
    const [a] = await ws.live();
    await ws.sdk().beta.environments.update(a?.id as string, {
      config: { type: 'cloud', packages: { pip: ['pandas==1.0.0'] } },
    });
    const status = JSON.parse((await ws.cli(['status', '--format', 'json'])).stdout) as {
      environments: { state: string }[];
    };
    expect(status.environments[0]?.state).toBe('drift');
    const plan = JSON.parse((await ws.cli(['plan', '--format', 'json'])).stdout) as Plan;
    expect(plan.actions[0]).toMatchObject({ kind: 'update', drift: { kind: 'config_changed' } });
    expect((await ws.cli(['apply', '--auto-approve'])).code).toBe(0);
    const ops = ws.entries().map((e) => e.op);
    expect(ops.slice(-4)).toEqual(['begin', 'drift', 'update', 'end']);
    const drift = ws.entries().find((e) => e.op === 'drift');
    expect(drift).toMatchObject({ env_id: a?.id, config_hash: pipHash('pandas==1.0.0') });
    expect((await ws.cli(['plan'])).stdout.trim()).toBe('No changes.');
  });
});
