// The GitHub Action's script, run locally as the runner would: a fake GitHub API on 127.0.0.1, the emulator, real git.

import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { baseEnv, ROOT, spawnCli, tempDir } from '../helpers/cli.js';
import { registriesWithOsv, startFixtureRegistries } from '../helpers/registries.js';
import { envFile, TEST_KEY, TEST_PROJECT, Workspace } from '../helpers/workspace.js';

interface Call {
  method: string;
  url: string;
  body: Record<string, unknown> | null;
}

interface Comment {
  id: number;
  issue: number;
  body: string;
  html_url: string;
}

interface Pull {
  number: number;
  title: string;
  body: string;
  head: { ref: string };
  base: { ref: string };
  state: 'open' | 'closed';
  html_url: string;
}

interface Issue {
  number: number;
  title: string;
  body: string;
  state: 'open' | 'closed';
  state_reason?: string;
  html_url: string;
  pull_request?: object;
}

/**
 * A GitHub REST API stand-in for what the action calls: issue comments (list, create, update), issues
 * (list open, create, update) and pull requests (list open by head, create, update), paginated as GitHub
 * does (per_page, page), remembering every call.
 */
async function fakeGitHub() {
  const calls: Call[] = [];
  const comments: Comment[] = [];
  const pulls: Pull[] = [];
  // Issue 7 is the pull request the tests comment on; it must never be taken for a drift issue.
  const issues: Issue[] = [
    {
      number: 7,
      title: 'a PR',
      body: '',
      state: 'open',
      html_url: 'https://github.test/acme/agents/pull/7',
      pull_request: {},
    },
  ];
  const server = createServer((req, res) => {
    let raw = '';
    req.on('data', (c) => (raw += c));
    req.on('end', () => {
      const body = raw ? (JSON.parse(raw) as Record<string, unknown>) : null;
      const url = new URL(req.url ?? '/', 'http://x');
      calls.push({ method: req.method ?? '', url: url.pathname, body });
      res.setHeader('content-type', 'application/json');
      const page = <T>(items: T[]) => {
        const per = Number(url.searchParams.get('per_page') ?? 30);
        const n = Number(url.searchParams.get('page') ?? 1);
        return items.slice((n - 1) * per, n * per);
      };
      const send = (value: unknown, status = 200) => {
        res.statusCode = status;
        res.end(JSON.stringify(value));
      };
      let m = /^\/repos\/acme\/agents\/issues\/(\d+)\/comments$/.exec(url.pathname);
      if (m) {
        const issue = Number(m[1]);
        if (req.method === 'GET') return send(page(comments.filter((c) => c.issue === issue)));
        const id = comments.length + 1;
        const c = {
          id,
          issue,
          body: String(body?.body ?? ''),
          html_url: `https://github.test/acme/agents/issues/${issue}#issuecomment-${id}`,
        };
        comments.push(c);
        return send(c, 201);
      }
      m = /^\/repos\/acme\/agents\/issues\/comments\/(\d+)$/.exec(url.pathname);
      if (m && req.method === 'PATCH') {
        const c = comments.find((x) => x.id === Number(m?.[1]));
        if (!c) return send({ message: 'Not Found' }, 404);
        c.body = String(body?.body ?? '');
        return send(c);
      }
      if (url.pathname === '/repos/acme/agents/issues') {
        if (req.method === 'GET')
          return send(page(issues.filter((i) => i.state === url.searchParams.get('state'))));
        const number = 100 + issues.length;
        const issue: Issue = {
          number,
          title: String(body?.title ?? ''),
          body: String(body?.body ?? ''),
          state: 'open',
          html_url: `https://github.test/acme/agents/issues/${number}`,
        };
        issues.push(issue);
        return send(issue, 201);
      }
      m = /^\/repos\/acme\/agents\/issues\/(\d+)$/.exec(url.pathname);
      if (m && req.method === 'PATCH') {
        const issue = issues.find((i) => i.number === Number(m?.[1]));
        if (!issue) return send({ message: 'Not Found' }, 404);
        Object.assign(issue, body);
        return send(issue);
      }
      if (url.pathname === '/repos/acme/agents/pulls') {
        if (req.method === 'GET') {
          const head = url.searchParams.get('head');
          return send(
            page(
              pulls.filter(
                (p) => p.state === url.searchParams.get('state') && (!head || `acme:${p.head.ref}` === head),
              ),
            ),
          );
        }
        const number = 200 + pulls.length;
        const pull: Pull = {
          number,
          title: String(body?.title ?? ''),
          body: String(body?.body ?? ''),
          head: { ref: String(body?.head ?? '') },
          base: { ref: String(body?.base ?? '') },
          state: 'open',
          html_url: `https://github.test/acme/agents/pull/${number}`,
        };
        pulls.push(pull);
        return send(pull, 201);
      }
      m = /^\/repos\/acme\/agents\/pulls\/(\d+)$/.exec(url.pathname);
      if (m && req.method === 'PATCH') {
        const pull = pulls.find((p) => p.number === Number(m?.[1]));
        if (!pull) return send({ message: 'Not Found' }, 404);
        Object.assign(pull, body);
        return send(pull);
      }
      send({ message: `no route for ${req.method} ${url.pathname}` }, 404);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    calls,
    comments,
    issues,
    pulls,
    server,
    writes: () => calls.filter((c) => c.method !== 'GET'),
  };
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

/** What the action wrote to $GITHUB_OUTPUT, as a record (the last value of each name). */
function outputsOf(file: string): Record<string, string> {
  const text = existsSync(file) ? readFileSync(file, 'utf8') : '';
  return Object.fromEntries(
    text
      .split('\n')
      .filter(Boolean)
      .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
  );
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

  /** The runner's environment for one step: a pull request (or another event), outputs and summary files. */
  function runner(event: object = { pull_request: { number: 7 } }) {
    const dir = tempDir('envsync-runner-');
    writeFileSync(path.join(dir, 'event.json'), JSON.stringify(event));
    const files = { output: path.join(dir, 'output'), summary: path.join(dir, 'summary') };
    const env = {
      INPUT_GITHUB_TOKEN: 'ghs_test',
      GITHUB_API_URL: gh.url,
      GITHUB_REPOSITORY: 'acme/agents',
      GITHUB_EVENT_PATH: path.join(dir, 'event.json'),
      GITHUB_OUTPUT: files.output,
      GITHUB_STEP_SUMMARY: files.summary,
      ANTHROPIC_API_KEY: TEST_KEY,
      ANTHROPIC_BASE_URL: ws.emu.url,
    };
    return {
      env,
      outputs: () => outputsOf(files.output),
      summary: () => (existsSync(files.summary) ? readFileSync(files.summary, 'utf8') : ''),
    };
  }

  it('declares the inputs the script reads and the outputs it writes, each documented', () => {
    const action = parse(readFileSync(path.join(ROOT, 'action.yml'), 'utf8')) as {
      inputs: Record<string, { description: string }>;
      outputs: Record<string, { description: string; value: string }>;
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
    const written = new Set([...script.matchAll(/output\('([a-z-]+)'/g)].map((m) => m[1]));
    written.add('create'); // the counts are written in a loop over their names
    for (const kind of ['update', 'recreate', 'archive', 'adopt', 'blocked', 'drift']) written.add(kind);
    for (const [name, spec] of Object.entries(action.outputs)) {
      expect(written.has(name), name).toBe(true);
      expect(spec.value).toBe(`\${{ steps.run.outputs.${name} }}`);
      expect(spec.description.length, name).toBeGreaterThan(10);
    }
  });

  it('plan mode posts one PR comment, updates it on the next push, and fails on a blocked plan', async () => {
    ws.files({ 'a.yaml': envFile('a') });
    const r = runner();
    const env = { ...r.env, INPUT_MODE: 'plan' };
    const first = await runAction(ws.dir, env);
    expect(first.code, first.out).toBe(0);
    expect(r.outputs()).toMatchObject({
      exitcode: '2',
      'has-changes': 'true',
      create: '1',
      update: '0',
      blocked: '0',
    });
    expect(r.outputs()['comment-url']).toBe('https://github.test/acme/agents/issues/7#issuecomment-1');
    const planFile = r.outputs()['plan-file'] as string;
    expect(JSON.parse(readFileSync(planFile, 'utf8')).summary.create).toBe(1);
    expect(gh.writes().map((c) => [c.method, c.url])).toEqual([
      ['POST', '/repos/acme/agents/issues/7/comments'],
    ]);
    expect(gh.comments[0]?.body).toMatch(
      /^<!-- envsync-plan project=test-project workspace=- -->\n## envsync plan · project <code>test-project<\/code>\n/,
    );

    await ws.sdk().beta.environments.create({ name: 'hand' });
    ws.files({ 'hand.yaml': envFile('hand') });
    const blocked = await runAction(ws.dir, env);
    expect(blocked.code).toBe(1);
    expect(blocked.out).toContain('::error::envsync plan exited 3 (blocked by a safety rule)');
    expect(r.outputs().blocked).toBe('1');
    expect(gh.writes().map((c) => [c.method, c.url])).toEqual([
      ['POST', '/repos/acme/agents/issues/7/comments'],
      ['PATCH', '/repos/acme/agents/issues/comments/1'],
    ]);
    expect(gh.comments[0]?.body).toContain('1 blocked.');
  });

  it('two workspaces on one pull request: two comments, each updated in place by its own job', async () => {
    writeFileSync(
      path.join(ws.dir, 'envsync.yaml'),
      'project: agents\nworkspaces:\n  staging:\n    workspace_id: wrkspc_01S\n    dirs: [environments/staging]\n  production:\n    workspace_id: wrkspc_01P\n    dirs: [environments/production]\n',
    );
    for (const d of ['staging', 'production']) mkdirSync(path.join(ws.envDir, d));
    writeFileSync(path.join(ws.envDir, 'staging/s.yaml'), envFile('s'));
    writeFileSync(path.join(ws.envDir, 'production/p.yaml'), envFile('p'));
    const r = runner();
    const job = (workspace: string) =>
      runAction(ws.dir, { ...r.env, INPUT_MODE: 'plan', INPUT_WORKSPACE: workspace });
    expect((await job('staging')).code).toBe(0);
    expect((await job('production')).code).toBe(0);
    expect(gh.comments.map((c) => c.body.split('\n').slice(0, 2))).toEqual([
      [
        '<!-- envsync-plan project=agents workspace=staging -->',
        '## envsync plan · project <code>agents</code> · workspace <code>staging</code>',
      ],
      [
        '<!-- envsync-plan project=agents workspace=production -->',
        '## envsync plan · project <code>agents</code> · workspace <code>production</code>',
      ],
    ]);
    // The next push: each job updates its own comment; neither overwrites the other's.
    writeFileSync(path.join(ws.envDir, 'staging/t.yaml'), envFile('t'));
    expect((await job('staging')).code).toBe(0);
    expect((await job('production')).code).toBe(0);
    expect(gh.writes().map((c) => [c.method, c.url])).toEqual([
      ['POST', '/repos/acme/agents/issues/7/comments'],
      ['POST', '/repos/acme/agents/issues/7/comments'],
      ['PATCH', '/repos/acme/agents/issues/comments/1'],
      ['PATCH', '/repos/acme/agents/issues/comments/2'],
    ]);
    expect(gh.comments[0]?.body).toContain('<code>t</code>');
    expect(gh.comments[1]?.body).not.toContain('<code>t</code>');
    // Each job's files apart, too.
    expect(existsSync(path.join(ws.dir, 'envsync-plan-staging.md'))).toBe(true);
    expect(existsSync(path.join(ws.dir, 'envsync-plan-production.json'))).toBe(true);
  });

  it('on a push (no pull request): the plan in the log and the job summary, no comment', async () => {
    ws.files({ 'a.yaml': envFile('a') });
    const r = runner({ ref: 'refs/heads/main' });
    const run = await runAction(ws.dir, { ...r.env, INPUT_MODE: 'plan' });
    expect(run.code, run.out).toBe(0);
    expect(run.out).toContain('  + a');
    expect(run.out).toContain('Plan: 1 to create, 0 to update, 0 to recreate, 0 to archive.');
    expect(run.out).toContain(
      'Not a pull request: no comment; the plan is above in this log and in the job summary.',
    );
    expect(r.summary()).toMatch(/^## envsync plan · project <code>test-project<\/code>/);
    expect(r.summary()).toContain('| create | 1 |');
    expect(gh.calls).toEqual([]);
    expect(r.outputs()).toMatchObject({ exitcode: '2', 'has-changes': 'true', 'comment-url': '' });
  });

  it('args are split as a shell would: a quoted --target matches its environment', async () => {
    ws.files({ 'a.yaml': envFile('a'), 'b.yaml': envFile('b') });
    const r = runner();
    const quoted = await runAction(ws.dir, {
      ...r.env,
      INPUT_MODE: 'plan',
      INPUT_ARGS: `--target 'a' --max-archive "5"`,
    });
    expect(quoted.code, quoted.out).toBe(0);
    expect(r.outputs()).toMatchObject({ exitcode: '2', create: '1' });
    expect(quoted.out).toContain('  + a');
    expect(quoted.out).not.toContain('  + b');
    const typo = await runAction(ws.dir, { ...r.env, INPUT_MODE: 'plan', INPUT_ARGS: `--target 'nosuch'` });
    expect(typo.code).toBe(1);
    expect(typo.out).toContain('error[unknown_target]');
    const unterminated = await runAction(ws.dir, { ...r.env, INPUT_MODE: 'plan', INPUT_ARGS: `--target 'a` });
    expect([unterminated.code, unterminated.out]).toEqual([
      1,
      expect.stringContaining("unterminated ' in args"),
    ]);
  });

  it('comment: changes posts only a plan worth reading, and never leaves an old comment stale; never posts none', async () => {
    ws.files({ 'a.yaml': envFile('a') });
    expect((await ws.cli(['apply', '--auto-approve'])).code).toBe(0);
    const r = runner();
    const changes = { ...r.env, INPUT_MODE: 'plan', INPUT_COMMENT: 'changes' };
    expect((await runAction(ws.dir, changes)).code).toBe(0);
    expect(gh.writes()).toEqual([]);
    expect(r.outputs()).toMatchObject({ exitcode: '0', 'has-changes': 'false', 'comment-url': '' });
    ws.files({ 'b.yaml': envFile('b') });
    expect((await runAction(ws.dir, changes)).code).toBe(0);
    expect(gh.writes().map((c) => c.method)).toEqual(['POST']);
    ws.files({ 'b.yaml': null });
    expect((await runAction(ws.dir, changes)).code).toBe(0);
    expect(gh.writes().map((c) => c.method)).toEqual(['POST', 'PATCH']);
    expect(gh.comments[0]?.body).toContain('No changes.');
    ws.files({ 'c.yaml': envFile('c') });
    expect((await runAction(ws.dir, { ...r.env, INPUT_MODE: 'plan', INPUT_COMMENT: 'never' })).code).toBe(0);
    expect(gh.writes()).toHaveLength(2);
    expect(r.summary()).toContain('<code>c</code>');
  });

  it('annotations name files from the repository root, never appear in the comment', async () => {
    // The project is a sub-folder of the repository (working-directory: infra).
    const project = path.join(ws.dir, 'infra');
    mkdirSync(path.join(project, 'environments'), { recursive: true });
    writeFileSync(path.join(project, 'envsync.yaml'), 'project: infra\n');
    writeFileSync(path.join(project, 'environments/bad.yaml'), 'name: bad\nconfig: {type: clod}\n');
    const r = runner();
    const run = await runAction(project, {
      ...r.env,
      INPUT_MODE: 'plan',
      GITHUB_ACTIONS: 'true',
      GITHUB_WORKSPACE: ws.dir,
    });
    expect(run.code).toBe(1);
    expect(run.out).toMatch(/^::error file=infra\/environments\/bad\.yaml,line=2,col=16::/m);
    const body = gh.comments[0]?.body ?? '';
    expect(body).toContain('## envsync plan · project `infra`: the environment files are invalid');
    expect(body).toContain('environments/bad.yaml:2:16');
    expect(body).not.toContain('::error');
    expect(r.outputs()).toMatchObject({ exitcode: '1', 'plan-file': '' });
  });

  it('drift mode opens one issue when drift is found, updates it while it lasts, and closes it when it is gone', async () => {
    ws.files({ 'a.yaml': envFile('a') });
    expect((await ws.cli(['apply', '--auto-approve'])).code).toBe(0);
    const r = runner({ schedule: '17 6 * * *' });
    const env = { ...r.env, INPUT_MODE: 'drift' };
    const clean = await runAction(ws.dir, env);
    expect(clean.code, clean.out).toBe(0);
    expect(gh.writes()).toEqual([]);
    expect(r.outputs()).toMatchObject({ 'drift-found': 'false', 'issue-url': '' });

    const [a] = await ws.live();
    await ws.sdk().beta.environments.update(a?.id as string, {
      config: { type: 'cloud', packages: { pip: ['requests==2.32.0'] } },
    });
    const found = await runAction(ws.dir, env);
    expect(found.code, found.out).toBe(0);
    expect(r.outputs()).toMatchObject({
      'drift-found': 'true',
      'issue-url': 'https://github.test/acme/agents/issues/101',
    });
    const issue = gh.issues.find((i) => i.number === 101);
    expect(issue?.title).toBe('envsync: drift in test-project');
    expect(issue?.body).toMatch(
      /^<!-- envsync-drift project=test-project workspace=- -->\n## envsync: drift in project `test-project`/,
    );
    expect(issue?.body).toContain('(drift)');
    expect(r.summary()).toContain('## envsync: drift in project `test-project`');

    const again = await runAction(ws.dir, env);
    expect(again.code, again.out).toBe(0);
    expect(gh.writes().map((c) => [c.method, c.url])).toEqual([
      ['POST', '/repos/acme/agents/issues'],
      ['PATCH', '/repos/acme/agents/issues/101'],
    ]);

    expect((await ws.cli(['apply', '--auto-approve'])).code).toBe(0);
    const gone = await runAction(ws.dir, env);
    expect(gone.code, gone.out).toBe(0);
    expect(issue?.state).toBe('closed');
    expect(gh.comments.at(-1)?.body).toMatch(/^No drift found at .*: closing\.$/);
    expect(r.outputs()).toMatchObject({ 'drift-found': 'false' });
    // The pull request (issue 7) was never taken for the drift issue.
    expect(gh.issues.find((i) => i.number === 7)?.state).toBe('open');
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

  it('preview mode: a pull request’s previews in a section of its comment, kept by the plan, archived on close; gc on a schedule', async () => {
    ws.files({ 'a.yaml': envFile('a'), 'b.yaml': envFile('b') });
    const { git } = originFor();
    git(ws.dir, 'checkout', '--quiet', '-b', 'feature');
    ws.files({ 'a.yaml': envFile('a', 'description: tried in a preview\n') });
    git(ws.dir, 'commit', '--quiet', '-am', 'a: new description');
    const opened = runner({ action: 'opened', pull_request: { number: 7, base: { ref: 'main' } } });
    const plan = await runAction(ws.dir, { ...opened.env, INPUT_MODE: 'plan' });
    expect(plan.code, plan.out).toBe(0);

    const up = await runAction(ws.dir, { ...opened.env, INPUT_MODE: 'preview', INPUT_PREVIEW_TTL: '2d' });
    expect(up.code, up.out).toBe(0);
    const live = Object.fromEntries((await ws.live()).map((e) => [e.name, e]));
    // Only what the branch changed gets a preview.
    expect(Object.keys(live)).toEqual(['a--pr-7']);
    expect(live['a--pr-7']?.description).toBe('tried in a preview');
    expect(opened.outputs()).toMatchObject({
      'preview-id': 'pr-7',
      previews: '1',
      archived: '0',
      exitcode: '0',
    });
    const doc = JSON.parse(readFileSync(opened.outputs()['preview-file'] as string, 'utf8'));
    expect(doc.environments.map((e: { name: string; env_id: string }) => [e.name, e.env_id])).toEqual([
      ['a', live['a--pr-7']?.id],
    ]);
    // One comment: the plan, then the previews' section with name → env ID.
    expect(gh.comments).toHaveLength(1);
    const body = () => gh.comments[0]?.body ?? '';
    expect(body()).toMatch(/^<!-- envsync-plan project=test-project workspace=- -->\n## envsync plan/);
    expect(body()).toContain('<!-- envsync-preview -->\n### envsync previews · <code>pr-7</code>');
    expect(body()).toContain(
      // The env ID as a reader sees it: its `_` a character reference, like every untrusted text.
      `| <code>a</code> | <code>a--pr-7</code> | <code>env&#95;${live['a--pr-7']?.id.slice(4)}</code> |`,
    );
    expect(body().trimEnd().endsWith('<!-- /envsync-preview -->')).toBe(true);
    expect(opened.summary()).toContain('### envsync previews');

    // The next push: the plan is rewritten and keeps the previews' section; the previews update in place.
    const pushed = runner({ action: 'synchronize', pull_request: { number: 7, base: { ref: 'main' } } });
    expect((await runAction(ws.dir, { ...pushed.env, INPUT_MODE: 'plan' })).code).toBe(0);
    expect(body()).toContain('<code>a--pr-7</code>');
    expect(body().indexOf('## envsync plan')).toBeLessThan(body().indexOf('<!-- envsync-preview -->'));
    expect((await runAction(ws.dir, { ...pushed.env, INPUT_MODE: 'preview' })).code).toBe(0);
    expect(body().match(/<!-- envsync-preview -->/g)).toHaveLength(1);
    expect(body()).toContain('expiry extended');
    expect(body()).toContain('## envsync plan');
    expect(gh.comments).toHaveLength(1);

    // Closed: the previews are archived, the section says so; nothing else is touched.
    const closed = runner({ action: 'closed', pull_request: { number: 7, base: { ref: 'main' } } });
    const down = await runAction(ws.dir, { ...closed.env, INPUT_MODE: 'preview' });
    expect(down.code, down.out).toBe(0);
    expect(await ws.live()).toEqual([]);
    expect(closed.outputs()).toMatchObject({ archived: '1', 'preview-id': 'pr-7' });
    expect(body()).toContain('Archived 1 preview environment: <code>a--pr-7</code>');
    expect(body()).toContain('## envsync plan');
    expect(gh.comments).toHaveLength(1);

    // On a schedule: gc archives what expired, and talks to GitHub not at all.
    expect((await ws.cli(['preview', 'up', '--id', 'pr-8'])).code).toBe(0);
    const stale = await ws.live();
    expect(stale.map((e) => e.name).sort()).toEqual(['a--pr-8', 'b--pr-8']);
    for (const e of stale)
      await ws
        .sdk()
        .beta.environments.update(e.id, { metadata: { envsync_expires: '2020-01-01T00:00:00Z' } });
    const before = gh.calls.length;
    const nightly = runner({ schedule: '17 6 * * *' });
    const gc = await runAction(ws.dir, { ...nightly.env, INPUT_MODE: 'preview' });
    expect(gc.code, gc.out).toBe(0);
    expect(nightly.outputs()).toMatchObject({ archived: '2', 'preview-id': '' });
    expect(await ws.live()).toEqual([]);
    expect(gh.calls.length).toBe(before);
    expect(nightly.summary()).toContain('Archived 2 preview environments');
  });

  it('preview mode creates no comment for a pull request that changes no environment, and fails on a blocked preview', async () => {
    ws.files({ 'a.yaml': envFile('a') });
    const { git } = originFor();
    git(ws.dir, 'checkout', '--quiet', '-b', 'docs');
    const r = runner({ action: 'opened', pull_request: { number: 7, base: { ref: 'main' } } });
    const quiet = await runAction(ws.dir, { ...r.env, INPUT_MODE: 'preview' });
    expect(quiet.code, quiet.out).toBe(0);
    expect(r.outputs()).toMatchObject({ previews: '0', 'comment-url': '' });
    expect(gh.writes()).toEqual([]);
    // Something else holds the name a preview would take: exit 3, said in a new comment.
    ws.files({ 'a.yaml': envFile('a', 'description: x\n') });
    await ws.sdk().beta.environments.create({ name: 'a--pr-7' });
    const blocked = await runAction(ws.dir, { ...r.env, INPUT_MODE: 'preview' });
    expect(blocked.code).toBe(1);
    expect(blocked.out).toContain('::error::envsync preview up exited 3 (blocked by a safety rule)');
    expect(gh.comments[0]?.body).toContain('error[preview_conflict]');
    expect(r.outputs()).toMatchObject({ exitcode: '3', 'preview-file': '' });
  });

  const applyInputs = () => ({
    INPUT_MODE: 'apply',
    INPUT_COMMIT_MESSAGE: 'envsync: changelog',
    ANTHROPIC_API_KEY: TEST_KEY,
    ANTHROPIC_BASE_URL: ws.emu.url,
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

  it('upgrade mode opens one pull request whose body lists every change, updates it, and changes nothing when nothing is new', async () => {
    const regs = await startFixtureRegistries();
    try {
      writeFileSync(
        path.join(ws.dir, 'envsync.yaml'),
        `project: ${TEST_PROJECT}\n${registriesWithOsv(regs.url)}`,
      );
      ws.files({
        'data.yaml': `name: data\nconfig:\n  type: cloud\n  packages:\n    pip: ["pandas>=2.1,<3"]\n`,
        'web.yaml': `name: web\nconfig:\n  type: cloud\n  packages:\n    npm: ["express@^4.21.0"]\n`,
      });
      const locked = await spawnCli(['lock'], {
        cwd: ws.dir,
        env: baseEnv({ ANTHROPIC_BASE_URL: ws.emu.url }),
      });
      expect(locked.code, locked.stderr).toBe(0);
      // The lock as committed holds versions older than the specs now allow.
      const lockFile = path.join(ws.dir, 'envsync.lock');
      const lock = JSON.parse(readFileSync(lockFile, 'utf8'));
      Object.assign(lock.packages.pip['pandas>=2.1,<3'], { version: '2.2.0', digest: null });
      writeFileSync(lockFile, `${JSON.stringify(lock, null, 2)}\n`);
      const { origin, git } = originFor();
      const schedule = runner({ schedule: '0 6 * * 1' });

      const first = await runAction(ws.dir, { ...schedule.env, INPUT_MODE: 'upgrade' });
      expect(first.code, first.out).toBe(0);
      expect(gh.pulls).toHaveLength(1);
      const pr = gh.pulls[0];
      expect(pr?.head.ref).toBe('envsync/upgrade');
      expect(pr?.base.ref).toBe('main');
      expect(pr?.body).toContain('| pandas | pip | 2.2.0 → 2.2.3 | data | GHSA-8fxw-4h9q-j2vv (high) |');
      expect(schedule.outputs()['pr-url']).toBe(pr?.html_url);
      expect(schedule.outputs()['has-changes']).toBe('true');
      // The branch on the origin holds the moved lock; the checkout is back on main, unchanged.
      const pushed = JSON.parse(git(origin, 'show', 'envsync/upgrade:envsync.lock'));
      expect(pushed.packages.pip['pandas>=2.1,<3'].version).toBe('2.2.3');
      expect(git(ws.dir, 'rev-parse', '--abbrev-ref', 'HEAD').trim()).toBe('main');
      expect(git(ws.dir, 'status', '--porcelain').trim()).toBe('');

      // Nothing new since: no push, no edit.
      const writes = gh.writes().length;
      const head = git(origin, 'rev-parse', 'envsync/upgrade');
      const again = await runAction(ws.dir, {
        ...runner({ schedule: '0 6 * * 1' }).env,
        INPUT_MODE: 'upgrade',
      });
      expect(again.code, again.out).toBe(0);
      expect(gh.writes().length).toBe(writes);
      expect(git(origin, 'rev-parse', 'envsync/upgrade')).toBe(head);

      // Something new (express is behind too now): the same pull request, its body listing every change.
      const behind = JSON.parse(readFileSync(lockFile, 'utf8'));
      Object.assign(behind.packages.npm['express@^4.21.0'], { version: '4.21.0', digest: null });
      writeFileSync(lockFile, `${JSON.stringify(behind, null, 2)}\n`);
      git(ws.dir, 'commit', '--quiet', '-am', 'express pinned back');
      const third = await runAction(ws.dir, {
        ...runner({ schedule: '0 6 * * 1' }).env,
        INPUT_MODE: 'upgrade',
      });
      expect(third.code, third.out).toBe(0);
      expect(gh.pulls).toHaveLength(1);
      expect(gh.pulls[0]?.body).toContain('| pandas | pip | 2.2.0 → 2.2.3 |');
      expect(gh.pulls[0]?.body).toContain(
        '| express | npm | 4.21.0 → 4.21.2 | web | GHSA-qw6h-vgh9-j6wx (low) |',
      );
    } finally {
      await regs.close();
    }
    // Three runs of the action, each a few envsync processes: more than the default 30 s on a loaded runner.
  }, 120_000);
});
