import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, runCli, tempDir } from '../helpers/cli.js';

const FIX = 'test/fixtures/invalid';

interface Case {
  dir: string;
  /** file (relative to the case dir):line:column of the first error. */
  at: string;
  path: string;
  message: string | RegExp;
  hint?: string | RegExp;
}

const cases: Case[] = [
  { dir: 'yaml-syntax', at: 'env.yaml:3:1', path: '', message: /Flow map .* must .* end with a \}/ },
  {
    dir: 'tab-indent',
    at: 'env.yaml:3:1',
    path: '',
    message: 'Tabs are not allowed as indentation',
    hint: /indent with spaces/,
  },
  { dir: 'duplicate-key', at: 'env.yaml:3:1', path: '', message: 'duplicate key' },
  { dir: 'alias-bomb', at: 'env.yaml:3:8', path: '', message: 'too many aliases' },
  {
    dir: 'unknown-top-key',
    at: 'env.yaml:2:1',
    path: 'descripton',
    message: 'unknown key "descripton"',
    hint: 'did you mean "description"?',
  },
  {
    dir: 'unknown-nested-key',
    at: 'env.yaml:6:5',
    path: 'config.networking.allowed_host',
    message: 'unknown key "allowed_host"',
    hint: 'did you mean "allowed_hosts"?',
  },
  {
    dir: 'unknown-package-manager',
    at: 'env.yaml:5:5',
    path: 'config.packages.pipp',
    message: 'unknown key "pipp"',
    hint: 'did you mean "pip"?',
  },
  { dir: 'missing-name', at: 'env.yaml:1:1', path: '', message: 'missing required key "name"' },
  { dir: 'missing-config-type', at: 'env.yaml:3:3', path: 'config', message: 'missing required key "type"' },
  {
    dir: 'name-wrong-type',
    at: 'env.yaml:1:7',
    path: 'name',
    message: 'must be a string, not the number 42',
  },
  {
    dir: 'packages-not-list',
    at: 'env.yaml:5:10',
    path: 'config.packages.pip',
    message: 'must be a list, not the string "pandas==2.2.0"',
  },
  {
    dir: 'package-not-string',
    at: 'env.yaml:7:9',
    path: 'config.packages.npm[1]',
    message: 'must be a string, not the number 7',
  },
  {
    dir: 'bool-wrong-type',
    at: 'env.yaml:6:24',
    path: 'config.networking.allow_mcp_servers',
    message: 'must be true or false, not the string "yes"',
  },
  {
    dir: 'bad-config-type',
    at: 'env.yaml:3:9',
    path: 'config.type',
    message: 'must be one of cloud, self_hosted',
    hint: 'did you mean "cloud"?',
  },
  {
    dir: 'bad-networking-type',
    at: 'env.yaml:5:11',
    path: 'config.networking.type',
    message: 'must be one of unrestricted, limited',
    hint: 'did you mean "limited"?',
  },
  {
    dir: 'bad-lifecycle',
    at: 'env.yaml:3:21',
    path: 'lifecycle.on_config_change',
    message: 'must be one of update, recreate, not the string "replace"',
  },
  { dir: 'scope-bad', at: 'env.yaml:2:8', path: 'scope', message: 'must be one of organization, account' },
  {
    dir: 'limited-packages',
    at: 'env.yaml:7:5',
    path: 'config.networking',
    message: 'packages under limited networking need allow_package_managers: true',
  },
  {
    dir: 'limited-packages-false',
    at: 'env.yaml:8:29',
    path: 'config.networking.allow_package_managers',
    message: 'packages under limited networking need allow_package_managers: true',
  },
  {
    dir: 'duplicate-names-across-files',
    at: 'a.yaml:1:7',
    path: 'name',
    message: /duplicate name "shared-name", defined at .*a\.yaml:1:7, .*b\.yaml:2:7/,
  },
  {
    dir: 'duplicate-names-one-file',
    at: 'env.yaml:1:7',
    path: 'name',
    message: /duplicate name "twice", defined at .*env\.yaml:1:7, .*env\.yaml:3:7/,
  },
  {
    dir: 'metadata-too-many',
    at: 'env.yaml:3:3',
    path: 'metadata',
    message: 'has 15 keys, over the limit of 14',
    hint: /envsync keeps 2/,
  },
  {
    dir: 'metadata-key-too-long',
    at: 'env.yaml:4:3',
    path: `metadata.${'a'.repeat(65)}`,
    message: 'key is 65 characters, over the limit of 64',
  },
  {
    dir: 'metadata-value-too-long',
    at: 'env.yaml:3:9',
    path: 'metadata.note',
    message: 'is 513 characters, over the limit of 512',
  },
  {
    dir: 'metadata-value-type',
    at: 'env.yaml:3:13',
    path: 'metadata.replicas',
    message: 'must be a string, not the number 3',
  },
  {
    dir: 'reserved-metadata-key',
    at: 'env.yaml:4:3',
    path: 'metadata.envsync_managed',
    message: 'metadata key "envsync_managed" is reserved',
  },
  {
    dir: 'http-host',
    at: 'env.yaml:8:9',
    path: 'config.networking.allowed_hosts[1]',
    message: '"http://insecure.example.com" uses plain http://',
  },
  {
    dir: 'host-with-path',
    at: 'env.yaml:6:21',
    path: 'config.networking.allowed_hosts[0]',
    message: 'has a path',
  },
  {
    dir: 'host-with-query',
    at: 'env.yaml:6:21',
    path: 'config.networking.allowed_hosts[0]',
    message: 'has a query',
  },
  { dir: 'empty-name', at: 'env.yaml:1:7', path: 'name', message: 'must not be empty' },
  { dir: 'long-name', at: 'env.yaml:2:7', path: 'name', message: 'is 257 characters, over the limit of 256' },
  {
    dir: 'long-description',
    at: 'env.yaml:2:14',
    path: 'description',
    message: 'is 1025 characters, over the limit of 1024',
  },
  {
    dir: 'top-level-list',
    at: 'env.yaml:1:1',
    path: '',
    message: 'an environment must be a mapping, not a list',
  },
  {
    dir: 'top-level-scalar',
    at: 'env.yaml:1:1',
    path: '',
    message: 'an environment must be a mapping, not a string',
  },
  { dir: 'non-utf8', at: 'env.yaml:1:10', path: '', message: 'invalid UTF-8 (byte 0xe9)' },
  {
    dir: 'self-hosted-packages',
    at: 'env.yaml:4:3',
    path: 'config.packages',
    message: '"packages" is not allowed in a self_hosted environment',
  },
  {
    dir: 'unrestricted-hosts',
    at: 'env.yaml:6:5',
    path: 'config.networking.allowed_hosts',
    message: '"allowed_hosts" only applies to limited networking',
  },
  { dir: 'tilde-name', at: 'env.yaml:1:7', path: 'name', message: 'must not contain "~"' },
  {
    dir: 'package-with-space',
    at: 'env.yaml:5:11',
    path: 'config.packages.pip[0]',
    message: 'must not contain spaces',
  },
];

interface JsonDiagnostic {
  severity: string;
  file: string;
  line: number;
  column: number;
  path: string;
  message: string;
  hint?: string;
}

describe('envsync validate on bad input', () => {
  it('has at least 30 cases', () => {
    expect(cases.length).toBeGreaterThanOrEqual(30);
  });

  it.each(cases)('$dir', async (c) => {
    const dir = `${FIX}/${c.dir}`;
    const json = await runCli(['validate', dir, '--format', 'json']);
    expect(json.code).toBe(1);
    const doc = JSON.parse(json.stdout) as { valid: boolean; diagnostics: JsonDiagnostic[] };
    expect(doc.valid).toBe(false);
    const errors = doc.diagnostics.filter((d) => d.severity === 'error');
    const first = errors[0];
    expect(first).toBeDefined();
    if (!first) return;
    expect(`${path.relative(dir, first.file)}:${first.line}:${first.column}`).toBe(c.at);
    expect(first.path).toBe(c.path);
    if (typeof c.message === 'string') expect(first.message).toContain(c.message);
    else expect(first.message).toMatch(c.message);
    if (c.hint) {
      if (typeof c.hint === 'string') expect(first.hint).toBe(c.hint);
      else expect(first.hint).toMatch(c.hint);
    }

    // The text form names the same place, and no stack trace ever reaches the user.
    const text = await runCli(['validate', dir]);
    expect(text.code).toBe(1);
    expect(text.stdout).toContain(`${dir}/${c.at}`);
    expect(text.stdout + text.stderr).not.toMatch(/\n\s+at .+:\d+:\d+\)?\n/);
    expect(text.stdout).toMatch(/\d+ environments?, [1-9]\d* errors?, \d+ warnings?\n$/);
  });

  it('refuses a file over the 1 MiB cap without reading it as YAML', async () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, 'big.yaml'), `name: big\ndescription: ${'x'.repeat(1024 * 1024)}\n`);
    const r = await runCli(['validate', dir, '--format', 'json'], { cwd: dir });
    expect(r.code).toBe(1);
    const doc = JSON.parse(r.stdout) as { diagnostics: JsonDiagnostic[] };
    expect(doc.diagnostics[0]).toMatchObject({ file: 'big.yaml', line: 1, column: 1 });
    expect(doc.diagnostics[0]?.message).toMatch(/over the 1 MiB limit/);
  });

  it('does not follow a symbolic link out of the directory', async () => {
    const outside = tempDir();
    writeFileSync(path.join(outside, 'secret.yaml'), 'name: outside\n');
    const dir = tempDir();
    writeFileSync(path.join(dir, 'ok.yaml'), 'name: inside\n');
    symlinkSync(path.join(outside, 'secret.yaml'), path.join(dir, 'link.yaml'));
    const r = await runCli(['validate', '.', '--format', 'json'], { cwd: dir });
    expect(r.code).toBe(1);
    const doc = JSON.parse(r.stdout) as { environments: { name: string }[]; diagnostics: JsonDiagnostic[] };
    expect(doc.environments.map((e) => e.name)).toEqual(['inside']);
    expect(doc.diagnostics[0]).toMatchObject({
      file: 'link.yaml',
      message: 'symbolic link leads outside the directory',
    });
  });

  it('reports a missing directory as an error with a hint', async () => {
    const r = await runCli(['validate', 'no/such/dir']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('error[no_such_dir]: directory not found: no/such/dir');
    expect(r.stderr).toContain('hint:');
  });

  it('refuses a directory with no environment files', async () => {
    const dir = tempDir();
    mkdirSync(path.join(dir, 'environments'));
    const r = await runCli(['validate'], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/error\[no_files\]: no \.yaml or \.yml files under environments/);
  });
});

describe('envsync validate on good input', () => {
  it('accepts the shipped environments', async () => {
    const r = await runCli(['validate', 'environments', '--format', 'json'], { cwd: ROOT });
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout) as {
      format_version: number;
      valid: boolean;
      environments: { name: string; file: string; line: number; config_hash: string }[];
    };
    expect(doc.format_version).toBe(1);
    expect(doc.valid).toBe(true);
    expect(doc.environments.length).toBeGreaterThanOrEqual(3);
    for (const env of doc.environments) {
      expect(env.config_hash).toMatch(/^sha256:[0-9a-f]{64}$/);
      expect(env.file).toMatch(/^environments\/.+\.ya?ml$/);
    }
  });

  it('warns about unpinned packages, empty files and scope on cloud; --strict makes them errors', async () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, 'empty.yaml'), '# nothing yet\n');
    writeFileSync(
      path.join(dir, 'loose.yml'),
      'name: loose\nscope: organization\nconfig:\n  type: cloud\n  packages:\n    pip: [pandas]\n    npm: ["express@^4.18.0"]\n    go: [golang.org/x/tools/cmd/goimports@latest]\n',
    );
    const r = await runCli(['validate', '.', '--format', 'json'], { cwd: dir });
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout) as { valid: boolean; diagnostics: JsonDiagnostic[] };
    expect(doc.valid).toBe(true);
    const byPath = Object.fromEntries(doc.diagnostics.map((d) => [`${d.file}:${d.path}`, d]));
    expect(byPath['empty.yaml:']).toMatchObject({
      severity: 'warning',
      line: 1,
      column: 1,
      message: 'file holds no environment',
    });
    expect(byPath['loose.yml:scope']).toMatchObject({ severity: 'warning', line: 2, column: 1 });
    expect(byPath['loose.yml:config.packages.pip[0]']).toMatchObject({
      severity: 'warning',
      line: 6,
      column: 11,
      hint: "pin it with pip's syntax, e.g. pandas==2.2.0",
    });
    expect(byPath['loose.yml:config.packages.npm[0]']?.hint).toBe(
      "pin it with npm's syntax, e.g. express@4.18.0",
    );
    expect(byPath['loose.yml:config.packages.go[0]']?.message).toMatch(/not pinned/);

    const strict = await runCli(['validate', '.', '--strict', '--format', 'json'], { cwd: dir });
    expect(strict.code).toBe(1);
    const sdoc = JSON.parse(strict.stdout) as { diagnostics: JsonDiagnostic[] };
    expect(sdoc.diagnostics.every((d) => d.severity === 'error')).toBe(true);
    expect(sdoc.diagnostics).toHaveLength(doc.diagnostics.length);
  });

  it('emits GitHub annotations when running in GitHub Actions', async () => {
    const r = await runCli(['validate', `${FIX}/http-host`], { env: { GITHUB_ACTIONS: 'true' } });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(
      `::error file=${FIX}/http-host/env.yaml,line=8,col=9::config.networking.allowed_hosts[1]: "http://insecure.example.com" uses plain http:// (hint: use a host name (api.example.com) or an https:// origin)\n`,
    );
  });

  it('reads several documents from one file', async () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, 'many.yaml'), 'name: one\n---\nname: two\n---\n');
    const r = await runCli(['validate', '.', '--format', 'json'], { cwd: dir });
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout) as { environments: { name: string; line: number }[] };
    expect(doc.environments.map((e) => [e.name, e.line])).toEqual([
      ['one', 1],
      ['two', 3],
    ]);
  });
});
