// Policies in envsync.yaml: each rule fails where it should and passes where it should, at exact places.

import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Diagnostic } from '../../src/model.js';
import { ROOT, runCli } from '../helpers/cli.js';
import { envFile, Workspace } from '../helpers/workspace.js';

const FIX = path.join(ROOT, 'test/fixtures/policies');

async function diagnostics(fixture: string, args: string[] = []): Promise<{ code: number; rows: string[] }> {
  const r = await runCli([...args, 'validate', '--format', 'json'], { cwd: path.join(FIX, fixture) });
  const doc = JSON.parse(r.stdout) as { diagnostics: Diagnostic[] };
  const rows = doc.diagnostics
    .filter((d) => d.severity === 'error')
    .map((d) => `${d.file}:${d.line}:${d.column} ${d.path} ${d.message}`);
  return { code: r.code, rows };
}

const set = (rule: string, line = 3) => `violates policy "${rule}" (set at envsync.yaml:${line}:3)`;

describe('policies: every rule fails the file that breaks it, at its place, and passes the one that keeps it', () => {
  it.each([
    [
      'networking',
      [
        `environments/fail.yaml:5:11 config.networking.type ${set('networking: limited_only')}: networking is unrestricted`,
      ],
    ],
    [
      'packages',
      [
        `environments/fail.yaml:5:26 config.packages.pip[1] ${set('packages: pinned')}: "requests>=2.31" is not pinned`,
        `environments/fail.yaml:6:11 config.packages.npm[0] ${set('packages: pinned')}: "lodash" is not pinned`,
      ],
    ],
    [
      'allow_mcp_servers',
      [
        `environments/fail.yaml:7:24 config.networking.allow_mcp_servers ${set('allow_mcp_servers: false')}: allow_mcp_servers is true`,
      ],
    ],
    [
      'allow_package_managers',
      [
        `environments/fail.yaml:9:29 config.networking.allow_package_managers ${set('allow_package_managers: false')}: allow_package_managers is true`,
      ],
    ],
    [
      'allowed_hosts',
      ['example.com', 'data.partner.io', 'evil.com'].map(
        (host, i) =>
          `environments/fail.yaml:6:${[38, 51, 68][i]} config.networking.allowed_hosts[${i + 1}] ${set('allowed_hosts')}: "${host}" matches none of "*.example.com", "https://data.partner.io"`,
      ),
    ],
    [
      'forbidden_packages',
      [
        `environments/fail.yaml:5:26 config.packages.pip[1] ${set('forbidden_packages')}: "pycrypto==2.6.1" is a forbidden pip package`,
        `environments/fail.yaml:6:11 config.packages.npm[0] ${set('forbidden_packages')}: "event-stream@3.3.6" is a forbidden npm package`,
      ],
    ],
    [
      'required_metadata',
      [`environments/fail.yaml:3:3 metadata ${set('required_metadata')}: metadata "cost-center" is missing`],
    ],
    [
      'max_environments',
      [
        `environments/b-over.yaml:1:7 name ${set('max_environments: 1')}: 2 environments, 1 over the limit; this is the first past it`,
      ],
    ],
  ])('%s', async (fixture, expected) => {
    const { code, rows } = await diagnostics(fixture);
    expect(rows).toEqual(expected);
    expect(code).toBe(1);
  });

  it("a workspace's policy holds in that workspace only; the project's in every one", async () => {
    const production = `environments/production/support.yaml:8:24 config.networking.allow_mcp_servers violates policy "allow_mcp_servers: false" (set at envsync.yaml:13:7, workspace production): allow_mcp_servers is true`;
    expect((await diagnostics('workspaces')).rows).toEqual([production]);
    expect(await diagnostics('workspaces', ['--workspace', 'production'])).toEqual({
      code: 1,
      rows: [production],
    });
    // The unrestricted sandbox is staging's: production's networking rule does not reach it.
    expect(await diagnostics('workspaces', ['--workspace', 'staging'])).toEqual({ code: 0, rows: [] });
  });
});

describe('plan and apply refuse a policy violation before any API call', () => {
  let ws: Workspace;
  beforeEach(async () => {
    ws = await Workspace.start();
    ws.files({ 'a.yaml': envFile('a', 'metadata: {team: x}\n'), 'b.yaml': envFile('b') });
  });
  afterEach(() => ws.close());

  it('exit 1, the violation with its place, nothing sent', async () => {
    writeFileSync(
      path.join(ws.dir, 'envsync.yaml'),
      'project: test-project\npolicies:\n  required_metadata: [team]\n',
    );
    ws.emu.resetStats();
    for (const args of [['plan'], ['apply', '--auto-approve']]) {
      const r = await ws.cli(args);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(
        'violates policy "required_metadata" (set at envsync.yaml:3:3): metadata "team" is missing',
      );
      expect(r.stderr).toContain('error    environments/b.yaml:1:7  name  violates policy');
    }
    expect(ws.emu.stats().requests).toBe(0);
  });
});
