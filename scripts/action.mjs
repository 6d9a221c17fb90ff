// The GitHub Action's script (action.yml): plan → one PR comment, or apply → commit and push the changelog.
// Plain Node, no dependencies, so it runs before anything is built; every input comes from INPUT_* variables.

import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const MARKER = '<!-- envsync-plan -->';

function input(name, fallback = '') {
  return (process.env[`INPUT_${name}`] ?? fallback).trim();
}

/** envsync as the project installed it, or this action's own copy (built on first use). */
function envsyncCommand() {
  const local = path.resolve('node_modules/.bin/envsync');
  if (existsSync(local)) return [local];
  const own =
    process.env.ENVSYNC_ACTION_PATH ?? path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
  const bin = path.join(own, 'dist/cli/bin.js');
  if (!existsSync(bin)) {
    const built = spawnSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: own, stdio: 'inherit' });
    if (built.status !== 0) fail(`could not install envsync in ${own}`);
  }
  return [process.execPath, bin];
}

function fail(message) {
  console.log(`::error::${message}`);
  process.exit(1);
}

function envsync(args, options = {}) {
  const [cmd, ...pre] = envsyncCommand();
  const workspace = input('WORKSPACE');
  const all = [...pre, ...(workspace ? ['--workspace', workspace] : []), ...args];
  const r = spawnSync(cmd, all, { encoding: 'utf8', ...options });
  return { code: r.status ?? 1, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}

function output(name, value) {
  if (process.env.GITHUB_OUTPUT)
    writeFileSync(process.env.GITHUB_OUTPUT, `${name}=${value}\n`, { flag: 'a' });
}

/** Splits the `args` input the way a shell would for simple words (no quoting tricks needed for flags). */
function extraArgs() {
  return input('ARGS').split(/\s+/).filter(Boolean);
}

async function github(method, url, body) {
  const api = process.env.GITHUB_API_URL ?? 'https://api.github.com';
  const res = await fetch(`${api}${url}`, {
    method,
    headers: {
      authorization: `Bearer ${input('GITHUB_TOKEN')}`,
      accept: 'application/vnd.github+json',
      'content-type': 'application/json',
      'user-agent': 'envsync-action',
    },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  if (!res.ok) throw new Error(`${method} ${url}: ${res.status} ${await res.text()}`);
  return res.json();
}

/** Posts the plan as one comment, updating the one this action posted before (found by its marker). */
async function postComment(body) {
  const event = JSON.parse(readFileSync(process.env.GITHUB_EVENT_PATH ?? '', 'utf8'));
  const number = event.pull_request?.number ?? event.number;
  if (!number) {
    console.log('Not a pull request: the plan is in the log only.');
    return;
  }
  const repo = process.env.GITHUB_REPOSITORY;
  for (let page = 1; page < 50; page++) {
    const comments = await github(
      'GET',
      `/repos/${repo}/issues/${number}/comments?per_page=100&page=${page}`,
    );
    const mine = comments.find((c) => typeof c.body === 'string' && c.body.startsWith(MARKER));
    if (mine) {
      await github('PATCH', `/repos/${repo}/issues/comments/${mine.id}`, { body });
      return;
    }
    if (comments.length < 100) break;
  }
  await github('POST', `/repos/${repo}/issues/${number}/comments`, { body });
}

async function plan() {
  const validate = envsync(['validate', '--strict']);
  process.stdout.write(validate.stdout);
  process.stderr.write(validate.stderr);
  let code = validate.code;
  let markdown;
  if (code === 0) {
    const r = envsync([
      'plan',
      '--format',
      'markdown',
      '--detailed-exitcode',
      '--max-bytes',
      input('MAX_BYTES', '60000'),
      ...extraArgs(),
    ]);
    process.stderr.write(r.stderr);
    code = r.code;
    markdown = code === 1 ? undefined : r.stdout;
    if (code === 1) markdown = `## envsync plan failed\n\n\`\`\`\n${r.stderr.slice(-20_000)}\n\`\`\`\n`;
  } else {
    markdown = `## envsync: the environment files are invalid\n\n\`\`\`\n${validate.stdout.slice(-20_000)}\n\`\`\`\n`;
  }
  writeFileSync('envsync-plan.md', markdown);
  await postComment(`${MARKER}\n${markdown}`);
  output('exitcode', code);
  if (code === 1 || code === 3)
    fail(`envsync plan exited ${code}${code === 3 ? ' (blocked by a safety rule)' : ''}`);
}

function git(args) {
  const r = spawnSync('git', args, { encoding: 'utf8' });
  return { code: r.status ?? 1, out: `${r.stdout ?? ''}${r.stderr ?? ''}` };
}

/** Commits whatever apply recorded, then pushes, pulling (rebase) between tries: run files never conflict. */
function commitChangelog() {
  git(['add', '--', '.envsync']);
  if (git(['diff', '--cached', '--quiet']).code === 0) return;
  if (git(['config', 'user.email']).code !== 0) {
    git(['config', 'user.name', 'envsync']);
    git(['config', 'user.email', 'envsync@users.noreply.github.com']);
  }
  const committed = git(['commit', '-m', input('COMMIT_MESSAGE', 'envsync: changelog [skip ci]')]);
  if (committed.code !== 0) fail(`could not commit the changelog: ${committed.out}`);
  for (let attempt = 1; attempt <= 5; attempt++) {
    if (git(['push']).code === 0) return;
    const pulled = git(['pull', '--rebase']);
    if (pulled.code !== 0) fail(`could not rebase the changelog commit: ${pulled.out}`);
  }
  fail('could not push the changelog after 5 tries; its commit is in this job, run `git log -p -1`');
}

function runApply() {
  const r = envsync(['apply', '--auto-approve', ...extraArgs()]);
  process.stdout.write(r.stdout);
  process.stderr.write(r.stderr);
  return r;
}

function apply() {
  let r = runApply();
  // Another apply pushed run files since this checkout: pull them, and apply once more on top.
  if (r.code === 1 && r.stderr.includes('changelog_behind')) {
    const pulled = git(['pull', '--rebase']);
    if (pulled.code !== 0) fail(`could not pull the newer changelog: ${pulled.out}`);
    r = runApply();
  }
  // Whatever did change is recorded: commit it even after a partial failure.
  commitChangelog();
  output('exitcode', r.code);
  if (r.code !== 0) fail(`envsync apply exited ${r.code}`);
}

const mode = input('MODE');
if (mode === 'plan') await plan();
else if (mode === 'apply') apply();
else fail(`mode must be plan or apply, not "${mode}"`);
