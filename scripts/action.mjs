// The GitHub Action's script (action.yml): plan → log, job summary and one PR comment per project and workspace;
// preview → preview copies per pull request in a section of that comment, archived on close, collected on a
// schedule; apply → commit and push the changelog; drift → one issue per project and workspace, opened, updated, closed.
// Plain Node, no dependencies, so it runs before anything is built; every input comes from INPUT_* variables.

import { spawnSync } from 'node:child_process';
import { appendFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

function input(name, fallback = '') {
  return (process.env[`INPUT_${name}`] ?? fallback).trim();
}

function fail(message) {
  console.log(`::error::${message}`);
  process.exit(1);
}

/**
 * The `args` input split as a shell would: whitespace separates words, '…' keeps everything literally,
 * "…" keeps everything but \" \\ \$ \` (backslash-escaped), and a backslash outside quotes escapes the next
 * character. No variables, globs or command substitution: GitHub expands ${{ }} before this runs.
 */
function shellWords(text) {
  const words = [];
  let word = '';
  let inWord = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === "'") {
      const end = text.indexOf("'", i + 1);
      if (end === -1) throw new Error(`unterminated ' in args: ${text}`);
      word += text.slice(i + 1, end);
      inWord = true;
      i = end;
    } else if (c === '"') {
      inWord = true;
      for (i++; ; i++) {
        if (i >= text.length) throw new Error(`unterminated " in args: ${text}`);
        const d = text[i];
        if (d === '"') break;
        if (d === '\\' && i + 1 < text.length && '"\\$`'.includes(text[i + 1])) word += text[++i];
        else word += d;
      }
    } else if (c === '\\' && i + 1 < text.length) {
      word += text[++i];
      inWord = true;
    } else if (/\s/.test(c)) {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
    } else {
      word += c;
      inWord = true;
    }
  }
  if (inWord) words.push(word);
  return words;
}

function extraArgs() {
  try {
    return shellWords(input('ARGS'));
  } catch (e) {
    fail(e.message);
  }
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

function envsync(args) {
  const [cmd, ...pre] = envsyncCommand();
  const workspace = input('WORKSPACE');
  const all = [...pre, ...(workspace ? ['--workspace', workspace] : []), ...args];
  const r = spawnSync(cmd, all, { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  return { code: r.status ?? 1, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}

function output(name, value) {
  if (process.env.GITHUB_OUTPUT)
    appendFileSync(process.env.GITHUB_OUTPUT, `${name}=${String(value).replace(/[\r\n]+/g, ' ')}\n`);
}

function summary(markdown) {
  if (process.env.GITHUB_STEP_SUMMARY) appendFileSync(process.env.GITHUB_STEP_SUMMARY, `${markdown}\n`);
}

/** Workflow commands (`::error file=…::…`) belong in the log, where GitHub reads them; never in a comment. */
function withoutCommands(text) {
  return text
    .split('\n')
    .filter((l) => !/^::[a-z-]+( [^:]*)?::/.test(l))
    .join('\n');
}

/** A fenced block that no text inside can close. */
function fenced(text) {
  const longest = Math.max(2, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = '`'.repeat(longest + 1);
  return `${fence}\n${text.replace(/\n+$/, '')}\n${fence}`;
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

/** Every page of a GitHub list, up to 5,000 items. */
async function* pages(url) {
  for (let page = 1; page <= 50; page++) {
    const items = await github('GET', `${url}${url.includes('?') ? '&' : '?'}per_page=100&page=${page}`);
    yield* items;
    if (items.length < 100) return;
  }
}

/** What this run is about, as people and markers name it: the project and the workspace (or none). */
function scope(project) {
  const workspace = input('WORKSPACE');
  return {
    project,
    workspace,
    marker: (kind) => `<!-- envsync-${kind} project=${project} workspace=${workspace || '-'} -->`,
    heading: `project \`${project}\`${workspace ? ` · workspace \`${workspace}\`` : ''}`,
    suffix: workspace ? `-${workspace.replace(/[^A-Za-z0-9._-]/g, '_')}` : '',
  };
}

function runUrl() {
  const { GITHUB_SERVER_URL: server, GITHUB_REPOSITORY: repo, GITHUB_RUN_ID: run } = process.env;
  return server && repo && run ? `${server}/${repo}/actions/runs/${run}` : null;
}

/** validate --strict --format json: the project's name and every diagnostic (annotations go to the log). */
function validate() {
  const r = envsync(['validate', '--strict', '--format', 'json']);
  process.stderr.write(r.stderr); // ::error annotations (paths from the repository root) and notes
  let doc;
  try {
    doc = JSON.parse(r.stdout);
  } catch {
    fail(`envsync validate did not answer: ${r.stderr.slice(-2000)}`);
  }
  if (doc.error)
    fail(`envsync validate: ${doc.error.message}${doc.error.hint ? ` (hint: ${doc.error.hint})` : ''}`);
  const lines = doc.diagnostics.map(
    (d) =>
      `${d.severity.padEnd(7)}  ${d.file}:${d.line}:${d.column}  ${d.path ? `${d.path}  ` : ''}${d.message}${d.hint ? `\n         hint: ${d.hint}` : ''}`,
  );
  const errors = doc.diagnostics.filter((d) => d.severity === 'error').length;
  lines.push(`${doc.declared} environments, ${errors} errors, ${doc.diagnostics.length - errors} warnings`);
  const text = lines.join('\n');
  console.log(text);
  const fallback = path.basename(process.cwd());
  return { code: r.code, text, project: doc.project ?? fallback };
}

function githubEvent() {
  return process.env.GITHUB_EVENT_PATH ? JSON.parse(readFileSync(process.env.GITHUB_EVENT_PATH, 'utf8')) : {};
}

/** The previews' section of the PR comment: the preview mode writes it, the plan mode keeps it. */
const PREVIEW_START = '<!-- envsync-preview -->';
const PREVIEW_END = '<!-- /envsync-preview -->';

/** A comment's body (after its marker line) in its two parts: the plan's, and the previews' section (or ''). */
function commentParts(body) {
  const at = body.lastIndexOf(PREVIEW_START);
  if (at === -1) return { plan: body, preview: '' };
  const end = body.indexOf(PREVIEW_END, at);
  return { plan: body.slice(0, at), preview: end === -1 ? '' : body.slice(at, end + PREVIEW_END.length) };
}

/**
 * The PR comment of this project and workspace, found by its marker (an older action's bare marker is taken
 * over only where no workspace is set), updated in place or created; `compose` makes the new body from the
 * old one (after its marker line; null when there is none), so the plan and the previews each keep the
 * other's part. `comment: changes` creates one only for something worth reading (changes, blocked, an error,
 * previews) but always updates one already there, so a comment never shows a plan that is out of date.
 */
async function postComment(s, compose, worthPosting, createOnlyWhenWorth = false) {
  const mode = input('COMMENT', 'always');
  if (!['always', 'changes', 'never'].includes(mode))
    fail(`comment must be always, changes or never, not "${mode}"`);
  if (mode === 'never') return null;
  const number = githubEvent().pull_request?.number ?? null;
  if (!number) {
    console.log('Not a pull request: no comment; the plan is above in this log and in the job summary.');
    return null;
  }
  const repo = process.env.GITHUB_REPOSITORY;
  const marker = s.marker('plan');
  let mine;
  for await (const c of pages(`/repos/${repo}/issues/${number}/comments`)) {
    if (typeof c.body !== 'string') continue;
    if (c.body.startsWith(`${marker}\n`)) mine = c;
    else if (!mine && !s.workspace && c.body.startsWith('<!-- envsync-plan -->\n')) mine = c;
  }
  const text = `${marker}\n${compose(mine ? mine.body.slice(mine.body.indexOf('\n') + 1) : null)}`;
  if (mine)
    return (await github('PATCH', `/repos/${repo}/issues/comments/${mine.id}`, { body: text })).html_url;
  if ((mode === 'changes' || createOnlyWhenWorth) && !worthPosting) return null;
  return (await github('POST', `/repos/${repo}/issues/${number}/comments`, { body: text })).html_url;
}

async function plan() {
  const checked = validate();
  const s = scope(checked.project);
  const planFile = path.resolve(`envsync-plan${s.suffix}.json`);
  let code = checked.code;
  let markdown;
  let saved = null;
  if (code === 0) {
    const r = envsync(['plan', '--detailed-exitcode', '--out', planFile, ...extraArgs()]);
    // The plan in the log, on every event.
    process.stdout.write(r.stdout);
    process.stderr.write(r.stderr);
    code = r.code;
    if (code !== 1 && existsSync(planFile)) {
      saved = JSON.parse(readFileSync(planFile, 'utf8'));
      const shown = envsync([
        'show',
        planFile,
        '--format',
        'markdown',
        '--max-bytes',
        input('MAX_BYTES', '60000'),
      ]);
      markdown = shown.code === 0 ? shown.stdout : undefined;
    }
    markdown ??= `## envsync plan · ${s.heading}: failed\n\n${fenced(withoutCommands(r.stderr).slice(-20_000))}\n`;
  } else {
    markdown = `## envsync plan · ${s.heading}: the environment files are invalid\n\n${fenced(checked.text.slice(-20_000))}\n`;
  }
  const where = runUrl();
  if (where) markdown += `\n<sub>[workflow run](${where})</sub>\n`;
  writeFileSync(`envsync-plan${s.suffix}.md`, markdown);
  summary(markdown);
  const counts = saved?.summary ?? {};
  const hasChanges = code === 2;
  // The previews' section, if the preview mode wrote one, stays below the new plan.
  const url = await postComment(
    s,
    (old) => {
      const kept = old ? commentParts(old).preview : '';
      return kept ? `${markdown.replace(/\n*$/, '\n\n')}${kept}\n` : markdown;
    },
    code !== 0,
  );
  output('exitcode', code);
  output('has-changes', hasChanges);
  for (const kind of ['create', 'update', 'recreate', 'archive', 'adopt', 'blocked', 'drift'])
    output(kind, counts[kind] ?? 0);
  output('comment-url', url ?? '');
  output('plan-file', saved ? planFile : '');
  if (code === 1 || code === 3)
    fail(`envsync plan exited ${code}${code === 3 ? ' (blocked by a safety rule)' : ''}`);
}

/**
 * Previews per pull request: on open, push and reopen, `preview up --id pr-N --only-changed` (the branch's
 * changes against its base) with its table in the PR comment's previews section; on close, `preview down`;
 * on any other event (a schedule), `preview gc`. Never commits: previews are found by their tags, and a pull
 * request's job must not push to the base branch (the run file is in the job's changelog, for an artifact).
 */
async function preview() {
  const event = githubEvent();
  const pr = event.pull_request ?? null;
  const validated = envsync(['validate', '--format', 'json']);
  let project = path.basename(process.cwd());
  try {
    project = JSON.parse(validated.stdout).project ?? project;
  } catch {
    // The preview command says what is wrong with the project; the marker falls back to the folder's name.
  }
  const s = scope(project);
  const id = pr ? `pr-${pr.number}` : null;
  const action = pr ? (event.action === 'closed' ? 'down' : 'up') : 'gc';
  const ttl = input('PREVIEW_TTL');
  const args =
    action === 'up'
      ? ['preview', 'up', '--id', id, '--only-changed', '--base-ref', `origin/${pr.base?.ref ?? 'main'}`]
      : action === 'down'
        ? ['preview', 'down', '--id', id]
        : ['preview', 'gc'];
  if (action === 'up' && ttl) args.push('--ttl', ttl);
  const file = path.resolve(`envsync-preview${s.suffix}.json`);
  const r = envsync([...args, '--format', 'markdown', '--out', file, ...extraArgs()]);
  process.stdout.write(r.stdout);
  process.stderr.write(r.stderr);
  const doc = r.code !== 3 && existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : null;
  let markdown = doc
    ? r.stdout
    : `### envsync previews${id ? ` · \`${id}\`` : ''}: failed\n\n${fenced(withoutCommands(r.stderr).slice(-20_000))}\n`;
  if (doc && r.code !== 0) markdown += `\n${fenced(withoutCommands(r.stderr).slice(-20_000))}\n`;
  summary(markdown);
  let url = null;
  if (pr) {
    const section = `${PREVIEW_START}\n${markdown.trimEnd()}\n${PREVIEW_END}\n`;
    const worth = r.code !== 0 || (doc?.environments?.length ?? 0) > 0 || (doc?.archived?.length ?? 0) > 0;
    url = await postComment(
      s,
      (old) => `${old ? commentParts(old).plan.replace(/\n*$/, '\n\n') : ''}${section}`,
      worth,
      true,
    );
  }
  output('exitcode', r.code);
  output('preview-id', id ?? '');
  output('previews', doc?.environments?.length ?? 0);
  output('archived', doc?.archived?.length ?? 0);
  output('preview-file', doc ? file : '');
  output('comment-url', url ?? '');
  if (r.code !== 0)
    fail(`envsync preview ${action} exited ${r.code}${r.code === 3 ? ' (blocked by a safety rule)' : ''}`);
}

function git(args) {
  const r = spawnSync('git', args, { encoding: 'utf8' });
  return { code: r.status ?? 1, out: `${r.stdout ?? ''}${r.stderr ?? ''}` };
}

/** Commits whatever apply recorded, then pushes, pulling (rebase) between tries: run files never conflict. */
function commitChangelog() {
  git(['add', '--', '.envsync']);
  if (git(['diff', '--cached', '--quiet']).code === 0) return false;
  if (git(['config', 'user.email']).code !== 0) {
    git(['config', 'user.name', 'envsync']);
    git(['config', 'user.email', 'envsync@users.noreply.github.com']);
  }
  const committed = git(['commit', '-m', input('COMMIT_MESSAGE', 'envsync: changelog [skip ci]')]);
  if (committed.code !== 0) fail(`could not commit the changelog: ${committed.out}`);
  for (let attempt = 1; attempt <= 5; attempt++) {
    if (git(['push']).code === 0) return true;
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
  const committed = commitChangelog();
  summary(
    `## envsync apply${input('WORKSPACE') ? ` · workspace \`${input('WORKSPACE')}\`` : ''}\n\n${fenced(withoutCommands(`${r.stdout}\n${r.stderr}`).slice(-60_000))}\n`,
  );
  output('exitcode', r.code);
  output('has-changes', committed);
  if (r.code !== 0) fail(`envsync apply exited ${r.code}`);
}

/**
 * Drift between merges, found by `verify --live` (the changelog against the live environments) and by the
 * plan's drift marks: one open issue per project and workspace says what and since when, updated on each
 * run while drift lasts, closed with a comment once it is gone.
 */
async function drift() {
  const v = envsync(['verify', '--live', '--format', 'json', ...extraArgs()]);
  process.stderr.write(v.stderr);
  let report;
  try {
    report = JSON.parse(v.stdout);
  } catch {
    fail(`envsync verify did not answer: ${v.stderr.slice(-2000)}`);
  }
  if (report.error) fail(`envsync verify --live: ${report.error.message}`);
  const checked = validate();
  const s = scope(checked.project);
  const planFile = path.resolve(`envsync-drift${s.suffix}.json`);
  const p = envsync(['plan', '--detailed-exitcode', '--out', planFile, ...extraArgs()]);
  process.stdout.write(p.stdout);
  const saved = p.code !== 1 && existsSync(planFile) ? JSON.parse(readFileSync(planFile, 'utf8')) : null;
  const drifted = saved?.summary?.drift ?? 0;
  const problems = report.problems ?? [];
  for (const pr of problems)
    console.log(`${pr.source === 'live' ? 'live' : (pr.file ?? 'changelog')}: ${pr.message}`);
  const found = problems.length > 0 || drifted > 0;
  const now = new Date().toISOString();
  const repo = process.env.GITHUB_REPOSITORY;
  const marker = s.marker('drift');
  let open;
  for await (const issue of pages(`/repos/${repo}/issues?state=open`)) {
    if (!issue.pull_request && typeof issue.body === 'string' && issue.body.startsWith(`${marker}\n`))
      open = issue;
  }
  let url = open?.html_url ?? '';
  if (found) {
    const lines = [
      marker,
      `## envsync: drift in ${s.heading}`,
      '',
      `Found by the scheduled check at ${now}${runUrl() ? ` ([workflow run](${runUrl()}))` : ''}: the live environments no longer match what envsync recorded.`,
      '',
      ...(problems.length > 0
        ? [
            '### `envsync verify --live`',
            '',
            ...problems.map(
              (pr) => `- ${pr.source === 'live' ? 'live' : 'changelog'}: ${pr.message.replace(/[<>]/g, '')}`,
            ),
            '',
          ]
        : []),
      ...(drifted > 0
        ? [
            `### The plan marks ${drifted} environment(s) as drift`,
            '',
            '```',
            withoutCommands(p.stdout).trim(),
            '```',
            '',
          ]
        : []),
      'To put them back as the files say: `envsync apply` (it records the drift first). To keep a change made by hand: edit the file to match, then apply. This issue closes itself once the check finds no drift.',
    ];
    const body = lines.join('\n');
    summary(body.slice(marker.length + 1));
    if (open) url = (await github('PATCH', `/repos/${repo}/issues/${open.number}`, { body })).html_url;
    else {
      const title = `envsync: drift in ${s.project}${s.workspace ? ` (workspace ${s.workspace})` : ''}`;
      url = (await github('POST', `/repos/${repo}/issues`, { title, body })).html_url;
    }
  } else {
    summary(`## envsync: no drift in ${s.heading}\n\nChecked at ${now}.`);
    if (open) {
      await github('POST', `/repos/${repo}/issues/${open.number}/comments`, {
        body: `No drift found at ${now}${runUrl() ? ` ([workflow run](${runUrl()}))` : ''}: closing.`,
      });
      await github('PATCH', `/repos/${repo}/issues/${open.number}`, {
        state: 'closed',
        state_reason: 'completed',
      });
    }
  }
  output('exitcode', v.code);
  output('drift-found', found);
  output('issue-url', url);
}

/** The branch the upgrade pull request comes from: envsync's own, force-pushed on each upgrade. */
const UPGRADE_BRANCH = 'envsync/upgrade';
const UPGRADE_MARKER = '<!-- envsync-upgrade -->';

/**
 * Upgrades as one pull request (scheduled): `envsync lock --upgrade`; when envsync.lock moved, its commit goes
 * to envsync/upgrade and one open pull request from that branch is opened, or updated with the new summary.
 * A run that finds nothing new (the lock as it is, or the same upgrade the open pull request already
 * proposes) pushes nothing and edits nothing.
 */
async function upgrade() {
  const r = envsync(['lock', '--upgrade', '--format', 'markdown', ...extraArgs()]);
  process.stderr.write(r.stderr);
  output('exitcode', r.code);
  if (r.code !== 0) fail(`envsync lock --upgrade exited ${r.code}`);
  const repo = process.env.GITHUB_REPOSITORY;
  const owner = repo.split('/')[0];
  let open;
  for await (const pr of pages(`/repos/${repo}/pulls?state=open&head=${owner}:${UPGRADE_BRANCH}`))
    if (pr.head?.ref === UPGRADE_BRANCH) open = pr;
  const moved = git(['status', '--porcelain', '--', 'envsync.lock']).out.trim() !== '';
  const body = `${UPGRADE_MARKER}\n${r.stdout}`;
  summary(r.stdout);
  if (!moved || open?.body === body) {
    git(['checkout', '--', 'envsync.lock']);
    output('has-changes', false);
    output('pr-url', open?.html_url ?? '');
    return;
  }
  const base = git(['rev-parse', '--abbrev-ref', 'HEAD']).out.trim();
  if (git(['config', 'user.email']).code !== 0) {
    git(['config', 'user.name', 'envsync']);
    git(['config', 'user.email', 'envsync@users.noreply.github.com']);
  }
  for (const args of [
    ['checkout', '-B', UPGRADE_BRANCH],
    ['add', '--', 'envsync.lock'],
    ['commit', '-m', 'envsync: upgrade locked package versions'],
    ['push', '--force', 'origin', UPGRADE_BRANCH],
    ['checkout', base],
  ]) {
    const done = git(args);
    if (done.code !== 0) fail(`git ${args.join(' ')}: ${done.out}`);
  }
  const title = 'envsync: upgrade locked package versions';
  const pr = open
    ? await github('PATCH', `/repos/${repo}/pulls/${open.number}`, { title, body })
    : await github('POST', `/repos/${repo}/pulls`, { title, head: UPGRADE_BRANCH, base, body });
  output('has-changes', true);
  output('pr-url', pr.html_url);
}

const mode = input('MODE');
if (mode === 'plan') await plan();
else if (mode === 'preview') await preview();
else if (mode === 'apply') apply();
else if (mode === 'drift') await drift();
else if (mode === 'upgrade') await upgrade();
else fail(`mode must be plan, preview, apply, drift or upgrade, not "${mode}"`);
