// The release-age quarantine and lock --upgrade end to end: a local registry whose publish times are relative
// to now (written per test), the OSV fixture server, the CLI in-process.

import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RunningRegistries } from '../../src/emulator/registries.js';
import { tempDir } from '../helpers/cli.js';
import { REGISTRY_FIXTURES, registriesWithOsv, startFixtureRegistries } from '../helpers/registries.js';
import { packagesEnv as env, TEST_PROJECT, Workspace } from '../helpers/workspace.js';

let ws: Workspace;
let regs: RunningRegistries;
const DAY = 86_400_000;
const NOW = Date.now();
const ago = (days: number) => new Date(NOW - days * DAY).toISOString();
const dayOf = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** A PyPI JSON document for `freshpkg` with releases published `days` ago. */
function pypiDoc(releases: Record<string, number>): string {
  return JSON.stringify({
    info: { name: 'freshpkg' },
    releases: Object.fromEntries(
      Object.entries(releases).map(([v, days], i) => [
        v,
        [
          {
            filename: `freshpkg-${v}.tar.gz`,
            packagetype: 'sdist',
            digests: { sha256: `${String(i).repeat(64)}`.slice(0, 64) },
            upload_time_iso_8601: ago(days),
            yanked: false,
          },
        ],
      ]),
    ),
  });
}

beforeEach(async () => {
  ws = await Workspace.start();
  const root = path.join(tempDir('envsync-registry-'), 'registries');
  cpSync(REGISTRY_FIXTURES, root, { recursive: true });
  writeFileSync(path.join(root, 'pypi/freshpkg.json'), pypiDoc({ '1.0.0': 60, '1.1.0': 20, '1.2.0': 2 }));
  regs = await startFixtureRegistries({ root });
});

afterEach(async () => {
  await regs.close();
  await ws.close();
});

function project(policies = ''): void {
  writeFileSync(
    path.join(ws.dir, 'envsync.yaml'),
    `project: ${TEST_PROJECT}\n${registriesWithOsv(regs.url)}${policies === '' ? '' : `policies:\n${policies}`}`,
  );
}

const lockFile = () => path.join(ws.dir, 'envsync.lock');
const locked = (manager: string, spec: string) =>
  (
    JSON.parse(readFileSync(lockFile(), 'utf8')) as {
      packages: Record<string, Record<string, { version: string }>>;
    }
  ).packages[manager]?.[spec]?.version;

describe('min_release_age', () => {
  it('lock picks the newest version old enough; without the policy, the newest', async () => {
    ws.files({ 'data.yaml': env('data', { pip: ['freshpkg'] }) });
    project('  min_release_age: 7d\n');
    const r = await ws.cli(['lock']);
    expect(r.code, r.stderr).toBe(0);
    expect(locked('pip', 'freshpkg')).toBe('1.1.0');
    // A range passes over the young version the same way.
    ws.files({ 'data.yaml': env('data', { pip: ['freshpkg>=1.0'] }) });
    expect((await ws.cli(['lock'])).code).toBe(0);
    expect(locked('pip', 'freshpkg>=1.0')).toBe('1.1.0');
    project('');
    ws.files({ 'data.yaml': env('data', { pip: ['freshpkg>=1.0,<2'] }) });
    expect((await ws.cli(['lock'])).code).toBe(0);
    expect(locked('pip', 'freshpkg>=1.0,<2')).toBe('1.2.0');
  });

  it('a pinned version too young is a located violation naming its publish date and the day it is allowed', async () => {
    ws.files({ 'data.yaml': env('data', { pip: ['freshpkg==1.2.0'] }) });
    project('  min_release_age: 7d\n');
    const r = await ws.cli(['lock']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('environments/data.yaml:5:11');
    expect(r.stderr).toContain(
      `violates policy "min_release_age: 7d" (set at envsync.yaml:7:3): version 1.2.0 was published on ${dayOf(NOW - 2 * DAY)} and may be locked from ${dayOf(NOW + 5 * DAY)}`,
    );
    expect(() => readFileSync(lockFile())).toThrow();
  });

  it('an exception with a reason lets the package through until its day; an expired one is an error at its line', async () => {
    ws.files({ 'data.yaml': env('data', { pip: ['freshpkg==1.2.0'] }) });
    project(
      '  min_release_age:\n    age: 7d\n    except:\n      - {package: freshpkg, reason: "the fix for a CVE", expires: 2999-01-31}\n',
    );
    const r = await ws.cli(['lock']);
    expect(r.code, r.stderr).toBe(0);
    expect(locked('pip', 'freshpkg==1.2.0')).toBe('1.2.0');

    project(
      '  min_release_age:\n    age: 7d\n    except:\n      - {package: freshpkg, reason: "the fix for a CVE", expires: 2025-01-31}\n',
    );
    const before = regs.requests.length;
    const expired = await ws.cli(['lock']);
    expect(expired.code).toBe(1);
    expect(expired.stderr).toContain('envsync.yaml:10:58');
    expect(expired.stderr).toContain(
      'the min_release_age exception for freshpkg (the fix for a CVE) expired on 2025-01-31',
    );
    expect(regs.requests.length).toBe(before);
  });

  it('an entry locked before the rule and still too young: lock --check says so, and lock chooses again', async () => {
    ws.files({ 'data.yaml': env('data', { pip: ['freshpkg'] }) });
    project('');
    expect((await ws.cli(['lock'])).code).toBe(0);
    expect(locked('pip', 'freshpkg')).toBe('1.2.0');
    project('  min_release_age: 7d\n');
    const check = await ws.cli(['lock', '--check']);
    expect(check.code).toBe(1);
    expect(check.stdout).toContain(`version 1.2.0 was published on ${dayOf(NOW - 2 * DAY)}`);
    expect((await ws.cli(['lock'])).code).toBe(0);
    expect(locked('pip', 'freshpkg')).toBe('1.1.0');
    expect((await ws.cli(['lock', '--check'])).code).toBe(0);
  });
});

describe('lock --upgrade', () => {
  /** A lock whose pandas and express entries are older than their specs now allow. */
  async function behindLock(): Promise<void> {
    project('  min_release_age: 7d\n');
    ws.files({
      'data.yaml': env('data', { pip: ['pandas>=2.1,<3', 'requests>=2.31', 'freshpkg'] }),
      'web.yaml': env('web', { npm: ['express@^4.21.0'] }),
    });
    expect((await ws.cli(['lock'])).code).toBe(0);
    const lock = JSON.parse(readFileSync(lockFile(), 'utf8'));
    Object.assign(lock.packages.pip['pandas>=2.1,<3'], { version: '2.2.0', digest: null });
    Object.assign(lock.packages.pip.freshpkg, { version: '1.0.0', digest: null });
    Object.assign(lock.packages.npm['express@^4.21.0'], { version: '4.21.0', digest: null });
    writeFileSync(lockFile(), `${JSON.stringify(lock, null, 2)}\n`);
  }

  it('moves every locked version to the newest allowed, with a PR body listing each change and what it fixes; a second run changes nothing', async () => {
    await behindLock();
    const r = await ws.cli(['lock', '--upgrade', '--format', 'markdown']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('## envsync lock --upgrade');
    expect(r.stdout).toContain(
      '3 locked versions moved to the newest the specs and policies allow, fixing 2 known vulnerabilities.',
    );
    expect(r.stdout).toContain('| pandas | pip | 2.2.0 → 2.2.3 | data | GHSA-8fxw-4h9q-j2vv (high) |');
    expect(r.stdout).toContain('| express | npm | 4.21.0 → 4.21.2 | web | GHSA-qw6h-vgh9-j6wx (low) |');
    // min_release_age holds: freshpkg moves to 1.1.0, not to the 2-day-old 1.2.0.
    expect(r.stdout).toContain('| freshpkg | pip | 1.0.0 → 1.1.0 | data | none known |');
    expect(locked('pip', 'pandas>=2.1,<3')).toBe('2.2.3');
    const after = readFileSync(lockFile(), 'utf8');

    const again = await ws.cli(['lock', '--upgrade', '--format', 'markdown']);
    expect(again.code).toBe(0);
    expect(again.stdout).toBe('envsync.lock is up to date: nothing to upgrade.\n');
    expect(readFileSync(lockFile(), 'utf8')).toBe(after);
  });

  it('NAME… moves only those packages', async () => {
    await behindLock();
    const r = await ws.cli(['lock', '--upgrade', 'pandas']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('~ pip pandas  2.2.0 → 2.2.3  (data)  fixes GHSA-8fxw-4h9q-j2vv (high)');
    expect(r.stdout).toContain('Wrote envsync.lock: 1 version upgraded');
    expect(locked('npm', 'express@^4.21.0')).toBe('4.21.0');
    expect(locked('pip', 'freshpkg')).toBe('1.0.0');
  });
});
