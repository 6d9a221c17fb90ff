// The README's walkthroughs, run as written: the words a new user copies must work.

import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { EMULATOR_ORGANIZATION_ID } from '../../src/emulator/index.js';
import { ROOT, runCli, tempDir } from '../helpers/cli.js';
import { registriesBlock, startFixtureRegistries } from '../helpers/registries.js';
import { Workspace } from '../helpers/workspace.js';

const README = readFileSync(path.join(ROOT, 'README.md'), 'utf8');

/** The text of one `## ` section of the README. */
function section(title: string): string {
  const start = README.indexOf(`## ${title}\n`);
  expect(start, title).toBeGreaterThanOrEqual(0);
  const end = README.indexOf('\n## ', start + 1);
  return README.slice(start, end < 0 ? undefined : end);
}

/** `npx envsync …` lines of the section's ```sh blocks, as argument lists (comments dropped). */
function shellCommands(text: string): string[][] {
  const blocks = [...text.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1] as string);
  return blocks
    .flatMap((b) => b.split('\n'))
    .map((l) => l.replace(/#.*$/, '').trim())
    .filter((l) => l.startsWith('npx envsync '))
    .map((l) => l.slice('npx envsync '.length).split(/\s+/).filter(Boolean));
}

describe('README walkthroughs, as written', () => {
  it('Projects and workspaces: the staging/production commands, on examples/workspaces with --local', async () => {
    const commands = shellCommands(section('Projects and workspaces'));
    expect(commands.map((c) => c[0])).toEqual(['validate', 'plan', 'apply', 'plan', 'history']);
    const dir = path.join(tempDir('envsync-readme-'), 'workspaces');
    cpSync(path.join(ROOT, 'examples/workspaces'), dir, { recursive: true });
    for (const args of commands) {
      const r = await runCli(['--local', ...args], { cwd: dir });
      expect(r.code, `envsync ${args.join(' ')}\n${r.stderr}`).toBe(0);
      if (args[0] === 'plan' && args.includes('production')) expect(r.stdout).toContain('+ data-analysis');
      if (args[0] === 'history') expect(r.stdout).toContain('data-analysis');
    }
  });

  it('Bases: the base and the environment, as written, merge into the file the section shows', async () => {
    const text = section('Bases');
    const [base, env, merged] = [...text.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1] as string);
    const dir = tempDir('envsync-readme-bases-');
    mkdirSync(path.join(dir, 'environments/bases'), { recursive: true });
    writeFileSync(path.join(dir, 'envsync.yaml'), 'project: readme\n');
    writeFileSync(path.join(dir, 'environments/bases/python-data.yaml'), base as string);
    writeFileSync(path.join(dir, 'environments/analysis.yaml'), env as string);
    expect(text).toContain('envsync show --merged environments/analysis.yaml');
    const r = await runCli(['show', '--merged', 'environments/analysis.yaml', '--format', 'json'], {
      cwd: dir,
    });
    expect(r.code, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout) as { environments: Array<{ environment: unknown }> };
    expect(doc.environments[0]?.environment).toEqual(parse(merged as string));
  });

  it('Locked packages: edit, lock, commit both, CI checks the lock and plans --frozen (with --local and local registries)', async () => {
    const commands = shellCommands(section('Locked packages'));
    expect(commands.map((c) => c.join(' '))).toEqual(['lock', 'lock --check', 'plan --frozen']);
    const regs = await startFixtureRegistries();
    try {
      const dir = tempDir('envsync-readme-lock-');
      mkdirSync(path.join(dir, 'environments'));
      writeFileSync(path.join(dir, 'envsync.yaml'), `project: readme-lock\n${registriesBlock(regs.url)}`);
      writeFileSync(
        path.join(dir, 'environments/data.yaml'),
        'name: data\nconfig:\n  type: cloud\n  packages:\n    pip: [pandas]\n    npm: ["express@^4.21.0"]\n    cargo: [serde]\n    gem: [rails]\n    go: [golang.org/x/tools/cmd/goimports]\n',
      );
      for (const args of commands) {
        const r = await runCli(['--local', ...args], { cwd: dir });
        expect(r.code, `envsync ${args.join(' ')}\n${r.stderr}`).toBe(0);
        if (args[0] === 'plan') {
          expect(r.stdout).toContain('+ config.packages.pip: "pandas"  (locked 2.2.3)');
          expect(r.stdout).toContain('+ config.packages.npm: "express@^4.21.0"  (locked 4.21.2)');
        }
      }
      // The README's own example of the lock's shape is what lock wrote.
      const lock = JSON.parse(readFileSync(path.join(dir, 'envsync.lock'), 'utf8'));
      expect(lock.packages.npm['express@^4.21.0'].published).toBe('2024-12-05T18:00:00.000Z');
      expect(lock.packages.pip.pandas.published).toBe('2024-09-20T13:08:42.347208Z');
      expect(section('Locked packages')).toContain('"published": "2024-09-20T13:08:42.347208Z"');
    } finally {
      await regs.close();
    }
  });

  it('after a --local walkthrough, history and show without --local point at it', async () => {
    const dir = tempDir('envsync-local-');
    expect((await runCli(['init'], { cwd: dir })).code).toBe(0);
    expect((await runCli(['--local', 'apply', '--auto-approve'], { cwd: dir })).code).toBe(0);
    const history = await runCli(['history'], { cwd: dir });
    expect([history.code, history.stdout]).toEqual([0, 'No changes recorded.\n']);
    expect(history.stderr).toContain(
      'runs with --local keep their own changelog (.envsync/local/changelog): add --local',
    );
    const show = await runCli(['show', 'env_0123456789'], { cwd: dir });
    expect(show.code).toBe(1);
    expect(show.stderr).toContain('add --local');
    expect((await runCli(['--local', 'history'], { cwd: dir })).stdout).toContain('example-python');
  });

  describe('Adopting existing environments: the numbered steps', () => {
    let ws: Workspace;
    beforeEach(async () => {
      ws = await Workspace.start();
    });
    afterEach(() => ws.close());

    it('export, validate, plan --adopt, apply --adopt, plan: the IDs stay, and the last plan is clean', async () => {
      const steps = [...section('Adopting existing environments').matchAll(/^\d\. `envsync ([^`]+)`/gm)].map(
        (m) => (m[1] as string).split(/\s+/),
      );
      expect(steps.map((s) => s.join(' '))).toEqual([
        'export --only-unmanaged',
        'validate',
        'plan --adopt',
        'apply --adopt',
        'plan',
      ]);
      const made = await ws
        .sdk()
        .beta.environments.create({ name: 'hand-made', description: 'from the console' });
      let last = '';
      for (const args of steps) {
        // apply asks on a terminal; the walkthrough's user answers yes.
        const r = await ws.cli(args, args[0] === 'apply' ? { tty: true, stdin: 'y\n' } : {});
        expect(r.code, `envsync ${args.join(' ')}\n${r.stderr}`).toBe(0);
        last = r.stdout;
      }
      expect(last.trim()).toBe('No changes.');
      expect((await ws.live()).map((e) => [e.id, e.metadata.envsync_managed])).toEqual([
        [made.id, 'test-project'],
      ]);
    });
  });

  describe('Moving from ant apply: the walkthrough', () => {
    let ws: Workspace;
    beforeEach(async () => {
      ws = await Workspace.start();
    });
    afterEach(() => ws.close());

    it('validate, plan (blocked), import, import --apply --hand-over, plan: the same ID, the last plan clean', async () => {
      const text = section('Moving from ant apply');
      const commands = shellCommands(text);
      expect(commands.map((c) => c.join(' '))).toEqual([
        'validate',
        'plan',
        'import --from-ant',
        'import --from-ant --apply --hand-over',
        'plan',
      ]);
      const project = [...text.matchAll(/```yaml\n([\s\S]*?)```/g)][0]?.[1] as string;
      writeFileSync(path.join(ws.dir, 'envsync.yaml'), project);
      // What ant apply left: an environment made through the API, its file, and the lock mapping one to the other.
      const web = await ws.sdk().beta.environments.create({
        name: 'web',
        config: { type: 'cloud', networking: { type: 'unrestricted' } },
      });
      ws.files({
        'web.yaml':
          '# yaml-language-server: $schema=https://platform.claude.com/schemas/ant/beta/environment.json\ntype: environment\nname: web\nconfig:\n  type: cloud\n  networking:\n    type: unrestricted\n',
      });
      writeFileSync(
        path.join(ws.dir, 'claude-lock.json'),
        JSON.stringify(
          {
            version: 1,
            origin: {
              base_url: ws.emu.url,
              organization_id: EMULATOR_ORGANIZATION_ID,
              workspace_id: 'wrkspc_default',
            },
            resources: {
              './environments/web.yaml': { kind: 'environment', id: web.id, hash: 'a', remote_hash: 'b' },
            },
          },
          null,
          2,
        ),
      );
      const codes = [0, 3, 2, 0, 0];
      let last = '';
      for (const [i, args] of commands.entries()) {
        const r = await ws.cli(args);
        expect(r.code, `envsync ${args.join(' ')}\n${r.stdout}${r.stderr}`).toBe(codes[i]);
        last = r.stdout;
      }
      expect(last.trim()).toBe('No changes.');
      expect((await ws.live()).map((e) => [e.id, e.metadata.envsync_managed])).toEqual([
        [web.id, 'research-agents'],
      ]);
      expect(JSON.parse(readFileSync(path.join(ws.dir, 'claude-lock.json'), 'utf8')).resources).toEqual({});
    });
  });
});
