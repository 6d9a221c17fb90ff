// The file walk says what it did not read: a folder it cannot list stops the run, a linked folder and a
// wrong-case extension are warnings, and none of them escapes as a raw system error.

import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { BIN, baseEnv, runCli, tempDir } from '../helpers/cli.js';

interface JsonDiagnostic {
  severity: string;
  file: string;
  line: number;
  column: number;
  message: string;
  hint?: string;
}

const ENV = (name: string) => `name: ${name}\nconfig:\n  type: cloud\n`;

/**
 * chmod 000 denies a folder to everyone but root, and these tests may run as root (a CI container). As root
 * the CLI is run with the two capabilities that bypass file permissions dropped (`setpriv`), so the folder
 * is denied to it as to anyone; where that cannot be done, the denial test is skipped, and says why.
 */
const DROP_DAC = ['--bounding-set', '-dac_override,-dac_read_search'];
const isRoot = process.getuid?.() === 0;

function deniedFolderIsDenied(): boolean {
  const dir = tempDir();
  const denied = path.join(dir, 'denied');
  mkdirSync(denied);
  chmodSync(denied, 0o000);
  const probe = `try { require('node:fs').readdirSync(${JSON.stringify(denied)}); process.exit(1) } catch (e) { process.exit(e.code === 'EACCES' ? 0 : 1) }`;
  try {
    if (isRoot) execFileSync('setpriv', [...DROP_DAC, process.execPath, '-e', probe], { stdio: 'ignore' });
    else execFileSync(process.execPath, ['-e', probe], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  } finally {
    chmodSync(denied, 0o755);
  }
}
const CAN_DENY = deniedFolderIsDenied();

/** The built CLI as a child process, without the permission-bypassing capabilities when run as root. */
function spawnDenied(args: string[], cwd: string, env: Record<string, string | undefined>) {
  const [cmd, argv] = isRoot
    ? ['setpriv', [...DROP_DAC, process.execPath, BIN, ...args]]
    : [process.execPath, [BIN, ...args]];
  return new Promise<{ code: number; stdout: string; stderr: string }>((resolve, reject) => {
    const child = spawn(cmd as string, argv as string[], { cwd, env: env as NodeJS.ProcessEnv });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
    child.stdin.end();
  });
}

const restore: string[] = [];
afterEach(() => {
  for (const dir of restore.splice(0)) chmodSync(dir, 0o755);
});

describe('the file walk', () => {
  it('warns about a linked folder (not followed) and a .YAML/.Yml file (not read), and reads the rest', async () => {
    const dir = tempDir();
    mkdirSync(path.join(dir, 'env'));
    mkdirSync(path.join(dir, 'elsewhere'));
    writeFileSync(path.join(dir, 'env', 'a.yaml'), ENV('a'));
    writeFileSync(path.join(dir, 'env', 'Upper.YAML'), ENV('upper'));
    writeFileSync(path.join(dir, 'env', 'mixed.Yml'), ENV('mixed'));
    writeFileSync(path.join(dir, 'elsewhere', 'b.yaml'), ENV('b'));
    symlinkSync(path.join(dir, 'elsewhere'), path.join(dir, 'env', 'shared'), 'dir');
    symlinkSync(path.join(dir, 'elsewhere'), path.join(dir, 'env', 'folder.yaml'), 'dir');

    const r = await runCli(['validate', 'env', '--format', 'json'], { cwd: dir });
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout) as { environments: { name: string }[]; diagnostics: JsonDiagnostic[] };
    expect(doc.environments.map((e) => e.name)).toEqual(['a']);
    const linked = 'a linked folder: not followed, its files are not read';
    const upper = 'not read: the extension is not lower-case .yaml or .yml';
    expect(
      doc.diagnostics.map((d) => [d.severity, `${d.file}:${d.line}:${d.column}`, d.message, d.hint]),
    ).toEqual([
      ['warning', 'env/Upper.YAML:1:1', upper, 'rename it to Upper.yaml if it is an environment file'],
      [
        'warning',
        'env/folder.yaml:1:1',
        linked,
        expect.stringContaining('never enters a symbolic link to a folder'),
      ],
      ['warning', 'env/mixed.Yml:1:1', upper, 'rename it to mixed.yml if it is an environment file'],
      [
        'warning',
        'env/shared:1:1',
        linked,
        expect.stringContaining('never enters a symbolic link to a folder'),
      ],
    ]);

    const strict = await runCli(['validate', 'env', '--strict'], { cwd: dir });
    expect(strict.code).toBe(1);
  });

  it('refuses a folder whose only file has an upper-case extension, naming it', async () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, 'only.YML'), ENV('only'));
    const r = await runCli(['validate', '.'], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('error[no_files]: no .yaml or .yml files under .');
    expect(r.stderr).toContain('not read: only.YML (rename it to only.yml if it is an environment file)');
  });

  it.skipIf(!CAN_DENY)(
    'a subfolder it cannot list (chmod 000) is a located error: exit 1, no API call, nothing written',
    async () => {
      const dir = tempDir();
      writeFileSync(path.join(dir, 'envsync.yaml'), 'project: walk\n');
      mkdirSync(path.join(dir, 'environments', 'team'), { recursive: true });
      writeFileSync(path.join(dir, 'environments', 'a.yaml'), ENV('a'));
      writeFileSync(path.join(dir, 'environments', 'team', 'b.yaml'), ENV('b'));
      chmodSync(path.join(dir, 'environments', 'team'), 0o000);
      restore.push(path.join(dir, 'environments', 'team'));

      let requests = 0;
      const server = createServer((_req, res) => {
        requests++;
        res.writeHead(500).end();
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const port = (server.address() as AddressInfo).port;
      try {
        const env = baseEnv({ ANTHROPIC_API_KEY: 'sk-ant-test-walk-0123456789' });
        const r = await spawnDenied(
          ['apply', '--auto-approve', '--base-url', `http://127.0.0.1:${port}`],
          dir,
          env,
        );
        expect(r.code).toBe(1);
        expect(r.stderr).toMatch(
          /error +environments\/team:1:1 +cannot list the folder environments\/team: permission denied \(EACCES\)/,
        );
        expect(r.stderr).toContain('hint: check the permissions of environments/team');
        expect(r.stderr).not.toMatch(/at .*\.js:\d+|Error: EACCES/);
        expect(requests).toBe(0);
        expect(existsSync(path.join(dir, '.envsync'))).toBe(false);
        expect(readdirSync(dir).sort()).toEqual(['environments', 'envsync.yaml']);
      } finally {
        await new Promise((resolve) => server.close(resolve));
      }
    },
  );
});
