// Two workspaces from one project file: separate files, keys, changelogs and API namespaces.

import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { baseEnv, runCli } from '../helpers/cli.js';
import { envFile, TEST_KEY, Workspace } from '../helpers/workspace.js';

const STAGING = 'wrkspc_01Staging';
const PRODUCTION = 'wrkspc_01Production';
const STAGING_KEY = 'sk-ant-staging-7d1e';

function projectFile(): string {
  return `project: research-agents
workspaces:
  staging:
    workspace_id: ${STAGING}
    api_key_env: ANTHROPIC_API_KEY_STAGING
    dirs: [environments/common, environments/staging]
  production:
    workspace_id: ${PRODUCTION}
    dirs: [environments/common, environments/production]
`;
}

describe('workspaces', () => {
  let ws: Workspace;
  const env = () => baseEnv({ ANTHROPIC_API_KEY: TEST_KEY, ANTHROPIC_API_KEY_STAGING: STAGING_KEY });
  const cli = (args: string[]) => runCli(['--base-url', ws.emu.url, ...args], { cwd: ws.dir, env: env() });
  const namesIn = (workspaceId: string) => ws.namesIn(workspaceId);

  beforeEach(async () => {
    ws = await Workspace.start();
    writeFileSync(path.join(ws.dir, 'envsync.yaml'), projectFile());
    for (const d of ['common', 'staging', 'production']) mkdirSync(path.join(ws.envDir, d));
    writeFileSync(path.join(ws.envDir, 'common', 'data.yaml'), envFile('data'));
    writeFileSync(path.join(ws.envDir, 'staging', 'sandbox.yaml'), envFile('sandbox'));
    writeFileSync(path.join(ws.envDir, 'production', 'support.yaml'), envFile('support'));
  });
  afterEach(() => ws.close());

  it('needs --workspace when several are defined, and names the choices', async () => {
    const r = await cli(['plan']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('envsync.yaml defines 2 workspaces: pick one');
    expect(r.stderr).toContain('--workspace staging or --workspace production');
    const typo = await cli(['--workspace', 'stagin', 'plan']);
    expect([typo.code, typo.stderr]).toEqual([
      1,
      expect.stringContaining('did you mean --workspace staging?'),
    ]);
    // Typed short: too far for a typo, but only one workspace begins so.
    const short = await cli(['--workspace', 'prod', 'plan']);
    expect([short.code, short.stderr]).toEqual([
      1,
      expect.stringContaining('did you mean --workspace production?'),
    ]);
  });

  it.each([
    [
      'one workspace_id',
      `staging:\n    workspace_id: ${STAGING}\n  production:\n    workspace_id: ${STAGING}\n`,
      '4:19',
      'the workspace_id wrkspc_01Staging',
    ],
    [
      'no workspace_id and one key variable',
      'staging: {dirs: [environments/staging]}\n  production: {dirs: [environments/production]}\n',
      '3:12',
      'the key in ANTHROPIC_API_KEY with no workspace_id',
    ],
  ])(
    'two workspaces that reach one API workspace (%s) are a validate error naming both, before any API call',
    async (_t, body, at, target) => {
      writeFileSync(path.join(ws.dir, 'envsync.yaml'), `project: research-agents\nworkspaces:\n  ${body}`);
      ws.emu.resetStats();
      for (const args of [['validate'], ['--workspace', 'staging', 'plan']]) {
        const r = await cli(args);
        expect(r.code).toBe(1);
        expect(r.stderr).toContain(
          `workspaces staging and production both reach ${target}: each would archive the other's environments`,
        );
        expect(r.stderr).toContain(`envsync.yaml:${at}`);
      }
      expect(ws.emu.stats().requests).toBe(0);
    },
  );

  it('applies to staging only: its own files, key, header and changelog; production still plans its creates', async () => {
    const applied = await cli(['apply', '--workspace', 'staging', '--auto-approve']);
    expect(applied.code, applied.stderr).toBe(0);
    expect(applied.stderr).toContain('Project research-agents, workspace staging');
    expect(await namesIn(STAGING)).toEqual(['data', 'sandbox']);
    expect(await namesIn(PRODUCTION)).toEqual([]);
    // Nothing went to the key's own (default) workspace.
    expect((await ws.live()).map((e) => e.name)).toEqual([]);
    expect(existsSync(path.join(ws.dir, '.envsync/changelog/staging'))).toBe(true);
    expect(existsSync(path.join(ws.dir, '.envsync/changelog/production'))).toBe(false);

    const prod = await cli(['plan', '--workspace', 'production', '--format', 'json']);
    const plan = JSON.parse(prod.stdout);
    expect(plan.workspace).toBe('production');
    expect(plan.actions.map((a: { kind: string; name: string }) => `${a.kind} ${a.name}`)).toEqual([
      'create data',
      'create support',
    ]);
    expect((await cli(['apply', '--workspace', 'production', '--auto-approve'])).code).toBe(0);
    expect(await namesIn(PRODUCTION)).toEqual(['data', 'support']);
    const history = await cli(['history', '--workspace', 'production', '--format', 'json']);
    expect(JSON.parse(history.stdout)).toMatchObject({ project: 'research-agents', workspace: 'production' });
    const staging = await cli(['plan', '--workspace', 'staging', '--detailed-exitcode']);
    expect([staging.code, staging.stdout.trim()]).toEqual([0, 'No changes.']);
  });

  it("reads each workspace's key from its own variable, and names the variable when it is missing", async () => {
    const r = await runCli(['--base-url', ws.emu.url, 'plan', '--workspace', 'staging'], {
      cwd: ws.dir,
      env: baseEnv({ ANTHROPIC_API_KEY: TEST_KEY }),
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('ANTHROPIC_API_KEY_STAGING is not set');
  });

  it('a saved plan for one workspace is refused in the other', async () => {
    expect((await cli(['plan', '--workspace', 'staging', '--out', 'plan.json'])).code).toBe(0);
    const r = await cli(['apply', '--workspace', 'production', '--plan', 'plan.json']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('the plan was made for workspace staging, not production');
    expect(await namesIn(PRODUCTION)).toEqual([]);
  });

  it('validate checks every workspace without --workspace, and one with it', async () => {
    writeFileSync(path.join(ws.envDir, 'production', 'dup.yaml'), envFile('data'));
    const all = await runCli(['validate'], { cwd: ws.dir, env: env() });
    expect(all.code).toBe(1);
    expect(all.stdout).toContain(
      'name "data" is declared 2 times: also at environments/production/dup.yaml:1:7',
    );
    const staging = await runCli(['--workspace', 'staging', 'validate'], { cwd: ws.dir, env: env() });
    expect([staging.code, staging.stdout]).toEqual([0, expect.stringContaining('2 environments, 0 errors')]);
  });

  it('--local keeps workspaces apart too', async () => {
    const local = (args: string[]) => runCli(['--local', ...args], { cwd: ws.dir, env: env() });
    expect((await local(['apply', '--workspace', 'staging', '--auto-approve'])).code).toBe(0);
    const prod = await local(['plan', '--workspace', 'production', '--format', 'json']);
    expect(JSON.parse(prod.stdout).summary.create).toBe(2);
    const stagingAgain = await local(['plan', '--workspace', 'staging', '--detailed-exitcode']);
    expect(stagingAgain.code).toBe(0);
    expect(existsSync(path.join(ws.dir, '.envsync/local/changelog/staging'))).toBe(true);
  });
});
