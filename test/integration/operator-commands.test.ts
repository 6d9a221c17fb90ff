// The operator's commands against the emulator: forget, show PLANFILE, fmt, ping, status --detailed-exitcode,
// --lock-timeout and --project-dir.

import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CliIo } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';
import type { Plan } from '../../src/model.js';
import { baseEnv, runCli, tempDir } from '../helpers/cli.js';
import { envFile, pipEnv, TEST_KEY, Workspace } from '../helpers/workspace.js';

describe('envsync forget', () => {
  let ws: Workspace;
  beforeEach(async () => {
    ws = await Workspace.start();
    ws.files({ 'keep.yaml': envFile('keep'), 'old.yaml': pipEnv('old', ['pandas==2.2.0']) });
    expect((await ws.cli(['apply', '--auto-approve'])).code).toBe(0);
  });
  afterEach(() => ws.close());

  const byName = async (name: string) => (await ws.live()).find((e) => e.name === name);

  it('stops managing without archiving: tags off, a forget entry, and no later plan archives it', async () => {
    const before = await byName('old');
    ws.files({ 'old.yaml': null });
    // Without forget, removing the file plans its archive.
    expect((await ws.cli(['plan'])).stdout).toContain('1 to archive');

    const r = await ws.cli(['forget', 'old']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`forgot  old (${before?.id})`);
    const after = await byName('old');
    expect(after?.id).toBe(before?.id);
    expect(after?.archived_at).toBeNull();
    expect(after?.metadata).toEqual({});
    expect(after?.config).toEqual(before?.config);

    const entry = ws.entries().find((e) => e.op === 'forget');
    expect(entry).toMatchObject({
      env_id: before?.id,
      name: 'old',
      config_hash: before?.metadata.envsync_config_hash,
    });
    const plan = await ws.cli(['plan', '--detailed-exitcode']);
    expect([plan.code, plan.stdout.trim()]).toEqual([0, 'No changes.']);
    expect((await ws.cli(['apply', '--auto-approve'])).stdout).not.toContain('archive');
    expect((await byName('old'))?.archived_at).toBeNull();
    expect((await ws.cli(['verify', '--live'])).code).toBe(0);
    expect((await ws.cli(['history', 'old'])).stdout).toMatch(/x forget .*\n.*no longer managed by envsync/);

    // Taking it back is an adoption, with a file for it.
    ws.files({ 'old.yaml': pipEnv('old', ['pandas==2.2.0']) });
    expect((await ws.cli(['plan'])).code).toBe(3);
    expect((await ws.cli(['apply', '--auto-approve', '--adopt'])).code).toBe(0);
    expect((await byName('old'))?.metadata.envsync_managed).toBe('test-project');
  });

  it('a forgotten environment is none of the changelog’s business: deleted by hand later, verify --live stays clean', async () => {
    const old = await byName('old');
    ws.files({ 'old.yaml': null });
    expect((await ws.cli(['forget', 'old'])).code).toBe(0);
    await ws.sdk().beta.environments.delete(old?.id as string);
    const verify = await ws.cli(['verify', '--live']);
    expect(verify.code, verify.stdout).toBe(0);
    const lines = ws.lineCount();
    expect((await ws.cli(['apply', '--auto-approve'])).code).toBe(0);
    expect(ws.lineCount()).toBe(lines);
  });

  it('refuses a name a file still declares, one not managed, one unknown; --dry-run changes nothing', async () => {
    const declared = await ws.cli(['forget', 'old']);
    expect([declared.code, declared.stderr]).toEqual([1, expect.stringContaining('error[still_declared]')]);
    expect(declared.stderr).toContain('old is still declared in environments/old.yaml:1');
    await ws.sdk().beta.environments.create({ name: 'hand' });
    const hand = await ws.cli(['forget', 'hand']);
    expect([hand.code, hand.stderr]).toEqual([1, expect.stringContaining('error[not_managed]')]);
    const typo = await ws.cli(['forget', 'kep']);
    expect([typo.code, typo.stderr]).toEqual([1, expect.stringContaining('did you mean keep?')]);
    const other = await ws
      .sdk()
      .beta.environments.create({ name: 'theirs', metadata: { envsync_managed: 'other' } });
    const theirs = await ws.cli(['forget', 'theirs']);
    expect([theirs.code, theirs.stderr]).toEqual([1, expect.stringContaining('belongs to project "other"')]);
    expect((await ws.sdk().beta.environments.retrieve(other.id)).metadata).toEqual({
      envsync_managed: 'other',
    });

    ws.files({ 'old.yaml': null });
    const lines = ws.lineCount();
    const dry = await ws.cli(['forget', 'old', '--dry-run']);
    expect([dry.code, dry.stdout]).toEqual([0, expect.stringContaining('would forget  old')]);
    expect(ws.lineCount()).toBe(lines);
    expect((await byName('old'))?.metadata.envsync_managed).toBe('test-project');
  });
});

describe('show PLANFILE, status --detailed-exitcode', () => {
  let ws: Workspace;
  beforeEach(async () => {
    ws = await Workspace.start();
  });
  afterEach(() => ws.close());

  it('show draws a saved plan again as text, JSON or markdown, without an API call', async () => {
    ws.files({ 'a.yaml': envFile('a') });
    expect((await ws.cli(['plan', '--out', 'saved.plan'])).code).toBe(0);
    const saved = JSON.parse(readFileSync(path.join(ws.dir, 'saved.plan'), 'utf8')) as Plan;
    const requests = ws.emu.stats().requests;
    const text = await ws.cli(['show', 'saved.plan']);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toContain('+ a');
    expect(text.stdout).toContain('Plan: 1 to create, 0 to update, 0 to recreate, 0 to archive.');
    expect(JSON.parse((await ws.cli(['show', 'saved.plan', '--format', 'json'])).stdout)).toEqual(saved);
    expect((await ws.cli(['show', 'saved.plan', '--format', 'markdown'])).stdout).toMatch(/^## envsync plan/);
    expect(ws.emu.stats().requests).toBe(requests);
    const yaml = await ws.cli(['show', 'saved.plan', '--format', 'yaml']);
    expect([yaml.code, yaml.stderr]).toEqual([
      1,
      expect.stringContaining('a plan is text, json or markdown'),
    ]);
    const missing = await ws.cli(['show', 'nosuch.plan']);
    expect([missing.code, missing.stderr]).toEqual([1, expect.stringContaining('is not a file, an env ID')]);
    // And `plan FILE` (a Terraform habit) points at show.
    const habit = await ws.cli(['plan', 'saved.plan']);
    expect([habit.code, habit.stderr]).toEqual([1, expect.stringContaining('`envsync show saved.plan`')]);
  });

  it('status --detailed-exitcode: 0 in sync, 2 pending, 3 blocked; without the flag always 0', async () => {
    ws.files({ 'a.yaml': envFile('a') });
    expect((await ws.cli(['status', '--detailed-exitcode'])).code).toBe(2);
    expect((await ws.cli(['apply', '--auto-approve'])).code).toBe(0);
    expect((await ws.cli(['status', '--detailed-exitcode'])).code).toBe(0);
    await ws.sdk().beta.environments.create({ name: 'hand' });
    ws.files({ 'hand.yaml': envFile('hand') });
    expect((await ws.cli(['status', '--detailed-exitcode'])).code).toBe(3);
    expect((await ws.cli(['status'])).code).toBe(0);
  });
});

describe('envsync fmt', () => {
  const messy = `config:\n  packages:\n    pip: [numpy==2.1.3, pandas==2.2.0]   # the stack\n  type: cloud\nname: data\n`;

  it('--check lists unformatted files and exits 1; fmt rewrites them, keeping comments; then --check passes', async () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, 'envsync.yaml'), 'project: p\n');
    mkdirSync(path.join(dir, 'environments'));
    writeFileSync(
      path.join(dir, 'environments/data.yaml'),
      messy.replace('numpy==2.1.3, pandas==2.2.0', 'pandas==2.2.0, numpy==2.1.3'),
    );
    writeFileSync(path.join(dir, 'environments/broken.yaml'), 'name: [oops\n');
    const check = await runCli(['fmt', '--check'], { cwd: dir });
    expect(check.code).toBe(1);
    expect(check.stdout).toBe('environments/data.yaml\n');
    expect(check.stderr).toContain('environments/broken.yaml:');
    expect(readFileSync(path.join(dir, 'environments/data.yaml'), 'utf8')).toContain('pandas==2.2.0, numpy');

    const write = await runCli(['fmt'], { cwd: dir });
    expect(write.stdout).toBe('environments/data.yaml\n');
    const text = readFileSync(path.join(dir, 'environments/data.yaml'), 'utf8');
    expect(text).toBe(
      '# yaml-language-server: $schema=https://envsync.dev/schema/environment.schema.json\nname: data\nconfig:\n  type: cloud\n  packages:\n    pip: [numpy==2.1.3, pandas==2.2.0] # the stack\n',
    );
    expect(readFileSync(path.join(dir, 'environments/broken.yaml'), 'utf8')).toBe('name: [oops\n');
    writeFileSync(path.join(dir, 'environments/broken.yaml'), 'name: fixed\n');
    expect((await runCli(['fmt'], { cwd: dir })).code).toBe(0);
    const again = await runCli(['fmt', '--check'], { cwd: dir });
    expect([again.code, again.stdout]).toEqual([0, '']);
    expect((await runCli(['validate', '--strict'], { cwd: dir })).code).toBe(0);
  });

  it('the shipped environments are formatted', async () => {
    const r = await runCli(['fmt', '--check', 'environments']);
    expect([r.code, r.stdout]).toEqual([0, '']);
  });
});

describe('envsync ping', () => {
  let ws: Workspace;
  beforeEach(async () => {
    ws = await Workspace.start();
  });
  afterEach(() => ws.close());

  it('reports the key (never its value), base URL, workspace, pacing and what the key sees, by owner', async () => {
    ws.files({ 'a.yaml': envFile('a') });
    expect((await ws.cli(['apply', '--auto-approve'])).code).toBe(0);
    await ws.sdk().beta.environments.create({ name: 'hand' });
    await ws.sdk().beta.environments.create({ name: 'theirs', metadata: { envsync_managed: 'other' } });
    const text = await ws.cli(['ping']);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toContain('✓ API key     ANTHROPIC_API_KEY is set');
    expect(text.stdout).toContain(`✓ base URL    ${ws.emu.url}`);
    expect(text.stdout).toContain('can see     1 of this project, 1 of project "other", 1 unmanaged');
    expect(text.stdout + text.stderr).not.toContain(TEST_KEY);
    const json = JSON.parse((await ws.cli(['ping', '--format', 'json'])).stdout);
    expect(json).toMatchObject({
      ok: true,
      key: { variable: 'ANTHROPIC_API_KEY', present: true },
      rate_limit: null,
      environments: { total: 3, this_project: 1, unmanaged: 1, other_projects: { 'project "other"': 1 } },
      deployments: { count: 0 },
    });
  });

  it('fails with the reason: no key, a key the API refuses, plain http off this machine', async () => {
    const noKey = await runCli(['--base-url', ws.emu.url, 'ping'], { cwd: ws.dir, env: baseEnv() });
    expect([noKey.code, noKey.stdout]).toEqual([
      1,
      expect.stringContaining('✗ API key     ANTHROPIC_API_KEY is not set'),
    ]);
    // The emulator accepts any key unless started with one: a refusal needs it started with the real one.
    await ws.restart({ apiKey: TEST_KEY });
    const refused = await runCli(['--base-url', ws.emu.url, 'ping'], {
      cwd: ws.dir,
      env: baseEnv({ ANTHROPIC_API_KEY: 'sk-wrong' }),
    });
    expect([refused.code, refused.stdout]).toEqual([1, expect.stringMatching(/✗ .*401/)]);
    const insecure = await runCli(['--base-url', 'http://api.example.com', 'ping'], {
      cwd: ws.dir,
      env: baseEnv({ ANTHROPIC_API_KEY: TEST_KEY }),
    });
    expect([insecure.code, insecure.stdout]).toEqual([1, expect.stringContaining('✗ base URL')]);
    expect(insecure.stdout).toContain('refusing to send the API key over plain http://');
  });
});

/** Runs main() in-process with stderr watched as it is written, so a test can act on what it says. */
function watchedRun(args: string[], cwd: string, onStderr: (text: string) => void) {
  let stdout = '';
  let stderr = '';
  const stdin = new PassThrough();
  stdin.end('');
  const io: CliIo = {
    stdout: { write: (s: string) => (stdout += s) },
    stderr: {
      write: (s: string) => {
        stderr += s;
        onStderr(stderr);
        return true;
      },
    },
    stdin,
    env: baseEnv({ ANTHROPIC_API_KEY: TEST_KEY }),
    cwd,
    stdoutIsTTY: false,
    stderrIsTTY: false,
    stdinIsTTY: false,
  };
  return main(args, io).then((code) => ({ code, stdout, stderr }));
}

describe('--lock-timeout and --project-dir', () => {
  let ws: Workspace;
  beforeEach(async () => {
    ws = await Workspace.start();
    ws.files({ 'a.yaml': envFile('a') });
  });
  afterEach(() => ws.close());

  /** The lock another live apply would hold: this very process, on this host. */
  const holdLock = () => {
    const file = `${ws.changelog}.lock`;
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(
      file,
      `${JSON.stringify({ pid: process.pid, host: hostname(), started_at: new Date().toISOString() })}\n`,
    );
    return file;
  };

  it('waits for the lock, saying what it waits for, and applies once it is released', async () => {
    const lock = holdLock();
    let released = false;
    const r = await watchedRun(
      ['--base-url', ws.emu.url, 'apply', '--auto-approve', '--lock-timeout', '5m'],
      ws.dir,
      (err) => {
        if (!released && err.includes('waiting up to 5m (--lock-timeout) for the changelog lock')) {
          released = true;
          rmSync(lock); // the holder let go
        }
      },
    );
    expect(released).toBe(true);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(`another envsync apply holds the lock (pid ${process.pid}`);
    expect((await ws.live()).map((e) => e.name)).toEqual(['a']);
  });

  it('gives up after the timeout, saying how long it waited; without it, refuses at once', async () => {
    holdLock();
    const waited = await ws.cli(['apply', '--auto-approve', '--lock-timeout', '1s']);
    expect(waited.code).toBe(1);
    expect(waited.stderr).toContain('error[locked]');
    expect(waited.stderr).toContain('waited 1s for it');
    const atOnce = await ws.cli(['apply', '--auto-approve']);
    expect([atOnce.code, atOnce.stderr]).toEqual([1, expect.not.stringContaining('waited')]);
    const bad = await ws.cli(['apply', '--auto-approve', '--lock-timeout', 'soon']);
    expect([bad.code, bad.stderr]).toEqual([1, expect.stringContaining('expected a duration such as 30s')]);
    expect(await ws.live()).toEqual([]);
  });

  it('--project-dir runs as if started there (as terraform -chdir)', async () => {
    const elsewhere = tempDir();
    const r = await runCli(['--base-url', ws.emu.url, '--project-dir', ws.dir, 'apply', '--auto-approve'], {
      cwd: elsewhere,
      env: baseEnv({ ANTHROPIC_API_KEY: TEST_KEY }),
    });
    expect(r.code, r.stderr).toBe(0);
    expect(ws.runFiles()).toHaveLength(1);
    expect(existsSync(path.join(elsewhere, '.envsync'))).toBe(false);
    const relative = await runCli(
      ['plan', '--project-dir', path.relative(elsewhere, ws.dir), '--base-url', ws.emu.url],
      {
        cwd: elsewhere,
        env: baseEnv({ ANTHROPIC_API_KEY: TEST_KEY }),
      },
    );
    expect([relative.code, relative.stdout.trim()]).toEqual([0, 'No changes.']);
    const missing = await runCli(['--project-dir', path.join(elsewhere, 'nope'), 'validate'], {
      cwd: elsewhere,
    });
    expect([missing.code, missing.stderr]).toEqual([1, expect.stringContaining('--project-dir')]);
  });
});

describe('Terraform habits on the command line', () => {
  it('single-dash flags, plan --auto-approve, import/destroy/version and apply FILE get envsync’s way', async () => {
    const ws = await Workspace.start();
    try {
      ws.files({ 'a.yaml': envFile('a') });
      const cases: Array<[string[], string]> = [
        [['plan', '-out=plan.json'], 'did you mean --out plan.json?'],
        [['plan', '-target=a'], 'did you mean --target a?'],
        [['plan', '-detailed-exitcode'], 'did you mean --detailed-exitcode?'],
        [['plan', '-json'], 'did you mean --format json?'],
        [['plan', '--auto-approve'], '--auto-approve is a flag of `envsync apply`'],
        [['import'], '`envsync plan --adopt`'],
        [['destroy'], '`envsync forget NAME`'],
        [['version'], '`envsync --version`'],
      ];
      for (const [args, hint] of cases) {
        const r = await ws.cli(args);
        expect([r.code, r.stderr], args.join(' ')).toEqual([1, expect.stringContaining(hint)]);
        expect(r.stderr).toMatch(/^error\[usage\]: /m);
      }
      expect((await ws.cli(['plan', '--out', 'saved.plan'])).code).toBe(0);
      const file = await ws.cli(['apply', 'saved.plan']);
      expect([file.code, file.stderr]).toEqual([
        1,
        expect.stringContaining('`envsync apply --plan saved.plan`'),
      ]);
      expect(ws.emu.stats().requests).toBeGreaterThan(0);
      expect(await ws.live()).toEqual([]);
    } finally {
      await ws.close();
    }
  });
});
