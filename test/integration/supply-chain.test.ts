// The supply-chain gate end to end: locked versions against a local OSV server (fixture records in the OSV
// API's shapes), judged by policies.vulnerabilities and policies.ignore, in plan's three formats and in
// `envsync audit-packages`; the OSV cache; expired ignores refused before anything is asked.

import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { osvUrl, type RunningRegistries } from '../../src/emulator/registries.js';
import type { Plan } from '../../src/model.js';
import { OsvClient, type OsvQuery, queryKey } from '../../src/packages/osv.js';
import { tempDir } from '../helpers/cli.js';
import { registriesWithOsv, startFixtureRegistries } from '../helpers/registries.js';
import { packagesEnv as env, TEST_PROJECT, Workspace } from '../helpers/workspace.js';

let ws: Workspace;
let regs: RunningRegistries;

beforeEach(async () => {
  ws = await Workspace.start();
  regs = await startFixtureRegistries();
});

afterEach(async () => {
  await regs.close();
  await ws.close();
});

function project(policies: string): void {
  writeFileSync(
    path.join(ws.dir, 'envsync.yaml'),
    `project: ${TEST_PROJECT}\n${registriesWithOsv(regs.url)}${policies === '' ? '' : `policies:\n${policies}`}`,
  );
}

const osvRequests = () => regs.requests.filter((p) => p.startsWith('/osv/'));

async function lockedProject(policies: string): Promise<void> {
  project(policies);
  ws.files({
    'data.yaml': env('data', { pip: ['pandas==2.2.0', 'requests==2.31.0'] }),
    'etl.yaml': env('etl', { pip: ['pandas==2.2.0'] }),
    'web.yaml': env('web', { npm: ['express@4.21.0'] }),
  });
  const lock = await ws.cli(['lock']);
  expect(lock.code, lock.stderr).toBe(0);
}

const PANDAS = '⚠ pandas 2.2.0: GHSA-8fxw-4h9q-j2vv (high), fixed in 2.2.2';

describe('plan with policies.vulnerabilities', () => {
  it('warns of each finding beside its environment and package, in text, JSON and markdown; a second plan asks OSV nothing', async () => {
    await lockedProject('  vulnerabilities: warn\n');
    const text = await ws.cli(['plan']);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toContain('Known vulnerabilities in locked versions (OSV):');
    expect(text.stdout).toContain(`  data\n    ${PANDAS}  [warn]`);
    expect(text.stdout).toContain('    ⚠ requests 2.31.0: PYSEC-2024-901 (medium), fixed in 2.32.0  [warn]');
    expect(text.stdout).toContain(`  etl\n    ${PANDAS}  [warn]`);
    expect(text.stdout).toContain(
      '  web\n    ⚠ express 4.21.0: GHSA-qw6h-vgh9-j6wx (low), fixed in 4.21.1, 5.0.0  [warn]',
    );
    // One batch for the three distinct versions, one record each; the next plan reads them from the cache.
    expect([...osvRequests()].sort()).toEqual([
      '/osv/v1/querybatch',
      '/osv/v1/vulns/GHSA-8fxw-4h9q-j2vv',
      '/osv/v1/vulns/GHSA-qw6h-vgh9-j6wx',
      '/osv/v1/vulns/PYSEC-2024-901',
    ]);
    expect(osvRequests()[0]).toBe('/osv/v1/querybatch');

    const json = await ws.cli(['plan', '--format', 'json']);
    expect(json.code).toBe(0);
    const plan = JSON.parse(json.stdout) as Plan;
    expect(plan.blocked).toEqual([]);
    expect(
      plan.findings.map((f) => [
        f.package,
        f.version,
        f.vulnerability.id,
        f.vulnerability.severity,
        f.environments,
        f.verdict,
      ]),
    ).toEqual([
      ['express', '4.21.0', 'GHSA-qw6h-vgh9-j6wx', 'low', ['web'], 'warn'],
      ['pandas', '2.2.0', 'GHSA-8fxw-4h9q-j2vv', 'high', ['data', 'etl'], 'warn'],
      ['requests', '2.31.0', 'PYSEC-2024-901', 'medium', ['data'], 'warn'],
    ]);
    expect(plan.findings[1]?.vulnerability).toMatchObject({ aliases: ['CVE-2024-99001'], fixed: ['2.2.2'] });

    const markdown = await ws.cli(['plan', '--format', 'markdown']);
    expect(markdown.stdout).toContain('### Known vulnerabilities in locked versions (OSV)');
    expect(markdown.stdout).toContain(
      '- <code>data</code>: ⚠ pandas 2.2.0&#58; GHSA-8fxw-4h9q-j2vv (high), fixed in 2.2.2 — warn',
    );
    // Three plans, one round of OSV requests: the rest came from .envsync/cache/osv.
    expect(osvRequests()).toHaveLength(4);
  });

  it('blocks what reaches min_severity: plan exits 3 naming the finding, and leaves lower ones out', async () => {
    await lockedProject('  vulnerabilities: {action: block, min_severity: high}\n');
    const r = await ws.cli(['plan']);
    expect(r.code).toBe(3);
    expect(r.stdout).toContain(`${PANDAS}  [block]`);
    expect(r.stdout).toContain(
      '[vulnerable_package]: pandas 2.2.0: GHSA-8fxw-4h9q-j2vv (high), fixed in 2.2.2 (pip; in data, etl;',
    );
    expect(r.stdout).toContain('envsync lock --upgrade pandas');
    expect(r.stdout).not.toContain('PYSEC-2024-901');
    expect(r.stdout).not.toContain('express 4.21.0');
    const json = JSON.parse((await ws.cli(['plan', '--format', 'json'])).stdout) as Plan;
    expect(json.blocked.map((b) => [b.rule, b.name])).toEqual([['vulnerable_package', 'data']]);
    // apply holds the same gate.
    const apply = await ws.cli(['apply', '--auto-approve']);
    expect(apply.code).toBe(3);
    expect(ws.emu.stats().byRoute['POST /v1/environments'] ?? 0).toBe(0);
  });

  it('an ignore with a reason silences a finding until its day; an expired one is a located error before any request', async () => {
    await lockedProject(
      '  vulnerabilities: block\n  ignore:\n    - {id: CVE-2024-99001, reason: "read_csv never sees user input here", expires: 2999-01-31}\n    - {id: PYSEC-2024-901, reason: "no proxies", expires: 2999-01-31}\n    - {id: GHSA-qw6h-vgh9-j6wx, reason: "no redirects", expires: 2999-01-31}\n',
    );
    const r = await ws.cli(['plan']);
    expect(r.code, r.stdout).toBe(0);
    expect(r.stdout).toContain(
      '· pandas 2.2.0: GHSA-8fxw-4h9q-j2vv (high), fixed in 2.2.2  [ignored until 2999-01-31: read_csv never sees user input here]',
    );

    project(
      '  vulnerabilities: block\n  ignore:\n    - {id: GHSA-8fxw-4h9q-j2vv, reason: "accepted", expires: 2024-01-31}\n',
    );
    const before = { api: ws.emu.stats().requests, osv: osvRequests().length };
    const expired = await ws.cli(['plan']);
    expect(expired.code).toBe(1);
    expect(expired.stderr).toContain('envsync.yaml:9:53');
    expect(expired.stderr).toContain('the ignore of GHSA-8fxw-4h9q-j2vv (accepted) expired on 2024-01-31');
    expect(ws.emu.stats().requests).toBe(before.api);
    expect(osvRequests().length).toBe(before.osv);
    // validate says the same, offline.
    const validate = await ws.cli(['validate']);
    expect(validate.code).toBe(1);
    expect(validate.stdout + validate.stderr).toContain('envsync.yaml:9:53');
  });

  it('without a vulnerabilities policy, plan asks OSV nothing', async () => {
    await lockedProject('');
    const r = await ws.cli(['plan']);
    expect(r.code).toBe(0);
    expect(r.stdout).not.toContain('Known vulnerabilities');
    expect(osvRequests()).toEqual([]);
  });
});

describe('OSV answers and the cache', () => {
  it('--offline uses only the cache, and says how many versions it could not check', async () => {
    await lockedProject('  vulnerabilities: warn\n');
    const cold = await ws.cli(['plan', '--offline']);
    expect(cold.code, cold.stderr).toBe(0);
    expect(cold.stderr).toContain('--offline: 3 locked versions were not checked for known vulnerabilities');
    expect(osvRequests()).toEqual([]);
    expect((await ws.cli(['plan'])).code).toBe(0);
    const asked = osvRequests().length;
    const warm = await ws.cli(['plan', '--offline']);
    expect(warm.stdout).toContain(PANDAS);
    expect(warm.stderr).not.toContain('not checked for known vulnerabilities');
    expect(osvRequests().length).toBe(asked);
  });

  it('an OSV failure stops plan with the error (exit 1) and nothing planned', async () => {
    await regs.close();
    regs = await startFixtureRegistries({
      fault: (p) => (p.startsWith('/osv/') ? { status: 500 } : undefined),
    });
    await lockedProject('  vulnerabilities: warn\n');
    const r = await ws.cli(['plan']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('error[osv_error]');
    expect(r.stderr).toContain('OSV answered 500');
    expect(r.stdout).toBe('');
  });
});

describe('the OSV client', () => {
  it('asks in batches of 1,000, fetches each advisory once, and answers a second run from the cache', async () => {
    const cacheDir = path.join(tempDir('envsync-osv-cache-'), 'osv');
    const client = () => new OsvClient({ url: osvUrl(regs.url), offline: false, cacheDir, now: Date.now });
    const queries = [
      { ecosystem: 'PyPI', name: 'pandas', version: '2.2.0' },
      { ecosystem: 'PyPI', name: 'Pandas', version: '2.1.4' },
      ...Array.from({ length: 1500 }, (_, i) => ({ ecosystem: 'npm', name: `pkg-${i}`, version: '1.0.0' })),
    ];
    const cold = client();
    const answer = await cold.vulnerabilities(queries);
    expect(answer.found.get(queryKey(queries[1] as OsvQuery))?.map((v) => v.id)).toEqual([
      'GHSA-8fxw-4h9q-j2vv',
    ]);
    expect(answer.found.get(queryKey(queries[5] as OsvQuery))).toEqual([]);
    expect(osvRequests()).toEqual([
      '/osv/v1/querybatch',
      '/osv/v1/querybatch',
      '/osv/v1/vulns/GHSA-8fxw-4h9q-j2vv',
    ]);
    expect(cold.stats).toEqual({ requests: 3, fromCache: 0 });
    const warm = client();
    await warm.vulnerabilities(queries);
    expect(warm.stats).toEqual({ requests: 0, fromCache: 1502 });
  });
});

describe('envsync audit-packages', () => {
  it('lists every finding of every locked version, judged by the policies, in text and JSON', async () => {
    await lockedProject('  vulnerabilities: {action: block, min_severity: critical}\n');
    const r = await ws.cli(['audit-packages']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('3 known vulnerabilities in 3 locked versions:');
    expect(r.stdout).toContain(`${PANDAS}  (pip; in data, etl) [warn]`);
    const json = await ws.cli(['audit-packages', '--format', 'json']);
    const report = JSON.parse(json.stdout) as {
      findings: Array<{ vulnerability: { id: string } }>;
      versions: number;
    };
    expect(report.versions).toBe(3);
    expect(report.findings.map((f) => f.vulnerability.id)).toEqual([
      'GHSA-qw6h-vgh9-j6wx',
      'GHSA-8fxw-4h9q-j2vv',
      'PYSEC-2024-901',
    ]);

    project('  vulnerabilities: block\n');
    const blocked = await ws.cli(['audit-packages']);
    expect(blocked.code).toBe(3);
  });
});
