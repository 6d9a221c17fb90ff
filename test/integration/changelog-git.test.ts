// The changelog in git: two clones of one origin, concurrent applies that fork and push without conflict, a stale clone that refuses.

import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiClient } from '../../src/api/client.js';
import { silentReporter } from '../../src/model.js';
import { applyChanges } from '../../src/workflow/apply.js';
import { loadDesiredOrThrow } from '../../src/workflow/plan.js';
import { baseEnv, runCli, tempDir } from '../helpers/cli.js';
import { pipEnv, TEST_KEY, TEST_PROJECT, Workspace } from '../helpers/workspace.js';

const git = (cwd: string, ...args: string[]) =>
  execFileSync('git', args, {
    cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      GIT_AUTHOR_NAME: 't',
      GIT_AUTHOR_EMAIL: 't@t',
      GIT_COMMITTER_NAME: 't',
      GIT_COMMITTER_EMAIL: 't@t',
    },
  })
    .toString()
    .trim();

/** The workflow's commit step: add the run files, commit, and push with `pull --rebase` in between. */
function commitChangelog(clone: string, message: string): void {
  git(clone, 'add', '.envsync/changelog');
  git(clone, 'commit', '-q', '-m', message);
  git(clone, 'pull', '-q', '--rebase');
  git(clone, 'push', '-q');
}

describe('two clones of one repository', () => {
  let ws: Workspace;
  let origin: string;
  let one: string;
  let two: string;
  const cli = (clone: string, args: string[]) =>
    runCli(['--base-url', ws.emu.url, ...args], {
      cwd: clone,
      env: baseEnv({ ANTHROPIC_API_KEY: TEST_KEY }),
    });
  const files = (clone: string, list: Record<string, string>) => {
    for (const [name, text] of Object.entries(list))
      writeFileSync(path.join(clone, 'environments', name), text);
  };

  beforeAll(async () => {
    ws = await Workspace.start();
    const root = tempDir('envsync-git-');
    origin = path.join(root, 'origin.git');
    git(root, 'init', '-q', '--bare', '-b', 'main', origin);
    one = path.join(root, 'one');
    git(root, 'clone', '-q', origin, one);
    git(one, 'checkout', '-q', '-b', 'main');
    mkdirSync(path.join(one, 'environments'));
    writeFileSync(path.join(one, 'envsync.yaml'), `project: ${TEST_PROJECT}\n`);
    files(one, { 'a.yaml': pipEnv('a', ['x==1']), 'b.yaml': pipEnv('b', ['y==1']) });
    git(one, 'add', '.');
    git(one, 'commit', '-q', '-m', 'environments');
    expect((await cli(one, ['apply', '--auto-approve'])).code).toBe(0);
    git(one, 'add', '.envsync/changelog');
    git(one, 'commit', '-q', '-m', 'changelog');
    git(one, 'push', '-q', '-u', 'origin', 'main');
    two = path.join(root, 'two');
    git(root, 'clone', '-q', origin, two);
  });
  afterAll(() => ws.close());

  it('forks when two applies from one commit run at once; both push with pull --rebase, and the history is whole', async () => {
    // Each clone changes and applies its own environment from the same commit (CI jobs for two merges);
    // two's apply runs while one's waits at its prompt, so neither sees the other's run.
    files(one, { 'a.yaml': pipEnv('a', ['x==2']) });
    files(two, { 'b.yaml': pipEnv('b', ['y==2']) });
    git(one, 'commit', '-q', '-am', 'a to x==2');
    git(two, 'commit', '-q', '-am', 'b to y==2');
    const api = createApiClient({ baseUrl: ws.emu.url, apiKey: TEST_KEY, reporter: silentReporter });
    let other = -1;
    const outcome = await applyChanges(
      {
        kind: 'files',
        desired: loadDesiredOrThrow(path.join(one, 'environments'), one, []),
        settings: {
          project: TEST_PROJECT,
          workspace: null,
          adopt: false,
          maxArchive: 5,
          allowReferenced: false,
          targets: ['a'],
          findings: [],
          planId: 'plan_one',
          now: new Date(),
        },
      },
      {
        api,
        changelogPath: path.join(one, '.envsync/changelog'),
        reporter: silentReporter,
        identity: { actor: 'one', git_commit: git(one, 'rev-parse', 'HEAD'), target: api.target },
        now: () => new Date(),
        project: TEST_PROJECT,
        parallelism: 2,
        lockTimeoutMs: 0,
        host: {
          planned: () => {},
          confirm: async () => {
            other = (await cli(two, ['apply', '--auto-approve', '--target', 'b'])).code;
            return true;
          },
        },
      },
    );
    expect([other, outcome.status, outcome.status === 'stale' ? outcome.reasons : []]).toEqual([
      0,
      'applied',
      [],
    ]);
    commitChangelog(two, 'changelog of two');
    commitChangelog(one, 'changelog of one');
    git(two, 'pull', '-q', '--rebase');

    for (const clone of [one, two]) {
      const verify = await cli(clone, ['verify']);
      expect(verify.code, verify.stdout).toBe(0);
      expect(verify.stdout).toMatch(/^note: fork: .* both began from /m);
      expect((await cli(clone, ['verify', '--live'])).code).toBe(0);
      expect((await cli(clone, ['plan', '--detailed-exitcode'])).code).toBe(0);
    }
    const history = JSON.parse((await cli(two, ['history', '--format', 'json'])).stdout) as {
      entries: { op: string; name: string; actor: string }[];
    };
    expect(history.entries.map((e) => [e.op, e.name])).toEqual([
      ['create', 'a'],
      ['update', 'a'],
      ['create', 'b'],
      ['update', 'b'],
    ]);
    expect(history.entries.some((e) => e.op === 'drift')).toBe(false);
  });

  it('refuses to apply from a clone that is behind, before any write, and plan warns the same', async () => {
    files(one, { 'a.yaml': pipEnv('a', ['x==3']) });
    git(one, 'commit', '-q', '-am', 'a to x==3');
    expect((await cli(one, ['apply', '--auto-approve'])).code).toBe(0);
    commitChangelog(one, 'changelog');

    // Two has not pulled: its files still say x==2, and its changelog never saw x==3.
    ws.emu.resetStats();
    const stale = await cli(two, ['apply', '--auto-approve']);
    expect(stale.code).toBe(1);
    expect(stale.stderr).toContain(
      'error[changelog_behind]: the changelog is behind the live environments: pull, then apply',
    );
    expect(stale.stderr).toMatch(/now has config \w{8}/);
    expect(Object.keys(ws.emu.stats().byRoute)).toEqual(['GET /v1/environments']);
    const plan = await cli(two, ['plan']);
    expect(plan.stderr).toContain('the changelog is behind the live environments');

    git(two, 'pull', '-q', '--rebase');
    expect((await cli(two, ['plan', '--detailed-exitcode'])).code).toBe(0);
  });
});
