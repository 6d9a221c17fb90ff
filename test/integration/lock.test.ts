// envsync lock end to end: the CLI in-process against the emulator and local registries over real HTTP.
// Each manager resolved by its own grammar; bad pins located with suggestions; mirrors; offline; the lock
// applied (exact versions sent, recorded, shown); --frozen and lock --check; registries that misbehave.

import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RunningRegistries } from '../../src/emulator/registries.js';
import type { Diagnostic } from '../../src/model.js';
import { quietIo } from '../helpers/cli.js';
import { makeAgent } from '../helpers/emulator-refs.js';
import { registriesBlock, startFixtureRegistries } from '../helpers/registries.js';
import { packagesEnv as env, TEST_PROJECT, Workspace } from '../helpers/workspace.js';

let ws: Workspace;
let regs: RunningRegistries;

beforeEach(async () => {
  ws = await Workspace.start();
  regs = await startFixtureRegistries();
  writeFileSync(path.join(ws.dir, 'envsync.yaml'), `project: ${TEST_PROJECT}\n${registriesBlock(regs.url)}`);
});

afterEach(async () => {
  await regs.close();
  await ws.close();
});

const lockJson = () => JSON.parse(readFileSync(path.join(ws.dir, 'envsync.lock'), 'utf8'));
const versions = (section: Record<string, Record<string, { version?: string; unresolved?: string }>>) =>
  Object.fromEntries(
    Object.entries(section).flatMap(([m, specs]) =>
      Object.entries(specs).map(([spec, e]) => [`${m} ${spec}`, e.version ?? `unresolved: ${e.unresolved}`]),
    ),
  );

describe('envsync lock', () => {
  it('resolves every manager by its own grammar, writes a canonical lock, and a second run asks nothing', async () => {
    ws.files({
      'a.yaml': env('a', {
        pip: ['pandas', 'requests[socks]>=2.31,<3', 'Django'],
        npm: ['express@^4.21.0', '@types/node@20', 'typescript@beta'],
        cargo: ['serde', 'rand@0.8'],
        gem: ['rails', 'nokogiri:1.16.7'],
        go: ['golang.org/x/tools/cmd/goimports', 'github.com/spf13/cobra@v1.8'],
        apt: ['libpq-dev', 'curl=7.88.1-10+deb12u5'],
      }),
      'b.yaml': env('b', { pip: ['pandas'], npm: ['express@^4.21.0'] }),
    });
    const r = await ws.cli(['lock']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('Wrote envsync.lock: 14 added, 0 changed, 0 removed, 0 unchanged');
    const lock = lockJson();
    expect(versions(lock.packages)).toEqual({
      'apt curl=7.88.1-10+deb12u5': '7.88.1-10+deb12u5',
      'apt libpq-dev': '15.10-0+deb12u1',
      'cargo rand@0.8': '0.8.5',
      'cargo serde': '1.0.210',
      'gem nokogiri:1.16.7': '1.16.7',
      'gem rails': '7.1.3',
      'go github.com/spf13/cobra@v1.8': 'v1.8.1',
      'go golang.org/x/tools/cmd/goimports': 'v0.26.0',
      'npm @types/node@20': '20.17.6',
      'npm express@^4.21.0': '4.21.2',
      'npm typescript@beta': '5.8.0-beta',
      'pip Django': '5.1.1',
      'pip pandas': '2.2.3',
      'pip requests[socks]>=2.31,<3': '2.32.3',
    });
    // Every entry names its digest, publish time (where the registry says it) and registry.
    expect(lock.packages.pip.pandas).toEqual({
      version: '2.2.3',
      digest: expect.stringMatching(/^sha256:[0-9a-f]{64}$/),
      published: '2024-09-20T13:08:42.347208Z',
      registry: `${regs.url}/pip`,
    });
    expect(lock.packages.go['golang.org/x/tools/cmd/goimports'].digest).toMatch(/^h1:[A-Za-z0-9+/=]+$/);
    expect(lock.packages.npm['express@^4.21.0'].digest).toMatch(/^sha512-/);
    // One request per distinct package and registry: pandas and express once though two files name them.
    const asked = regs.requests.filter((p) => p.includes('pandas') || p === '/npm/express');
    expect(asked.sort()).toEqual(['/npm/express', '/pip/pypi/pandas/json']);
    const text = readFileSync(path.join(ws.dir, 'envsync.lock'), 'utf8');
    const before = regs.requests.length;
    const again = await ws.cli(['lock']);
    expect(again.stdout).toContain('envsync.lock is up to date: 0 added, 0 changed, 0 removed, 14 unchanged');
    expect(again.stderr).toContain('(0 registry requests, ');
    expect(regs.requests.length).toBe(before);
    expect(readFileSync(path.join(ws.dir, 'envsync.lock'), 'utf8')).toBe(text);
  });
});

const diagnosticsOf = (stdout: string): string[] =>
  (JSON.parse(stdout) as { diagnostics: Diagnostic[] }).diagnostics.map(
    (d) => `${d.severity} ${d.file}:${d.line}:${d.column} ${d.message}${d.hint ? ` | ${d.hint}` : ''}`,
  );

describe('pins that do not exist or are yanked, and packages that do not exist', () => {
  const BAD = env('bad', {
    pip: ['pandas==2.2.1', 'pandsa', 'numpy==2.1.3'],
    npm: ['left-pad@9.9.9', 'left-pad@1.3.0'],
    cargo: ['serde@1.0.215'],
    gem: ['rails:7.1.4'],
    go: ['golang.org/x/tools@v0.25.0'],
  });
  const EXPECTED = [
    `error environments/bad.yaml:5:11 "pandas==2.2.1": version 2.2.1 of pandas is yanked on PyPI (${'REG'}/pip) | pin another version: did you mean 2.2.3, 2.2.2 or 2.2.0?`,
    `error environments/bad.yaml:5:28 "pandsa": PyPI (REG/pip) has no package pandsa | check the name, and that registries in envsync.yaml names the registry that holds it`,
    'error environments/bad.yaml:6:11 "left-pad@9.9.9": npm (REG/npm) has no version 9.9.9 of left-pad | the newest is 1.1.3',
    'warning environments/bad.yaml:6:29 "left-pad@1.3.0": version 1.3.0 is deprecated on npm (REG/npm): use String.prototype.padStart() | pin a version that is not deprecated',
    'error environments/bad.yaml:7:13 "serde@1.0.215": version 1.0.215 of serde is yanked on crates.io (REG/cargo) | pin another version: did you mean 1.0.210, 1.0.200 or 1.0.1?',
    'error environments/bad.yaml:8:11 "rails:7.1.4": RubyGems (REG/gem) has no version 7.1.4 of rails | did you mean 7.1.3 or 7.1.0?',
    'error environments/bad.yaml:9:10 "golang.org/x/tools@v0.25.0": version v0.25.0 of golang.org/x/tools is retracted on the Go module proxy (REG/go) | pin another version: did you mean v0.26.0, v0.24.0 or v0.1.0?',
  ];

  it('validate --registries reports each at its file:line:column with the closest versions', async () => {
    ws.files({ 'bad.yaml': BAD });
    const r = await ws.cli(['validate', '--registries', '--format', 'json']);
    expect(r.code).toBe(1);
    expect(diagnosticsOf(r.stdout).filter((d) => !d.includes('not pinned'))).toEqual(
      EXPECTED.map((l) => l.replaceAll('REG', regs.url)),
    );
    // Plain validate stays offline: no registry request.
    const before = regs.requests.length;
    const plain = await ws.cli(['validate']);
    expect(plain.code).toBe(0);
    expect(regs.requests.length).toBe(before);
  });

  it('plan refuses before any API call, and lock writes nothing', async () => {
    ws.files({ 'bad.yaml': BAD });
    const plan = await ws.cli(['plan']);
    expect(plan.code).toBe(1);
    expect(plan.stderr).toContain('error[invalid_config]: 6 errors in the package specs');
    expect(plan.stderr).toContain(
      'error    environments/bad.yaml:5:11  config.packages.pip  "pandas==2.2.1"',
    );
    expect(ws.emu.stats().requests).toBe(0);
    const lock = await ws.cli(['lock']);
    expect(lock.code).toBe(1);
    expect(lock.stderr).toContain(`"rails:7.1.4": RubyGems (${regs.url}/gem) has no version 7.1.4 of rails`);
    expect(() => readFileSync(path.join(ws.dir, 'envsync.lock'))).toThrow();
  });
});

describe('a lock applied', () => {
  it('sends exact versions: the live config, the changelog, history, show and resolve all name them', async () => {
    ws.files({ 'data.yaml': env('data', { pip: ['pandas>=2.2,<2.2.3', 'numpy'], npm: ['express'] }) });
    expect((await ws.cli(['lock'])).code).toBe(0);
    const plan = await ws.cli(['plan']);
    expect(plan.stdout).toContain('+ config.packages.pip: "pandas>=2.2,<2.2.3"  (locked 2.2.2)');
    expect(plan.stdout).toContain('+ config.packages.npm: "express"  (locked 4.21.2)');
    // The PR comment says the same.
    const markdown = await ws.cli(['plan', '--format', 'markdown']);
    expect(markdown.stdout).toContain('+ config.packages.pip: "pandas>=2.2,<2.2.3"  (locked 2.2.2)');
    // A locked spec is pinned by the lock: no "not pinned" warning for it.
    expect(plan.stderr).not.toContain('not pinned');
    expect((await ws.cli(['apply', '--auto-approve'])).code).toBe(0);
    const [live] = await ws.live();
    expect(live?.config).toMatchObject({
      packages: { pip: ['numpy==2.2.0', 'pandas==2.2.2'], npm: ['express@4.21.2'] },
    });
    const created = ws.entries().find((e) => e.op === 'create');
    expect(created?.config).toMatchObject({ packages: { pip: ['numpy==2.2.0', 'pandas==2.2.2'] } });

    // The spec widens; the lock moves pandas to 2.2.3; the history shows the version change as one field change.
    ws.files({ 'data.yaml': env('data', { pip: ['pandas', 'numpy'], npm: ['express'] }) });
    const relock = await ws.cli(['lock']);
    expect(relock.stdout).toContain('  + pip pandas  2.2.3');
    expect(relock.stdout).toContain('  - pip pandas>=2.2,<2.2.3  (no environment installs it)');
    const update = await ws.cli(['plan']);
    expect(update.stdout).toContain('~ config.packages.pip: "pandas==2.2.2" → "pandas"  (locked 2.2.3)');
    const md = (await ws.cli(['plan', '--format', 'markdown'])).stdout;
    expect(md).toContain(
      '- config.packages.pip: "pandas==2.2.2"\n+ config.packages.pip: "pandas"  (locked 2.2.3)',
    );
    expect((await ws.cli(['apply', '--auto-approve'])).code).toBe(0);
    const history = await ws.cli(['history', 'data']);
    expect(history.stdout).toContain('~ config.packages.pip: "pandas==2.2.2" → "pandas==2.2.3"');
    // The audit page draws the same change.
    expect((await ws.cli(['history', '--format', 'html', '--out', 'page.html'])).code).toBe(0);
    const page = readFileSync(path.join(ws.dir, 'page.html'), 'utf8');
    expect(page).toMatch(/config\.packages\.pip: \\"pandas==2\.2\.2\\" (→|\\u2192) \\"pandas==2\.2\.3\\"/);
    const id = live?.id as string;
    const show = await ws.cli(['show', id]);
    expect(show.stdout).toMatch(/pip:\n\s+- numpy==2\.2\.0\n\s+- pandas==2\.2\.3/);
    const agent = await makeAgent(ws.sdk());
    const session = await ws.sdk().beta.sessions.create({ agent: agent.id, environment_id: id });
    const resolved = await ws.cli(['resolve', '--session', session.id, '--format', 'json']);
    expect(JSON.parse(resolved.stdout)).toMatchObject({
      config: { packages: { pip: ['numpy==2.2.0', 'pandas==2.2.3'], npm: ['express@4.21.2'] } },
    });
    // The same lock again changes nothing.
    expect((await ws.cli(['plan', '--detailed-exitcode'])).code).toBe(0);
  });

  it('lock NAME locks only those environments and keeps every other entry as it is', async () => {
    ws.files({
      'a.yaml': env('a', { pip: ['pandas>=2.2,<2.2.3'] }),
      'b.yaml': env('b', { npm: ['express'] }),
    });
    expect((await ws.cli(['lock'])).code).toBe(0);
    ws.files({ 'a.yaml': env('a', { pip: ['pandas'] }), 'b.yaml': env('b', { npm: ['express@4.21.0'] }) });
    const r = await ws.cli(['lock', 'b']);
    expect(r.code, r.stderr).toBe(0);
    expect(versions(lockJson().packages)).toEqual({
      'npm express': '4.21.2',
      'npm express@4.21.0': '4.21.0',
      'pip pandas>=2.2,<2.2.3': '2.2.2',
    });
    // Only the whole project drops what nothing installs; --check says what is left to do.
    const check = await ws.cli(['lock', '--check']);
    expect(check.stdout).toContain('"pandas": has no entry in envsync.lock');
    expect((await ws.cli(['lock'])).code).toBe(0);
    expect(versions(lockJson().packages)).toEqual({ 'npm express@4.21.0': '4.21.0', 'pip pandas': '2.2.3' });
  });

  it('a deprecated pin is locked with its message and flagged on every run', async () => {
    ws.files({ 'a.yaml': env('a', { npm: ['left-pad@1.3.0'] }) });
    for (let run = 0; run < 2; run++) {
      const r = await ws.cli(['lock']);
      expect(r.code).toBe(0);
      expect(r.stderr).toContain('"left-pad@1.3.0": version 1.3.0 is deprecated on npm');
    }
    expect(lockJson().packages.npm['left-pad@1.3.0']).toMatchObject({
      version: '1.3.0',
      deprecated: 'use String.prototype.padStart()',
    });
  });

  it('without envsync.lock nothing changes: specs are sent as written', async () => {
    ws.files({ 'data.yaml': env('data', { pip: ['pandas'] }) });
    const plan = await ws.cli(['plan']);
    expect(plan.stdout).toContain('+ config.packages.pip: "pandas"\n');
    expect(plan.stdout).not.toContain('locked');
    expect(plan.stderr).toContain('"pandas" is not pinned to a version');
  });

  it('apt specs without registries.apt are recorded as unresolved, sent as written, and the plan says so', async () => {
    writeFileSync(
      path.join(ws.dir, 'envsync.yaml'),
      `project: ${TEST_PROJECT}\n${registriesBlock(regs.url, ['pip'])}`,
    );
    ws.files({ 'data.yaml': env('data', { apt: ['libpq-dev=15.10-0+deb12u1'], pip: ['numpy'] }) });
    expect((await ws.cli(['lock'])).code).toBe(0);
    expect(lockJson().packages.apt).toEqual({
      'libpq-dev=15.10-0+deb12u1': {
        unresolved: 'no apt suite index: envsync.yaml names none (registries.apt), so the image decides',
      },
    });
    const plan = await ws.cli(['plan']);
    expect(plan.stdout).toContain(
      '+ config.packages.apt: "libpq-dev=15.10-0+deb12u1"  (not locked: no apt suite index: envsync.yaml names none (registries.apt), so the image decides)',
    );
    expect((await ws.cli(['plan', '--frozen'])).code).toBe(0);
  });
});

describe('--frozen and lock --check refuse a stale lock', () => {
  it('an edited spec, a spec with no entry, an entry nobody uses, a lock from another registry', async () => {
    ws.files({ 'data.yaml': env('data', { pip: ['pandas', 'numpy==2.1.3'] }) });
    expect((await ws.cli(['lock'])).code).toBe(0);
    expect((await ws.cli(['lock', '--check'])).code).toBe(0);
    expect((await ws.cli(['plan', '--frozen'])).code).toBe(0);

    ws.files({ 'data.yaml': env('data', { pip: ['pandas', 'numpy==2.2.0'] }) });
    const check = await ws.cli(['lock', '--check']);
    expect(check.code).toBe(1);
    expect(check.stdout).toContain(
      'environments/data.yaml:5:21  config.packages.pip  "numpy==2.2.0": has no entry in envsync.lock',
    );
    expect(check.stdout).toContain(
      'envsync.lock:1:1  packages.pip  "numpy==2.1.3" is locked but no environment installs it',
    );
    expect(check.stdout).toContain('envsync.lock is out of date: 2 problems');
    const apiCalls = ws.emu.stats().requests;
    const frozen = await ws.cli(['plan', '--frozen']);
    expect(frozen.code).toBe(1);
    expect(frozen.stderr).toContain('"numpy==2.2.0": has no entry in envsync.lock (--frozen)');
    expect(frozen.stderr).toContain('error[lock_out_of_date]: 1 error in the lock (--frozen)');
    expect(ws.emu.stats().requests).toBe(apiCalls);
    // Without --frozen the unlocked spec is sent as written, with one warning.
    const loose = await ws.cli(['plan']);
    expect(loose.code).toBe(0);
    expect(loose.stderr).toContain('"numpy==2.2.0": has no entry in envsync.lock');
    expect(loose.stdout).toContain(
      '+ config.packages.pip: "numpy==2.2.0"  (not locked: not in envsync.lock)',
    );

    // A lock made against another registry is not this one's.
    expect((await ws.cli(['lock'])).code).toBe(0);
    const other = await startFixtureRegistries();
    try {
      writeFileSync(
        path.join(ws.dir, 'envsync.yaml'),
        `project: ${TEST_PROJECT}\n${registriesBlock(other.url)}`,
      );
      const moved = await ws.cli(['apply', '--frozen', '--auto-approve']);
      expect(moved.code).toBe(1);
      expect(moved.stderr).toContain(
        `"pandas": is locked from ${regs.url}/pip, not from ${other.url}/pip in envsync.lock (--frozen)`,
      );
    } finally {
      await other.close();
    }
    expect(ws.emu.stats().byRoute['POST /v1/environments'] ?? 0).toBe(0);
  });

  it('--frozen with no envsync.lock at all refuses every spec', async () => {
    ws.files({ 'data.yaml': env('data', { pip: ['pandas'] }) });
    const r = await ws.cli(['plan', '--frozen']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('"pandas": has no entry in envsync.lock (--frozen)');
  });

  it('a saved plan cannot be re-shaped by --frozen or --offline', async () => {
    const r = await ws.cli(['apply', '--plan', 'x.json', '--frozen']);
    expect(r.stderr).toContain('error[conflicting_flags]: --frozen cannot change a saved plan');
  });
});

describe('--offline', () => {
  it('with a cache: lock and plan use it and send nothing; without one: lock refuses, plan warns once', async () => {
    ws.files({ 'data.yaml': env('data', { pip: ['pandas'], npm: ['express'] }) });
    const cold = await ws.cli(['lock', '--offline']);
    expect(cold.code).toBe(1);
    expect(cold.stderr).toContain('"pandas": cannot be locked offline: PyPI');
    const uncheckedPlan = await ws.cli(['plan', '--offline']);
    expect(uncheckedPlan.code).toBe(0);
    expect(uncheckedPlan.stderr).toContain(
      '--offline: 2 package specs were not checked against their registries (not in the cache)',
    );
    expect(regs.requests).toEqual([]);

    expect((await ws.cli(['lock'])).code).toBe(0);
    const asked = regs.requests.length;
    rmSync(path.join(ws.dir, 'envsync.lock'));
    const warm = await ws.cli(['lock', '--offline']);
    expect(warm.code, warm.stderr).toBe(0);
    expect(lockJson().packages.pip.pandas.version).toBe('2.2.3');
    const plan = await ws.cli(['plan', '--offline']);
    expect(plan.stderr).not.toContain('not checked');
    expect(regs.requests.length).toBe(asked);
  });

  it('offline, a pinned version the cache says is yanked is still an error', async () => {
    ws.files({ 'data.yaml': env('data', { pip: ['pandas'] }) });
    expect((await ws.cli(['lock'])).code).toBe(0);
    ws.files({ 'data.yaml': env('data', { pip: ['pandas==2.2.1'] }) });
    const r = await ws.cli(['plan', '--offline']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('version 2.2.1 of pandas is yanked');
  });
});

describe('registries: in envsync.yaml', () => {
  it("a workspace's own mirror is used for its specs, and its entries are its own", async () => {
    const mirror = await startFixtureRegistries();
    try {
      writeFileSync(
        path.join(ws.dir, 'envsync.yaml'),
        [
          `project: ${TEST_PROJECT}`,
          registriesBlock(regs.url, ['pip', 'npm']).trimEnd(),
          'workspaces:',
          '  staging:',
          '    workspace_id: wrkspc_01LockStaging',
          '    dirs: [environments/staging]',
          '  production:',
          '    workspace_id: wrkspc_01LockProduction',
          '    dirs: [environments/production]',
          registriesBlock(mirror.url, ['pip'], '    ').trimEnd(),
          '',
        ].join('\n'),
      );
      ws.files({});
      for (const [dir, name] of [
        ['staging', 's'],
        ['production', 'p'],
      ] as const) {
        const folder = path.join(ws.envDir, dir);
        await import('node:fs').then((fs) => fs.mkdirSync(folder));
        writeFileSync(path.join(folder, `${name}.yaml`), env(name, { pip: ['pandas'], npm: ['express'] }));
      }
      const r = await ws.cli(['lock']);
      expect(r.code, r.stderr).toBe(0);
      const lock = lockJson();
      expect(lock.packages.pip.pandas.registry).toBe(`${regs.url}/pip`);
      expect(lock.packages.npm.express.registry).toBe(`${regs.url}/npm`);
      expect(lock.workspaces.production.packages.pip.pandas.registry).toBe(`${mirror.url}/pip`);
      expect(lock.workspaces.production.packages.npm).toBeUndefined();
      expect(mirror.requests).toEqual(['/pip/pypi/pandas/json']);
      expect(regs.requests.sort()).toEqual(['/npm/express', '/pip/pypi/pandas/json']);
      // Each workspace plans with its own entries, and --frozen holds for both.
      for (const name of ['staging', 'production']) {
        const plan = await ws.cli(['--workspace', name, 'plan', '--frozen']);
        expect(plan.code, plan.stderr).toBe(0);
        expect(plan.stdout).toContain('(locked 2.2.3)');
      }
      expect((await ws.cli(['lock', '--check'])).code).toBe(0);
    } finally {
      await mirror.close();
    }
  });

  it('URLs follow the API base URL rules, each problem at its place', async () => {
    writeFileSync(
      path.join(ws.dir, 'envsync.yaml'),
      [
        `project: ${TEST_PROJECT}`,
        'registries:',
        '  pip: http://pypi.internal.example',
        '  npm: {url: "https://user:pw@npm.example"}',
        '  cargo: {url: https://index.example, checksum_db: https://sum.example}',
        '  go: {url: https://proxy.example, token_env: "1BAD"}',
        '  gem: ftp://gems.example',
        '',
      ].join('\n'),
    );
    ws.files({ 'a.yaml': env('a', { pip: ['pandas'] }) });
    const r = await ws.cli(['lock']);
    expect(r.code).toBe(1);
    const lines = r.stderr.split('\n').filter((l) => l.startsWith('error'));
    expect(lines).toEqual([
      'error    envsync.yaml:5:39  registries.cargo.checksum_db  unknown key "checksum_db"',
      'error    envsync.yaml:6:47  registries.go.token_env  "1BAD" is not an environment variable name',
      'error[invalid_config]: 2 errors in the project file',
    ]);
    writeFileSync(
      path.join(ws.dir, 'envsync.yaml'),
      readFileSync(path.join(ws.dir, 'envsync.yaml'), 'utf8')
        .replace(', token_env: "1BAD"', ', checksum_db: "http://sum.example"')
        .replace(', checksum_db: https://sum.example', ''),
    );
    const urls = await ws.cli(['lock']);
    expect(urls.stderr.split('\n').filter((l) => l.startsWith('error'))).toEqual([
      'error    envsync.yaml:3:8  registries.pip  refusing to send registry requests over plain http:// to pypi.internal.example',
      'error    envsync.yaml:4:14  registries.npm.url  a registry URL must not carry credentials',
      'error    envsync.yaml:6:49  registries.go.checksum_db  refusing to send registry requests over plain http:// to sum.example',
      'error    envsync.yaml:7:8  registries.gem  unsupported URL scheme ftp: in ftp://gems.example',
      'error[invalid_config]: 4 errors in the project file',
    ]);
  });

  it('a token is sent to its registry, never printed; a missing one is named', async () => {
    const seen: string[] = [];
    const { createServer } = await import('node:http');
    const server = createServer((req, res) => {
      seen.push(req.headers.authorization ?? 'none');
      res.writeHead(401, { 'content-type': 'application/json' });
      res.end('{"error": "bad token sk-secret-123"}');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as { port: number }).port;
    try {
      writeFileSync(
        path.join(ws.dir, 'envsync.yaml'),
        `project: ${TEST_PROJECT}\nregistries:\n  pip: {url: "http://127.0.0.1:${port}", token_env: PIP_TOKEN}\n`,
      );
      ws.files({ 'a.yaml': env('a', { pip: ['pandas'] }) });
      const missing = await ws.cli(['lock']);
      expect(missing.stderr).toContain('error[registry_token_missing]: PIP_TOKEN is not set');
      expect(missing.stderr).toContain('--> envsync.yaml:3:3');
      const r = await ws.cli(['lock'], {
        env: { ...process.env, PIP_TOKEN: 'sk-secret-123', ANTHROPIC_API_KEY: 'k' },
      });
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(
        `error[registry_error]: PyPI (http://127.0.0.1:${port}) for pandas: the registry answered 401`,
      );
      expect(r.stderr).toContain('check its token (token_env in envsync.yaml)');
      expect(`${r.stdout}${r.stderr}`).not.toContain('sk-secret-123');
      expect(seen).toEqual(['Bearer sk-secret-123']);
    } finally {
      await new Promise((r) => server.close(r));
    }
  });
});

describe('a registry that misbehaves ends with a clear error', () => {
  it.each([
    ['loop', 'error[http_redirects]: PyPI', 'redirects in a loop'],
    ['huge', 'error[http_too_large]: PyPI', 'the answer is larger than the 1 MiB limit'],
    ['stall', 'error[http_timeout]: PyPI', 'no complete answer within 200 ms'],
  ] as const)('%s', async (fault, code, words) => {
    await regs.close();
    regs = await startFixtureRegistries({ fault: () => fault });
    writeFileSync(
      path.join(ws.dir, 'envsync.yaml'),
      `project: ${TEST_PROJECT}\n${registriesBlock(regs.url, ['pip'])}`,
    );
    ws.files({ 'a.yaml': env('a', { pip: ['pandas'] }) });
    const { lockProject } = await import('../../src/workflow/lock.js');
    const { resolveProject } = await import('../../src/project/context.js');
    const project = resolveProject({
      cwd: ws.dir,
      local: false,
      workspace: undefined,
      changelog: undefined,
      dir: undefined,
      needs: 'files',
    });
    const run = lockProject({
      projects: [project],
      names: [],
      whole: true,
      check: false,
      upgrade: null,
      offline: false,
      local: true,
      env: {},
      cwd: ws.dir,
      now: Date.now,
      limits: { maxBytes: 1024 * 1024, deadlineMs: 200 },
    });
    const e = await run.then(
      () => null,
      (err: unknown) => err,
    );
    const { renderError } = await import('../../src/cli/render-errors.js');
    let text = '';
    renderError(
      undefined,
      quietIo((s) => {
        text += s;
      }),
      e,
      false,
    );
    expect(text).toContain(code);
    expect(text).toContain(words);
    expect(() => readFileSync(path.join(ws.dir, 'envsync.lock'))).toThrow();
  });

  it('through the CLI: a redirect loop stops lock with its error and the registry named', async () => {
    await regs.close();
    regs = await startFixtureRegistries({ fault: (p) => (p.includes('express') ? 'loop' : undefined) });
    writeFileSync(
      path.join(ws.dir, 'envsync.yaml'),
      `project: ${TEST_PROJECT}\n${registriesBlock(regs.url)}`,
    );
    ws.files({ 'a.yaml': env('a', { pip: ['pandas'], npm: ['express'] }) });
    const r = await ws.cli(['lock']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      `error[http_redirects]: npm (${regs.url}/npm) for express: redirects in a loop (back to ${regs.url}/npm/express)`,
    );
  });
});
