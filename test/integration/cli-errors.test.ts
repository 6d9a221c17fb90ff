import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { baseEnv, runCli } from '../helpers/cli.js';
import { pipEnv, TEST_KEY, Workspace } from '../helpers/workspace.js';

/** The start of an ANSI colour sequence. */
const ESC = '\u001b[';

describe('errors at the command line: codes, JSON, system errors', () => {
  let ws: Workspace;
  beforeEach(async () => {
    ws = await Workspace.start();
    ws.files({ 'a.yaml': pipEnv('a', ['pandas==2.2.0']) });
  });
  afterEach(() => ws.close());

  it('refuses a --changelog under a file before any API call, as the user’s error, not a bug', async () => {
    const r = await ws.cli(['apply', '--auto-approve', '--changelog', 'environments/a.yaml/changes.jsonl']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /^error\[invalid_flag\]: --changelog environments\/a\.yaml\/changes\.jsonl: \/.*environments\/a\.yaml is a file, not a folder\n {2}hint: /m,
    );
    expect(r.stderr).not.toMatch(/internal error|a bug/);
    expect(await ws.live()).toEqual([]);
  });

  it('a connection failure names the URL and the cause', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise((resolve) => closed.close(resolve));
    const r = await runCli(['--base-url', `http://127.0.0.1:${port}`, 'plan'], {
      cwd: ws.dir,
      env: baseEnv({ ANTHROPIC_API_KEY: TEST_KEY }),
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`list environments: cannot reach http://127.0.0.1:${port}`);
    expect(r.stderr).toContain('ECONNREFUSED');
  });

  it('with --format json, a failure is one JSON document on stdout carrying the code', async () => {
    ws.files({ 'a.yaml': null });
    const r = await ws.cli(['plan', '--format', 'json']);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout)).toMatchObject({
      format_version: 1,
      error: { code: 'no_files', source: 'user', message: 'no .yaml or .yml files under environments' },
    });
    expect(r.stderr).toContain('error[no_files]: no .yaml or .yml files under environments\n');
  });

  it('an API failure in JSON keeps the API’s own type and status beside the code', async () => {
    await ws.restart({ apiKey: TEST_KEY });
    const r = await ws.cli(['status', '--format', 'json'], {
      env: baseEnv({ ANTHROPIC_API_KEY: 'sk-ant-wrong' }),
    });
    expect(r.code).toBe(1);
    const doc = JSON.parse(r.stdout);
    expect(doc.error).toMatchObject({
      code: 'api_error',
      api: { status: 401, type: 'authentication_error' },
    });
    expect(doc.error.api.request_id).toMatch(/^req_/);
  });

  it('text output stays off stdout on failure', async () => {
    ws.files({ 'a.yaml': null });
    const r = await ws.cli(['plan']);
    expect([r.code, r.stdout]).toEqual([1, '']);
  });

  it('never prints the key, whatever echoes it: a key pasted as an argument is removed by value', async () => {
    const key = 'plain-secret-value-42';
    const env = baseEnv({ ANTHROPIC_API_KEY: key });
    for (const args of [
      ['show', key],
      ['resolve', key, '--at', '2026-01-01T00:00:00Z'],
      ['--workspace', key, 'plan'],
    ]) {
      const r = await runCli(['--base-url', ws.emu.url, ...args], { cwd: ws.dir, env });
      expect(r.code).toBe(1);
      expect(r.stderr).toContain('[redacted]');
      expect(r.stdout + r.stderr).not.toContain(key);
    }
    // The JSON document CI posts goes to stdout: the same there.
    const json = await runCli(['--base-url', ws.emu.url, 'show', key, '--format', 'json'], {
      cwd: ws.dir,
      env,
    });
    expect(json.stdout).toContain('[redacted]');
    expect(json.stdout).not.toContain(key);
  });

  it('prints usage errors with their code too', async () => {
    const r = await ws.cli(['plan', '--format', 'yaml']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      "error[usage]: option '--format <format>' argument 'yaml' is invalid. Allowed choices are text, json, markdown.",
    );
  });

  it('help shows only defaults that mean something', async () => {
    const r = await ws.cli(['plan', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).not.toContain('(default: [])');
    expect(r.stdout).toMatch(
      /--target <name>\s+plan only this environment \(repeatable; default: every\s+environment\)/,
    );
    expect(r.stdout).toMatch(/\(choices: "text", "json", "markdown",\s+default: "text"\)/);
  });
});

describe('colour by the environment’s conventions', () => {
  let ws: Workspace;
  beforeEach(async () => {
    ws = await Workspace.start();
    ws.files({ 'a.yaml': pipEnv('a', ['pandas==2.2.0']) });
  });
  afterEach(() => ws.close());

  const plan = (env: Record<string, string>, tty: boolean) =>
    ws.cli(['plan'], { env: baseEnv({ ANTHROPIC_API_KEY: TEST_KEY, ...env }), tty });

  it('FORCE_COLOR colours even off a terminal; FORCE_COLOR=0 and TERM=dumb turn it off on one', async () => {
    expect((await plan({ FORCE_COLOR: '1' }, false)).stdout).toContain(ESC);
    expect((await plan({ FORCE_COLOR: '0' }, true)).stdout).not.toContain(ESC);
    expect((await plan({ TERM: 'dumb' }, true)).stdout).not.toContain(ESC);
    expect((await plan({ TERM: 'dumb', FORCE_COLOR: '1' }, false)).stdout).toContain(ESC);
    expect((await plan({ NO_COLOR: '1', FORCE_COLOR: '1' }, true)).stdout).not.toContain(ESC);
  });
});
