// The GitHub Action's script, run locally as the runner would: a fake GitHub API on 127.0.0.1, the emulator, real git.

import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { baseEnv, ROOT, spawnCli, tempDir } from '../helpers/cli.js';
import { envFile, TEST_KEY, Workspace } from '../helpers/workspace.js';

interface Call {
  method: string;
  url: string;
  body: { body?: string } | null;
}

/** A GitHub REST API stand-in: remembers comments per issue and every call made. */
async function fakeGitHub(): Promise<{ url: string; calls: Call[]; server: Server }> {
  const calls: Call[] = [];
  const comments: { id: number; body: string }[] = [];
  const server = createServer((req, res) => {
    let raw = '';
    req.on('data', (c) => (raw += c));
    req.on('end', () => {
      const body = raw ? (JSON.parse(raw) as { body?: string }) : null;
      calls.push({ method: req.method ?? '', url: req.url ?? '', body });
      res.setHeader('content-type', 'application/json');
      if (req.method === 'GET') return res.end(JSON.stringify(comments));
      if (req.method === 'POST') {
        comments.push({ id: comments.length + 1, body: body?.body ?? '' });
        return res.end(JSON.stringify(comments.at(-1)));
      }
      const id = Number(req.url?.split('/').at(-1));
      const found = comments.find((c) => c.id === id);
      if (found) found.body = body?.body ?? '';
      res.end(JSON.stringify(found ?? {}));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, calls, server };
}

function runAction(cwd: string, env: Record<string, string>): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [path.join(ROOT, 'scripts/action.mjs')], {
      cwd,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, ENVSYNC_ACTION_PATH: ROOT, ...env },
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('close', (code) => resolve({ code: code ?? -1, out }));
  });
}

describe('the GitHub Action (action.yml → scripts/action.mjs)', () => {
  let ws: Workspace;
  let gh: Awaited<ReturnType<typeof fakeGitHub>>;
  beforeEach(async () => {
    ws = await Workspace.start();
    gh = await fakeGitHub();
  });
  afterEach(async () => {
    await ws.close();
    await new Promise((resolve) => gh.server.close(resolve));
  });

  it('declares the inputs the script reads, each documented', () => {
    const action = parse(readFileSync(path.join(ROOT, 'action.yml'), 'utf8')) as {
      inputs: Record<string, { description: string }>;
      runs: { steps: { env: Record<string, string> }[] };
    };
    const text = readFileSync(path.join(ROOT, 'action.yml'), 'utf8');
    const script = readFileSync(path.join(ROOT, 'scripts/action.mjs'), 'utf8');
    const read = [...script.matchAll(/input\('([A-Z_]+)'/g)].map((m) => m[1]);
    const passed = Object.keys(action.runs.steps[0]?.env ?? {}).filter((k) => k.startsWith('INPUT_'));
    for (const name of read) expect(passed).toContain(`INPUT_${name}`);
    for (const [name, spec] of Object.entries(action.inputs)) {
      expect(spec.description.length, name).toBeGreaterThan(20);
      // Each input reaches the script as INPUT_*, or is used by the step itself (working-directory).
      const used =
        passed.includes(`INPUT_${name.toUpperCase().replace(/-/g, '_')}`) ||
        text.includes(`: \${{ inputs.${name} }}\n`);
      expect(used, name).toBe(true);
    }
  });

  it('plan mode posts one PR comment, updates it on the next push, and fails on a blocked plan', async () => {
    ws.files({ 'a.yaml': envFile('a') });
    const event = path.join(ws.dir, 'event.json');
    writeFileSync(event, JSON.stringify({ pull_request: { number: 7 } }));
    const output = path.join(ws.dir, 'github-output');
    const env = {
      INPUT_MODE: 'plan',
      INPUT_ARGS: `--base-url ${ws.emu.url}`,
      INPUT_GITHUB_TOKEN: 'ghs_test',
      GITHUB_API_URL: gh.url,
      GITHUB_REPOSITORY: 'acme/agents',
      GITHUB_EVENT_PATH: event,
      GITHUB_OUTPUT: output,
      ANTHROPIC_API_KEY: TEST_KEY,
    };
    const first = await runAction(ws.dir, env);
    expect(first.code, first.out).toBe(0);
    expect(readFileSync(output, 'utf8')).toBe('exitcode=2\n');
    const posted = gh.calls.filter((c) => c.method === 'POST');
    expect(posted.map((c) => c.url)).toEqual(['/repos/acme/agents/issues/7/comments']);
    expect(posted[0]?.body?.body).toMatch(/^<!-- envsync-plan -->\n## envsync plan/);
    expect(posted[0]?.body?.body).toContain('a');

    await ws.sdk().beta.environments.create({ name: 'hand' });
    ws.files({ 'hand.yaml': envFile('hand') });
    const blocked = await runAction(ws.dir, env);
    expect(blocked.code).toBe(1);
    expect(blocked.out).toContain('::error::envsync plan exited 3 (blocked by a safety rule)');
    const patched = gh.calls.filter((c) => c.method === 'PATCH');
    expect(patched.map((c) => c.url)).toEqual(['/repos/acme/agents/issues/comments/1']);
    expect(gh.calls.filter((c) => c.method === 'POST')).toHaveLength(1);
  });

  /** ws.dir as a git clone of a new bare origin, holding the workspace's files; returns the origin. */
  function originFor(): { origin: string; git: (cwd: string, ...args: string[]) => string } {
    const origin = path.join(tempDir('envsync-origin-'), 'origin.git');
    execFileSync('git', ['init', '--quiet', '--bare', '-b', 'main', origin]);
    const git = (cwd: string, ...args: string[]) => execFileSync('git', args, { cwd, encoding: 'utf8' });
    git(ws.dir, 'init', '--quiet', '-b', 'main');
    git(ws.dir, 'config', 'user.email', 'dev@example.com');
    git(ws.dir, 'config', 'user.name', 'dev');
    writeFileSync(path.join(ws.dir, '.gitignore'), 'emulator-state.json*\n.envsync/local/\n');
    git(ws.dir, 'add', '.');
    git(ws.dir, 'commit', '--quiet', '-m', 'environments');
    git(ws.dir, 'remote', 'add', 'origin', origin);
    git(ws.dir, 'push', '--quiet', '-u', 'origin', 'main');
    return { origin, git };
  }

  const applyInputs = () => ({
    INPUT_MODE: 'apply',
    INPUT_ARGS: `--base-url ${ws.emu.url}`,
    INPUT_COMMIT_MESSAGE: 'envsync: changelog',
    ANTHROPIC_API_KEY: TEST_KEY,
  });

  it('apply mode applies and pushes the changelog to the origin', async () => {
    ws.files({ 'a.yaml': envFile('a') });
    const { origin } = originFor();

    const r = await runAction(ws.dir, applyInputs());
    expect(r.code, r.out).toBe(0);
    expect((await ws.live()).map((e) => e.name)).toEqual(['a']);
    const log = execFileSync('git', ['log', '--format=%s', '--name-only', '-1', 'main'], {
      cwd: origin,
      encoding: 'utf8',
    });
    expect(log).toContain('envsync: changelog');
    expect(log).toMatch(/\.envsync\//);
  });

  it('apply mode on a checkout that is behind: refused, pulls the other run, applies on top, pushes both', async () => {
    const { origin, git } = originFor();
    // Two merges close together. B's lands first and its job starts; A's lands while B's job is applying.
    const other = path.join(tempDir('envsync-other-'), 'clone');
    execFileSync('git', ['clone', '--quiet', origin, other]);
    git(other, 'config', 'user.email', 'ci@example.com');
    git(other, 'config', 'user.name', 'ci');
    mkdirSync(path.join(other, 'environments'), { recursive: true });
    writeFileSync(path.join(other, 'environments/b.yaml'), envFile('b'));
    git(other, 'add', '.');
    git(other, 'commit', '--quiet', '-m', 'b');
    git(other, 'push', '--quiet');
    git(ws.dir, 'pull', '--quiet');
    ws.files({ 'a.yaml': envFile('a') });
    git(ws.dir, 'add', '.');
    git(ws.dir, 'commit', '--quiet', '-m', 'a');
    git(ws.dir, 'push', '--quiet');
    // B's job applies b and pushes its run file; A's job checked out before that push.
    const applied = await spawnCli(['--base-url', ws.emu.url, 'apply', '--auto-approve'], {
      cwd: other,
      env: baseEnv({ ANTHROPIC_API_KEY: TEST_KEY }),
    });
    expect(applied.code, applied.stderr).toBe(0);
    git(other, 'add', '.');
    git(other, 'commit', '--quiet', '-m', 'b applied');
    git(other, 'pull', '--quiet', '--rebase');
    git(other, 'push', '--quiet');

    const r = await runAction(ws.dir, applyInputs());
    expect(r.code, r.out).toBe(0);
    // Refused first (nothing changed), then applied on top of the pulled run: a is created, b left alone.
    expect(r.out).toContain('error[changelog_behind]');
    expect(r.out).toMatch(/Apply complete: 1 created, 0 updated/);
    expect((await ws.live()).map((e) => e.name).sort()).toEqual(['a', 'b']);
    const runs = git(origin, 'ls-tree', '-r', '--name-only', 'main', '.envsync/changelog').trim().split('\n');
    expect(runs).toHaveLength(2);
    expect(git(origin, 'log', '--format=%s', '-1', 'main').trim()).toBe('envsync: changelog');
    // The two runs are one chain (the second's parent is the first), with nothing for verify to report.
    git(ws.dir, 'pull', '--quiet');
    const verify = await spawnCli(['verify'], { cwd: ws.dir, env: baseEnv() });
    expect(verify.code, verify.stdout + verify.stderr).toBe(0);
    expect(verify.stdout + verify.stderr).not.toMatch(/fork/i);
  });
});
