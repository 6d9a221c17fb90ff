// The GitHub Action's script, run locally as the runner would: a fake GitHub API on 127.0.0.1, the emulator, real git.

import { execFileSync, spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ROOT, tempDir } from '../helpers/cli.js';
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

  it('apply mode applies and pushes the changelog to the origin', async () => {
    const origin = path.join(tempDir('envsync-origin-'), 'origin.git');
    execFileSync('git', ['init', '--quiet', '--bare', '-b', 'main', origin]);
    const git = (...args: string[]) => execFileSync('git', args, { cwd: ws.dir, encoding: 'utf8' });
    ws.files({ 'a.yaml': envFile('a') });
    git('init', '--quiet', '-b', 'main');
    git('config', 'user.email', 'dev@example.com');
    git('config', 'user.name', 'dev');
    writeFileSync(path.join(ws.dir, '.gitignore'), 'emulator-state.json*\n.envsync/local/\n');
    git('add', '.');
    git('commit', '--quiet', '-m', 'environments');
    git('remote', 'add', 'origin', origin);
    git('push', '--quiet', '-u', 'origin', 'main');

    const r = await runAction(ws.dir, {
      INPUT_MODE: 'apply',
      INPUT_ARGS: `--base-url ${ws.emu.url}`,
      INPUT_COMMIT_MESSAGE: 'envsync: changelog',
      ANTHROPIC_API_KEY: TEST_KEY,
    });
    expect(r.code, r.out).toBe(0);
    expect((await ws.live()).map((e) => e.name)).toEqual(['a']);
    const log = execFileSync('git', ['log', '--format=%s', '--name-only', '-1', 'main'], {
      cwd: origin,
      encoding: 'utf8',
    });
    expect(log).toContain('envsync: changelog');
    expect(log).toMatch(/\.envsync\//);
  });
});
