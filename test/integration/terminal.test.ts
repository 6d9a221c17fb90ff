import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BIN, baseEnv, runCli } from '../helpers/cli.js';
import { envFile, pipEnv, TEST_KEY, Workspace } from '../helpers/workspace.js';

/** The start of an ANSI colour sequence. */
const ESC = '\u001b[';

/** Runs envsync in a real pseudo-terminal (util-linux `script`), typing `answer` once the prompt shows. */
function inPty(ws: Workspace, args: string[], answer: string): Promise<{ code: number; output: string }> {
  const command = [process.execPath, BIN, '--base-url', ws.emu.url, ...args].map((a) => `'${a}'`).join(' ');
  return new Promise((resolve, reject) => {
    const child = spawn('script', ['-qefc', command, '/dev/null'], {
      cwd: ws.dir,
      env: baseEnv({ ANTHROPIC_API_KEY: TEST_KEY, TERM: 'xterm' }) as NodeJS.ProcessEnv,
    });
    let output = '';
    let answered = false;
    child.stdout.on('data', (d) => {
      output += d;
      if (!answered && output.includes('[y/N]')) {
        answered = true;
        child.stdin.write(`${answer}\n`);
      }
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, output }));
  });
}

describe('terminal behaviour', () => {
  let ws: Workspace;
  beforeEach(async () => {
    ws = await Workspace.start();
    ws.files({ 'a.yaml': pipEnv('a', ['pandas==2.2.0']) });
  });
  afterEach(() => ws.close());

  it('asks before applying on a terminal: n changes nothing, y applies', async () => {
    const no = await inPty(ws, ['apply'], 'n');
    expect(no.output).toContain('Apply these 1 change? [y/N]');
    expect(no.output).toContain('Apply cancelled; nothing was changed.');
    // As Terraform: a cancelled apply is not a success a script should go on from.
    expect(no.code).toBe(1);
    expect(await ws.live()).toEqual([]);
    expect(ws.entries()).toEqual([]);

    const yes = await inPty(ws, ['apply'], 'y');
    expect(yes.code).toBe(0);
    expect(yes.output).toContain('Apply complete: 1 created, 0 updated, 0 recreated, 0 archived, 0 failed.');
    expect((await ws.live()).map((e) => e.name)).toEqual(['a']);
  });

  it('colours only on a TTY, and never with NO_COLOR or --no-color', async () => {
    expect((await ws.cli(['plan'], { tty: true })).stdout).toContain(ESC);
    expect((await ws.cli(['plan'])).stdout).not.toContain(ESC);
    expect((await ws.cli(['plan', '--no-color'], { tty: true })).stdout).not.toContain(ESC);
    const noColor = await runWithEnv(ws, ['plan'], { NO_COLOR: '1' });
    expect(noColor.stdout).not.toContain(ESC);
  });

  it('--quiet keeps progress off stderr; --verbose adds request ids and timings', async () => {
    const quiet = await ws.cli(['apply', '--auto-approve', '--quiet']);
    expect(quiet.code).toBe(0);
    expect(quiet.stderr).toBe('');
    ws.files({ 'b.yaml': envFile('b') });
    const verbose = await ws.cli(['apply', '--auto-approve', '--verbose']);
    expect(verbose.stderr).toMatch(/GET \/v1\/environments\?limit=1000\S* → 200 req_\w+ \d+ms/);
    expect(verbose.stderr).toMatch(/POST \/v1\/environments\S* → 200 req_\w+/);
    expect(verbose.stderr).toMatch(/✓ b: created env_\w+ in \d+ms/);
  });

  it('prints a bad file as its diagnostics (file:line:column  path  message, then the hint) and error[code] / hint:', async () => {
    ws.files({ 'bad.yaml': 'name: bad\ndescripton: typo\n' });
    const r = await ws.cli(['plan']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      'error    environments/bad.yaml:2:1  descripton  unknown key "descripton"\n         hint: did you mean "description"?',
    );
    expect(r.stderr).toContain(
      'error[invalid_config]: 1 error in the environment files\n  hint: run `envsync validate`',
    );
    expect(r.stderr).not.toMatch(/\n\s+at /);
    const verbose = await ws.cli(['plan', '--verbose']);
    expect(verbose.stderr).toMatch(/\n\s+at /);
  });
});

/** Runs envsync in a pseudo-terminal of `cols` columns; returns everything the terminal was sent. */
function inPtyOfWidth(
  ws: Workspace,
  args: string[],
  cols: number,
): Promise<{ code: number; output: string }> {
  const command = [process.execPath, BIN, '--base-url', ws.emu.url, ...args].map((a) => `'${a}'`).join(' ');
  return new Promise((resolve, reject) => {
    const child = spawn('script', ['-qefc', `stty cols ${cols} rows 24; ${command}`, '/dev/null'], {
      cwd: ws.dir,
      env: baseEnv({ ANTHROPIC_API_KEY: TEST_KEY, TERM: 'xterm' }) as NodeJS.ProcessEnv,
    });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, output }));
  });
}

/** What each redraw or line shows, colour codes stripped: the text between carriage returns and newlines. */
function screenLines(output: string): string[] {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: stripping the terminal's own escape sequences
  const plain = output.replace(/\u001b\[[0-9;?]*[A-Za-z]/g, '');
  return plain.split(/\r\n|\r|\n/);
}

describe('Ctrl-C during apply', () => {
  let ws: Workspace;
  beforeEach(async () => {
    ws = await Workspace.start({ latencyMs: 150 });
    for (let i = 1; i <= 24; i++) ws.files({ [`e${i}.yaml`]: envFile(`slow-${i}`) });
  });
  afterEach(() => ws.close());

  it('finishes and records what runs, starts nothing new, closes the run, frees the lock, exits 130', async () => {
    const child = spawn(
      process.execPath,
      [BIN, '--base-url', ws.emu.url, 'apply', '--auto-approve', '--parallelism', '2'],
      {
        cwd: ws.dir,
        env: baseEnv({ ANTHROPIC_API_KEY: TEST_KEY }) as NodeJS.ProcessEnv,
      },
    );
    let out = '';
    let err = '';
    let sent = false;
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => {
      err += d;
      // Once a few creates are done: mid-run, with more queued.
      if (!sent && (err.match(/✓/g) ?? []).length >= 3) {
        sent = true;
        child.kill('SIGINT');
      }
    });
    const code = await new Promise<number>((resolve) => child.on('close', (c) => resolve(c ?? -1)));
    expect(sent).toBe(true);
    expect(code, err).toBe(130);
    expect(err).toContain('Interrupted: finishing the changes in flight');
    const summary = /Apply interrupted: (\d+) created, .*, (\d+) not started\./.exec(out);
    expect(summary, out).not.toBeNull();
    const [created, notStarted] = [Number(summary?.[1]), Number(summary?.[2])];
    expect(created + notStarted).toBe(24);
    expect(notStarted).toBeGreaterThan(0);
    expect(existsSync(path.join(ws.dir, '.envsync/changelog.lock'))).toBe(false);
    expect((await ws.live()).length).toBe(created);
    const verify = await ws.cli(['verify', '--live']);
    expect(verify.code, verify.stdout).toBe(0);
    const plan = JSON.parse((await ws.cli(['plan', '--format', 'json'])).stdout) as {
      summary: { create: number };
    };
    expect(plan.summary.create).toBe(notStarted);
    // Six processes in a row (apply, verify, plan and the workspace's own reads): on two busy cores they
    // need more than the default 30 s, as the other process-spawning tests are given.
  }, 60_000);
});

describe('a closed pipe', () => {
  let ws: Workspace;
  beforeEach(async () => {
    ws = await Workspace.start({ latencyMs: 20 });
    for (let i = 1; i <= 20; i++) ws.files({ [`e${i}.yaml`]: envFile(`piped-${i}`) });
  });
  afterEach(() => ws.close());

  it('`apply | head -1` completes the apply: EPIPE is quiet and stops nothing', async () => {
    const command = [process.execPath, BIN, '--base-url', ws.emu.url, 'apply', '--auto-approve']
      .map((a) => `'${a}'`)
      .join(' ');
    const r = await new Promise<{ code: number; out: string; err: string }>((resolve) => {
      const child = spawn(
        'bash',
        ['-c', `set -o pipefail; ${command} 2>&1 | head -1; echo "status \${PIPESTATUS[0]}"`],
        {
          cwd: ws.dir,
          env: baseEnv({ ANTHROPIC_API_KEY: TEST_KEY }) as NodeJS.ProcessEnv,
        },
      );
      let out = '';
      let err = '';
      child.stdout.on('data', (d) => (out += d));
      child.stderr.on('data', (d) => (err += d));
      child.on('close', (code) => resolve({ code: code ?? -1, out, err }));
    });
    expect(r.out.split('\n')).toHaveLength(3);
    expect(r.out).toMatch(/status 0\n$/);
    expect(r.err).toBe('');
    expect((await ws.live()).length).toBe(20);
    const verify = await ws.cli(['verify']);
    expect(verify.code, verify.stdout).toBe(0);
  });
});

describe('progress on a terminal, paced by the rate limit', () => {
  let ws: Workspace;
  beforeEach(async () => {
    // The emulator enforces the limit too, so a run that ignored it would meet 429s instead.
    ws = await Workspace.start({ rateLimit: { writesPerMinute: 240, readsPerMinute: 6000 } });
    for (let i = 1; i <= 8; i++)
      ws.files({ [`e${i}.yaml`]: envFile(`paced-environment-with-a-long-name-${i}`) });
  });
  afterEach(() => ws.close());

  it.each([80, 40])('at %i columns: N/M with an ETA, cut to the width, the summary intact', async (cols) => {
    const r = await inPtyOfWidth(ws, ['apply', '--auto-approve', '--rate-limit', '120,6000'], cols);
    expect(r.code, r.output).toBe(0);
    const lines = screenLines(r.output);
    const progress = lines.filter((l) => /^\[\d+\/8\] \d+%/.test(l));
    expect(progress.length).toBeGreaterThan(0);
    expect(progress.some((l) => l.includes('ETA') || l.includes('waiting for the rate limit'))).toBe(true);
    for (const l of progress) expect([...l].length, l).toBeLessThan(cols);
    expect(lines).toContain('Apply complete: 8 created, 0 updated, 0 recreated, 0 archived, 0 failed.');
    expect(lines).toContain('Plan: 8 to create, 0 to update, 0 to recreate, 0 to archive.');
    expect((await ws.live()).length).toBe(8);
  });
});

function runWithEnv(ws: Workspace, args: string[], extra: Record<string, string>) {
  return runCli(['--base-url', ws.emu.url, ...args], {
    cwd: ws.dir,
    env: baseEnv({ ANTHROPIC_API_KEY: TEST_KEY, ...extra }),
    tty: true,
  });
}
