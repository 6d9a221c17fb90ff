// `envsync emulator` as users run it: the built binary, its first line, its flags, its signals and its errors.

import path from 'node:path';
import Anthropic from '@anthropic-ai/sdk';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli, tempDir } from '../helpers/cli.js';
import { closeEmulatorsAfterEach, emulator, expectApiError } from '../helpers/emulator-harness.js';
import { type EmulatorProcess, spawnEmulator } from '../helpers/emulator-process.js';

closeEmulatorsAfterEach();
const processes: EmulatorProcess[] = [];
afterEach(() => {
  for (const p of processes.splice(0)) if (p.child.exitCode === null) p.child.kill('SIGKILL');
});

async function start(args: string[]): Promise<EmulatorProcess> {
  const p = await spawnEmulator(args);
  processes.push(p);
  return p;
}

const client = (url: string, options: { apiKey?: string; maxRetries?: number } = {}) =>
  new Anthropic({ apiKey: options.apiKey ?? 'test-key', baseURL: url, maxRetries: options.maxRetries ?? 2 });

describe('envsync emulator (the binary)', () => {
  it.each(['SIGTERM', 'SIGINT'] as const)(
    'prints exactly "listening on URL" first, serves the SDK, and exits 0 on %s',
    async (signal) => {
      const p = await start(['--port', '0']);
      expect(p.firstLine).toMatch(/^listening on http:\/\/127\.0\.0\.1:[1-9][0-9]*$/);
      const env = await client(p.url).beta.environments.create({ name: 'cli' });
      expect((await client(p.url).beta.environments.retrieve(env.id)).name).toBe('cli');
      p.child.kill(signal);
      expect(await p.exited).toBe(0);
      expect(p.stdout()).toBe(`${p.firstLine}\n`);
    },
  );

  it('--registries also serves local package registries; the second line says where', async () => {
    const p = await start(['--port', '0', '--registries', 'test/fixtures/registries']);
    // The second line and the hint on stderr come down two pipes: each is waited for, in no assumed order.
    const second = (await p.until('stdout', (out) => out.split('\n').length > 2)).split('\n')[1] as string;
    const url = /^registries on (http:\/\/127\.0\.0\.1:\d+)$/.exec(second)?.[1];
    expect(url).toBeDefined();
    const packument = (await (await fetch(`${url}/npm/express`)).json()) as {
      'dist-tags': Record<string, string>;
    };
    expect(packument['dist-tags'].latest).toBe('4.21.2');
    expect(await p.until('stderr', (err) => /\n {2}pip: [^\n]*\n/.test(err))).toContain(
      `registries:\n  pip: ${url}/pip\n`,
    );
    p.child.kill('SIGTERM');
    expect(await p.exited).toBe(0);
  });

  it('--registries must name a folder', async () => {
    const r = await runCli(['emulator', '--port', '0', '--registries', 'no/such/folder']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      'error[invalid_flag]: --registries: expected a folder of registry fixtures, got "no/such/folder"',
    );
  });

  it('--state keeps environments across two runs', async () => {
    const state = path.join(tempDir(), 'emu.json');
    const first = await start(['--port', '0', '--state', state]);
    const env = await client(first.url).beta.environments.create({ name: 'kept' });
    first.child.kill('SIGTERM');
    expect(await first.exited).toBe(0);
    const second = await start(['--port', '0', '--state', state]);
    expect((await client(second.url).beta.environments.retrieve(env.id)).name).toBe('kept');
  });

  it('passes --api-key, --rate-limit (per minute), --fail-rate, --seed and --name-scope through', async () => {
    const p = await start([
      '--port',
      '0',
      '--api-key',
      'secret',
      '--rate-limit',
      '2,100',
      '--name-scope',
      'active',
      '--seed',
      '4',
    ]);
    await expectApiError(client(p.url).beta.environments.list(), Anthropic.AuthenticationError, {
      status: 401,
      type: 'authentication_error',
    });
    const ok = client(p.url, { apiKey: 'secret', maxRetries: 0 });
    const first = await ok.beta.environments.create({ name: 'n' });
    await ok.beta.environments.archive(first.id);
    const limited = await expectApiError(
      ok.beta.environments.create({ name: 'n' }),
      Anthropic.RateLimitError,
      {
        status: 429,
        type: 'rate_limit_error',
      },
    );
    // Two writes a minute: the next token is about 30 seconds away.
    expect(Number(limited.headers?.get('retry-after'))).toBeGreaterThanOrEqual(20);

    const failing = await start(['--port', '0', '--fail-rate', '1', '--drop-rate', '0']);
    await expectApiError(
      client(failing.url, { maxRetries: 0 }).beta.environments.list(),
      Anthropic.InternalServerError,
      {
        status: 500,
        type: 'api_error',
      },
    );
  });

  it('--name-scope active lets an archived name be reused', async () => {
    const p = await start(['--port', '0', '--name-scope', 'active']);
    const c = client(p.url, { maxRetries: 0 });
    const first = await c.beta.environments.create({ name: 'again' });
    await c.beta.environments.archive(first.id);
    expect((await c.beta.environments.create({ name: 'again' })).id).not.toBe(first.id);
  });
});

describe('envsync emulator: bad flags', () => {
  it.each([
    [['--latency', '-5'], '--latency'],
    [['--latency', 'soon'], '--latency'],
    [['--fail-rate', '2'], '--fail-rate'],
    [['--drop-rate', 'x'], '--drop-rate'],
    [['--drop-rate', '-0.5'], '--drop-rate'],
    [['--rate-limit', '5'], '--rate-limit'],
    [['--rate-limit', '0,10'], '--rate-limit'],
    [['--rate-limit', 'a,b'], '--rate-limit'],
    [['--name-scope', 'some'], '--name-scope'],
    [['--port', '70000'], '--port'],
    [['--seed', '1.5'], '--seed'],
  ])('%j exits 1 with an error naming the flag and a hint', async (args, flag) => {
    const r = await runCli(['emulator', ...args]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(`error[invalid_flag]: ${flag}`);
    expect(r.stderr).toContain('hint: ');
  });

  it('a port in use exits 1 with a hint', async () => {
    const taken = await emulator();
    const r = await runCli(['emulator', '--port', String(taken.port)]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('cannot listen on 127.0.0.1');
    expect(r.stderr).toContain('hint: ');
  });

  it('a state path that cannot be a file exits 1 before listening', async () => {
    const r = await runCli(['emulator', '--port', '0', '--state', tempDir()]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('cannot read the emulator state file');
    expect(r.stderr).toContain('hint: ');
  });
});
