// A temporary project (environment files + changelog) and an emulator to plan and apply it against.

import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import Anthropic from '@anthropic-ai/sdk';
import { Changelog } from '../../src/changelog/changelog.js';
import { type EmulatorOptions, type RunningEmulator, startEmulator } from '../../src/emulator/index.js';
import type { ChangelogEntry } from '../../src/model.js';
import { baseEnv, type CliResult, type RunOptions, runCli, spawnCli, tempDir } from './cli.js';
import { startFaultProxy } from './fault-proxy.js';
import { type HookAnswer, type HookRequest, startHookProxy } from './hook-proxy.js';

export const TEST_KEY = 'sk-ant-test-4f7c2b9e1d';
/** The project every test folder is, unless a test writes its own envsync.yaml. */
export const TEST_PROJECT = 'test-project';

export class Workspace {
  readonly envDir: string;
  /** The changelog directory: one run file per apply. */
  readonly changelog: string;
  readonly statePath: string;

  private constructor(
    readonly dir: string,
    public emu: RunningEmulator,
  ) {
    this.envDir = path.join(dir, 'environments');
    this.changelog = path.join(dir, '.envsync/changelog');
    this.statePath = statePathIn(dir);
    mkdirSync(this.envDir);
    writeFileSync(path.join(dir, 'envsync.yaml'), `project: ${TEST_PROJECT}\n`);
  }

  /** The emulator keeps its state in the workspace, so it can be restarted with other options. */
  static async start(options: EmulatorOptions = {}): Promise<Workspace> {
    const dir = tempDir('envsync-ws-');
    return new Workspace(dir, await startEmulator({ ...options, statePath: statePathIn(dir) }));
  }

  /** Restarts the emulator on the same state with new options (e.g. without faults, to inspect). */
  async restart(options: EmulatorOptions = {}): Promise<void> {
    await this.emu.close();
    this.emu = await startEmulator({ ...options, statePath: this.statePath });
  }

  /** Writes (or with null, deletes) environment files. */
  files(files: Record<string, string | null>): this {
    for (const [name, text] of Object.entries(files)) {
      const file = path.join(this.envDir, name);
      if (text === null) rmSync(file, { force: true });
      else writeFileSync(file, text);
    }
    return this;
  }

  sdk(): Anthropic {
    return new Anthropic({ apiKey: TEST_KEY, baseURL: this.emu.url, maxRetries: 0 });
  }

  private env(): Record<string, string | undefined> {
    return baseEnv({ ANTHROPIC_API_KEY: TEST_KEY });
  }

  /** Runs envsync in-process against this workspace's emulator. */
  cli(args: string[], options: Omit<RunOptions, 'cwd'> = {}): Promise<CliResult> {
    return runCli(['--base-url', this.emu.url, ...args], { cwd: this.dir, env: this.env(), ...options });
  }

  /**
   * `apply --auto-approve [args]` through a fault proxy in front of this emulator: the requests `fail`
   * answers with a status get that error; everything else goes through.
   */
  async applyThrough(
    fail: (method: string, path: string) => number | undefined,
    args: string[] = [],
  ): Promise<CliResult> {
    const proxy = await startFaultProxy(this.emu.url, fail);
    try {
      return await this.cli(['apply', '--auto-approve', '--base-url', proxy.url, ...args]);
    } finally {
      await proxy.close();
    }
  }

  /** Runs `envsync ARGS` through a hook proxy in front of this emulator: the hook sees, and may lie about, every request. */
  async cliThrough(
    hook: (method: string, path: string, req: HookRequest) => Promise<HookAnswer> | HookAnswer,
    args: string[],
  ): Promise<CliResult> {
    const proxy = await startHookProxy(this.emu.url, hook);
    try {
      return await this.cli(['--base-url', proxy.url, ...args]);
    } finally {
      await proxy.close();
    }
  }

  /** Runs the built binary as a child process. */
  spawn(args: string[]): Promise<CliResult> {
    return spawnCli(['--base-url', this.emu.url, ...args], { cwd: this.dir, env: this.env() });
  }

  /** Every entry of every run, in history order. */
  entries(): ChangelogEntry[] {
    return Changelog.open(this.changelog).entries();
  }

  /** The run files' paths in history order (two runs in one second have names in no particular order). */
  runFiles(): string[] {
    if (!existsSync(this.changelog)) return [];
    const order = Changelog.open(this.changelog)
      .history()
      .runs.map((r) => r.file.path);
    const names = readdirSync(this.changelog).filter((f) => f.endsWith('.jsonl'));
    const paths = names.map((f) => path.join(this.changelog, f));
    return paths.sort((a, b) => order.indexOf(a) - order.indexOf(b));
  }

  /** How many lines all run files hold. */
  lineCount(): number {
    return this.runFiles().reduce(
      (n, f) => n + readFileSync(f, 'utf8').split('\n').filter(Boolean).length,
      0,
    );
  }

  async live(includeArchived = false) {
    const out = [];
    for await (const env of this.sdk().beta.environments.list({
      limit: 1000,
      include_archived: includeArchived,
    }))
      out.push(env);
    return out;
  }

  /** The names of the live environments of one API workspace (`anthropic-workspace-id`), sorted. */
  async namesIn(workspaceId: string): Promise<string[]> {
    const sdk = new Anthropic({
      apiKey: TEST_KEY,
      baseURL: this.emu.url,
      maxRetries: 0,
      defaultHeaders: { 'anthropic-workspace-id': workspaceId },
    });
    const out: string[] = [];
    for await (const e of sdk.beta.environments.list({ limit: 100 })) out.push(e.name);
    return out.sort();
  }

  async close(): Promise<void> {
    await this.emu.close();
  }
}

function statePathIn(dir: string): string {
  return path.join(dir, 'emulator-state.json');
}

/** A small valid environment file. */
export function envFile(name: string, extra = ''): string {
  return `name: ${name}\n${extra}`;
}

/** An environment file with package lists per manager, each spec quoted as YAML reads it. */
export function packagesEnv(name: string, packages: Record<string, string[]>): string {
  return `name: ${name}\nconfig:\n  type: cloud\n  packages:\n${Object.entries(packages)
    .map(([m, specs]) => `    ${m}: [${specs.map((s) => JSON.stringify(s)).join(', ')}]\n`)
    .join('')}`;
}

export function pipEnv(name: string, packages: string[], extra = ''): string {
  return `name: ${name}\n${extra}config:\n  type: cloud\n  packages:\n    pip: [${packages.join(', ')}]\n`;
}
