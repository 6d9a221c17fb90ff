import { execFileSync, spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ROOT, runCli, tempDir } from '../helpers/cli.js';

describe('examples', () => {
  const scenarios = readdirSync(path.join(ROOT, 'examples'), { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(path.join(ROOT, 'examples', d.name, 'environments')))
    .map((d) => d.name);

  it('has scenario folders', () => {
    expect(scenarios.length).toBeGreaterThanOrEqual(2);
  });

  it.each(scenarios)('%s has a project file and validates with --strict from its folder', async (name) => {
    const cwd = path.join(ROOT, 'examples', name);
    expect(existsSync(path.join(cwd, 'envsync.yaml'))).toBe(true);
    const r = await runCli(['validate', '--strict'], { cwd });
    expect(r.code, r.stdout).toBe(0);
    expect(r.stdout).toMatch(/[1-9]\d* environments?, 0 errors, 0 warnings/);
  });

  it('the GitHub Actions workflow is valid YAML and names only commands and flags that exist', async () => {
    const text = readFileSync(path.join(ROOT, 'examples/github-actions/envsync.yml'), 'utf8');
    const workflow = parse(text) as {
      jobs: Record<
        string,
        { steps: { run?: string; uses?: string; with?: Record<string, string> }[]; concurrency?: unknown }
      >;
    };
    expect(Object.keys(workflow.jobs).sort()).toEqual(['apply', 'drift', 'plan', 'preview-cleanup']);
    expect(workflow.jobs.apply?.concurrency).toBeDefined();
    // Plan and apply go through this repository's action, with inputs it declares.
    const action = parse(readFileSync(path.join(ROOT, 'action.yml'), 'utf8')) as {
      inputs: Record<string, unknown>;
    };
    const uses = Object.entries(workflow.jobs).flatMap(([job, j]) =>
      j.steps.filter((s) => s.uses?.includes('/envsync@')).map((s) => [job, s.with ?? {}] as const),
    );
    expect(uses.map(([job, w]) => [job, w.mode])).toEqual([
      ['plan', 'plan'],
      ['plan', 'preview'],
      ['preview-cleanup', 'preview'],
      ['apply', 'apply'],
      ['drift', 'drift'],
      ['drift', 'preview'],
    ]);
    for (const [, w] of uses)
      for (const input of Object.keys(w)) expect(Object.keys(action.inputs)).toContain(input);
    const runs = Object.values(workflow.jobs).flatMap((j) => j.steps.map((s) => s.run ?? ''));
    const calls = runs
      .flatMap((r) => [...r.matchAll(/npx envsync ([a-z]+)([^\n>|;&]*)/g)])
      .map((m) => ({
        command: m[1] as string,
        flags: [...(m[2] ?? '').matchAll(/(--[a-z-]+)/g)].map((f) => f[1] as string),
      }));
    expect(calls.map((c) => c.command).sort()).toEqual(['history']);
    const help = (await runCli(['--help'])).stdout;
    for (const call of calls) {
      expect(help).toMatch(new RegExp(`^  ${call.command} `, 'm'));
      const commandHelp = (await runCli([call.command, '--help'])).stdout;
      for (const flag of call.flags) expect(commandHelp, `${call.command} ${flag}`).toContain(flag);
    }
  });
});

describe('the README and docs', () => {
  const pages = [
    'README.md',
    ...readdirSync(path.join(ROOT, 'docs'))
      .filter((f) => f.endsWith('.md'))
      .map((f) => `docs/${f}`),
  ];

  it.each(pages)('%s links only to files in this repository (or the web), and each exists', (page) => {
    const text = readFileSync(path.join(ROOT, page), 'utf8');
    expect(text).not.toMatch(/\.\.\/shared\//);
    for (const m of text.matchAll(/\]\(([^)\s]+)\)/g)) {
      const target = (m[1] as string).split('#')[0] as string;
      if (target === '' || /^https?:\/\//.test(target)) continue;
      const resolved = path.resolve(path.dirname(path.join(ROOT, page)), target);
      expect(path.relative(ROOT, resolved).startsWith('..'), `${page}: ${target} leaves the repository`).toBe(
        false,
      );
      expect(existsSync(resolved), `${page}: ${target} does not exist`).toBe(true);
    }
  });
});

describe('--help', () => {
  const commands = [
    'init',
    'ping',
    'validate',
    'fmt',
    'plan',
    'apply',
    'status',
    'forget',
    'import',
    'history',
    'show',
    'resolve',
    'verify',
    'export',
  ];

  it.each(commands)(
    '%s --help points to the global flags in one line, and lists examples, the variables it reads and the exit codes',
    async (command) => {
      const help = (await runCli([command, '--help'])).stdout;
      // The global flags are listed once, on `envsync --help`; each command's page names them in a line.
      expect(help).not.toContain('Global Options:');
      expect(help).not.toContain('--workspace <name>');
      expect(help).toMatch(/^Global options \(--local, --workspace, .*\): see `envsync --help`/m);
      expect(help).toMatch(/Examples:\n {2}\$ envsync /);
      expect(help).toContain('Exit codes:\n  0 ');
      expect(help).toContain('Environment:\n');
      if (['plan', 'apply', 'status', 'verify', 'export', 'forget', 'ping'].includes(command))
        expect(help).toContain('ANTHROPIC_API_KEY');
      expect(help).not.toContain('(default: [])');
    },
  );

  it('envsync --help lists the global flags once, --changelog as the directory of run files', async () => {
    const help = (await runCli(['--help'])).stdout;
    expect(help).toContain('--workspace <name>');
    expect(help).toMatch(
      /--changelog <dir>\s+the changelog: a directory of run files \(default:\s+\.envsync\/changelog\/,/,
    );
    expect(help).not.toContain('changelog.jsonl');
    expect((await runCli(['emulator', '--help'])).stdout).toMatch(
      /--port <n>\s+port to listen on; 0 picks a free one \(default: 4010\)/,
    );
  });

  it('every example in --help names a command and flags that exist', async () => {
    for (const command of commands) {
      const help = (await runCli([command, '--help'])).stdout;
      for (const m of help.matchAll(/^ {2}\$ (?:\S+=\S+ )*envsync ([a-z]+)([^#\n|>]*)/gm)) {
        const sub = (await runCli([m[1] as string, '--help'])).stdout;
        for (const flag of (m[2] ?? '').matchAll(/(--[a-z-]+)/g)) expect(sub, `${m[0]}`).toContain(flag[1]);
      }
    }
  });
});

describe('envsync init', () => {
  it('scaffolds a valid example and the .gitignore line, and never overwrites', async () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, '.gitignore'), 'node_modules/');
    const first = await runCli(['init'], { cwd: dir });
    expect(first.code).toBe(0);
    expect(first.stdout).toContain('created  environments/example.yaml');
    expect(first.stdout).toContain('created  envsync.yaml');
    const projectFile = readFileSync(path.join(dir, 'envsync.yaml'), 'utf8');
    expect(projectFile).toContain(
      `project: ${path
        .basename(dir)
        .toLowerCase()
        .replace(/[^a-z0-9._-]+/g, '-')}`,
    );
    // No envsync installed in this folder: the modelines are the schemas' published $id, never a path outside.
    expect(projectFile.split('\n')[0]).toBe(
      '# yaml-language-server: $schema=https://envsync.dev/schema/project.schema.json',
    );
    const example = readFileSync(path.join(dir, 'environments/example.yaml'), 'utf8');
    expect(example.split('\n')[0]).toBe(
      '# yaml-language-server: $schema=https://envsync.dev/schema/environment.schema.json',
    );
    expect((await runCli(['validate', '--strict'], { cwd: dir })).code).toBe(0);
    expect(readFileSync(path.join(dir, '.gitignore'), 'utf8')).toBe(
      "node_modules/\n# envsync's local API state (envsync --local)\n.envsync/local/\n",
    );

    writeFileSync(path.join(dir, 'environments/example.yaml'), 'name: mine\n');
    const second = await runCli(['init'], { cwd: dir });
    expect(second.code).toBe(0);
    expect(readFileSync(path.join(dir, 'environments/example.yaml'), 'utf8')).toBe('name: mine\n');
    expect(readFileSync(path.join(dir, '.gitignore'), 'utf8').match(/\.envsync\/local\//g)).toHaveLength(1);
  });

  it('creates nothing in a project that has envsync.yaml, not even an example someone deleted', async () => {
    const dir = tempDir();
    expect((await runCli(['init'], { cwd: dir })).code).toBe(0);
    rmSync(path.join(dir, 'environments/example.yaml'));
    rmSync(path.join(dir, '.gitignore'));
    const again = await runCli(['init'], { cwd: dir });
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('envsync.yaml: this is an envsync project already; init created nothing');
    expect(readdirSync(path.join(dir, 'environments'))).toEqual([]);
    expect(existsSync(path.join(dir, '.gitignore'))).toBe(false);
    // From a folder inside the project: refused, and still nothing made.
    const inside = path.join(dir, 'environments');
    const nested = await runCli(['init', 'more'], { cwd: inside });
    expect([nested.code, nested.stderr]).toEqual([1, expect.stringContaining('error[already_a_project]')]);
    expect(readdirSync(inside)).toEqual([]);
  });

  it('points modelines at the installed package inside the project, even when npm linked it from a folder outside', async () => {
    const dir = tempDir();
    mkdirSync(path.join(dir, 'node_modules'));
    // `npm install ../envsync` makes exactly this: a link to a folder outside the project.
    symlinkSync(ROOT, path.join(dir, 'node_modules', 'envsync'), 'dir');
    expect((await runCli(['init'], { cwd: dir })).code).toBe(0);
    const first = (f: string) => readFileSync(path.join(dir, f), 'utf8').split('\n')[0];
    expect(first('envsync.yaml')).toBe(
      '# yaml-language-server: $schema=node_modules/envsync/schema/project.schema.json',
    );
    expect(first('environments/example.yaml')).toBe(
      '# yaml-language-server: $schema=../node_modules/envsync/schema/environment.schema.json',
    );
  });

  it('names the project from --project, refuses an invalid one, and the project works from a sub-folder', async () => {
    const dir = tempDir();
    const bad = await runCli(['init', '--project', 'Team A'], { cwd: dir });
    expect([bad.code, bad.stderr]).toEqual([1, expect.stringContaining('is not a valid project name')]);
    expect(existsSync(path.join(dir, 'envsync.yaml'))).toBe(false);
    expect((await runCli(['init', '--project', 'research-agents'], { cwd: dir })).code).toBe(0);
    expect(readFileSync(path.join(dir, 'envsync.yaml'), 'utf8')).toContain('project: research-agents');
    const fromSub = await runCli(['validate', '--strict'], { cwd: path.join(dir, 'environments') });
    expect([fromSub.code, fromSub.stdout]).toEqual([0, expect.stringContaining('1 environment, 0 errors')]);
  });
});

describe('a fresh clone', () => {
  // Slow (npm ci and a build), but it is the README's promise: clone, `npm ci && npm run demo`.
  it('runs npm ci && npm run demo and ends on No changes.', () => {
    const dir = path.join(tempDir('envsync-clone-'), 'envsync');
    execFileSync('git', ['clone', '--quiet', '--no-hardlinks', ROOT, dir]);
    const env = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      npm_config_cache: process.env.npm_config_cache,
      CI: 'true',
    };
    const ci = spawnSync('npm', ['ci', '--no-audit', '--no-fund'], {
      cwd: dir,
      env: env as NodeJS.ProcessEnv,
      encoding: 'utf8',
    });
    expect(ci.status, ci.stderr).toBe(0);
    const demo = spawnSync('npm', ['run', 'demo'], {
      cwd: dir,
      env: env as NodeJS.ProcessEnv,
      encoding: 'utf8',
    });
    expect(demo.status, demo.stderr).toBe(0);
    expect(demo.stdout.trimEnd().endsWith('No changes.')).toBe(true);
    expect(demo.stdout).toContain('Apply complete:');
  }, 300_000);
});

describe('the README', () => {
  const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');

  it('starts with the quick start', () => {
    const firstBlock = readme.split('```')[1] ?? '';
    expect(firstBlock).toContain('npm ci && npm run demo');
    expect(firstBlock).toContain('npm test');
  });

  it('documents every command and every flag that --help lists', async () => {
    const help = (await runCli(['--help'])).stdout;
    const commands = [...help.matchAll(/^ {2}([a-z]+) /gm)]
      .map((m) => m[1] as string)
      .filter((c) => c !== 'help');
    expect(commands.length).toBeGreaterThanOrEqual(11);
    for (const command of commands) {
      expect(readme, command).toContain(`envsync ${command}`);
      const flags = [...(await runCli([command, '--help'])).stdout.matchAll(/^ {2}(--[a-z-]+)/gm)].map(
        (m) => m[1] as string,
      );
      for (const flag of flags.filter((f) => f !== '--help'))
        expect(readme, `${command} ${flag}`).toContain(flag);
    }
    for (const flag of [...help.matchAll(/^ {2}(--[a-z-]+)/gm)].map((m) => m[1] as string)) {
      if (flag !== '--help' && flag !== '--version') expect(readme, flag).toContain(flag);
    }
  });
});
