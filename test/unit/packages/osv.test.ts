// OSV's answers parsed at the edge (severity from the database or CVSS v3, fixed versions per package), and
// what the policies make of a finding (strictest verdict, ignores by ID or alias until their day).

import { readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ageMs, expiredEntries, supplyChainRule } from '../../../src/config/gate-policies.js';
import type { Policy, Vulnerability } from '../../../src/model.js';
import { ecosystemOf, verdictOf } from '../../../src/packages/gate.js';
import { vulnerabilityFor } from '../../../src/packages/osv.js';
import { OsvCache } from '../../../src/packages/osv-cache.js';
import { cvss3Score, type OsvRecord, parseBatch, parseRecord } from '../../../src/packages/osv-parse.js';
import { tempDir } from '../../helpers/cli.js';

const buf = (v: unknown) => Buffer.from(JSON.stringify(v));
const at = { file: 'envsync.yaml', line: 3, column: 5 };

describe('CVSS v3 base scores', () => {
  it.each([
    ['CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', 9.8],
    ['CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:U/C:H/I:H/A:N', 8.1],
    ['CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N', 6.1],
    ['CVSS:3.0/AV:N/AC:H/PR:N/UI:R/S:U/C:L/I:L/A:L', 5.0],
    ['CVSS:3.1/AV:L/AC:L/PR:H/UI:N/S:U/C:N/I:N/A:N', 0],
    ['CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N', null],
    ['CVSS:3.1/AV:X/AC:L', null],
  ])('%s → %s', (vector, score) => {
    expect(cvss3Score(vector)).toBe(score);
  });
});

describe('OSV answers', () => {
  it('querybatch: one result per query, an empty object for none, page tokens kept', () => {
    const results = parseBatch(
      buf({ results: [{}, { vulns: [{ id: 'GHSA-1', modified: 'm' }], next_page_token: 'tok' }] }),
      'OSV',
      2,
    );
    expect(results).toEqual([
      { vulns: [], nextPageToken: null },
      { vulns: [{ id: 'GHSA-1', modified: 'm' }], nextPageToken: 'tok' },
    ]);
    expect(() => parseBatch(buf({ results: [{}] }), 'OSV', 2)).toThrow(/1 results for 2 queries/);
    expect(() => parseBatch(buf({ results: [{ vulns: [{}] }] }), 'OSV', 1)).toThrow(/without an id/);
    expect(() => parseBatch(Buffer.from('<html>'), 'OSV', 1)).toThrow(/not JSON/);
  });

  it("a record's severity: the database's rating first, then the highest CVSS v3 score, else unknown", () => {
    const base = { id: 'X-1', modified: 'm', affected: [] };
    const severity = (extra: object) => parseRecord(buf({ ...base, ...extra }), 'OSV').severity;
    expect(severity({ database_specific: { severity: 'MODERATE' } })).toBe('medium');
    expect(
      severity({
        database_specific: { severity: 'LOW' },
        severity: [{ type: 'CVSS_V3', score: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H' }],
      }),
    ).toBe('low');
    expect(
      severity({ severity: [{ type: 'CVSS_V3', score: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H' }] }),
    ).toBe('critical');
    expect(severity({ severity: [{ type: 'CVSS_V4', score: 'CVSS:4.0/AV:N' }] })).toBe('unknown');
    expect(() => parseRecord(buf({ modified: 'm' }), 'OSV')).toThrow(/no "id"/);
  });

  it('fixed versions are those of the package asked about, from its ECOSYSTEM/SEMVER ranges (never GIT commits)', () => {
    const record = parseRecord(
      buf({
        id: 'PYSEC-1',
        modified: 'm',
        aliases: ['CVE-1'],
        details: 'first line\nmore',
        affected: [
          {
            package: { ecosystem: 'PyPI', name: 'Zope.Interface' },
            ranges: [
              { type: 'GIT', events: [{ introduced: '0' }, { fixed: 'abc123' }] },
              { type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '6.0' }] },
            ],
          },
          {
            package: { ecosystem: 'npm', name: 'zope-interface' },
            ranges: [{ type: 'SEMVER', events: [{ fixed: '9.9.9' }] }],
          },
        ],
      }),
      'OSV',
    );
    expect(record.summary).toBe('first line');
    expect(vulnerabilityFor(record, { ecosystem: 'PyPI', name: 'zope-interface', version: '5.0' })).toEqual({
      id: 'PYSEC-1',
      aliases: ['CVE-1'],
      summary: 'first line',
      severity: 'unknown',
      fixed: ['6.0'],
    });
  });
});

describe('the gate policies', () => {
  const vuln = (severity: Vulnerability['severity']): Vulnerability => ({
    id: 'GHSA-aaaa',
    aliases: ['CVE-2024-1'],
    summary: '',
    severity,
    fixed: [],
  });
  const rule = (name: string, value: unknown, scope = 'project'): Policy =>
    ({ ...supplyChainRule(name, value, ['policies', name], () => at), scope, setAt: at }) as Policy;
  const NOW = Date.parse('2026-06-15T12:00:00Z');

  it('the strictest verdict of the rules a finding reaches; below every min_severity it is left out', () => {
    const policies = [
      rule('vulnerabilities', 'warn'),
      rule('vulnerabilities', { action: 'block', min_severity: 'high' }, 'prod'),
    ];
    expect(verdictOf(vuln('critical'), policies, NOW, null)?.verdict).toBe('block');
    expect(verdictOf(vuln('medium'), policies, NOW, null)?.verdict).toBe('warn');
    expect(
      verdictOf(
        vuln('unknown'),
        [rule('vulnerabilities', { action: 'block', min_severity: 'low' })],
        NOW,
        null,
      ),
    ).toBeNull();
    expect(verdictOf(vuln('critical'), [rule('vulnerabilities', 'off')], NOW, null)).toBeNull();
  });

  it('an ignore matches the ID or an alias through its last day (UTC), and is an error after it', () => {
    const ignore = (expires: string) =>
      rule('ignore', [{ id: 'CVE-2024-1', reason: 'not reachable', expires }]);
    const block = rule('vulnerabilities', 'block');
    expect(verdictOf(vuln('high'), [block, ignore('2026-06-15')], NOW, null)).toEqual({
      verdict: 'ignored',
      because: 'ignored until 2026-06-15: not reachable',
    });
    expect(verdictOf(vuln('high'), [block, ignore('2026-06-14')], NOW, null)?.verdict).toBe('block');
    expect(expiredEntries([ignore('2026-06-15')], NOW)).toEqual([]);
    expect(expiredEntries([ignore('2026-06-14')], NOW)).toMatchObject([
      {
        severity: 'error',
        file: 'envsync.yaml',
        line: 3,
        column: 5,
        message: 'the ignore of CVE-2024-1 (not reachable) expired on 2026-06-14',
      },
    ]);
    expect(expiredEntries([ignore('2026-02-30')], NOW)[0]?.message).toContain(
      '2026-02-30 is not a calendar day',
    );
  });

  it("OSV's ecosystems: one per manager, apt only for a suite OSV knows", () => {
    const apt = (url: string) => ({ url, token_env: null, checksum_db: null, setAt: at });
    expect(ecosystemOf('pip', null)).toBe('PyPI');
    expect(ecosystemOf('cargo', null)).toBe('crates.io');
    expect(
      ecosystemOf('apt', apt('https://deb.debian.org/debian/dists/bookworm/main/binary-amd64/Packages.gz')),
    ).toBe('Debian:12');
    expect(
      ecosystemOf(
        'apt',
        apt('https://archive.ubuntu.com/ubuntu/dists/noble-updates/main/binary-amd64/Packages'),
      ),
    ).toBe('Ubuntu:24.04');
    expect(ecosystemOf('apt', apt('https://mirror.example/Packages.gz'))).toBeNull();
    expect(ecosystemOf('apt', null)).toBeNull();
  });

  it('min_release_age reads h, d and w', () => {
    expect([ageMs('48h'), ageMs('7d'), ageMs('2w')]).toEqual([
      48 * 3_600_000,
      7 * 86_400_000,
      14 * 86_400_000,
    ]);
  });
});

describe('the OSV cache', () => {
  const record: OsvRecord = {
    id: 'GHSA-xxxx-yyyy-zzzz',
    modified: '2026-10-01T00:00:00Z',
    aliases: ['CVE-2026-1'],
    summary: 'a flaw',
    severity: 'high',
    affected: [{ ecosystem: 'PyPI', name: 'pandas', fixed: ['2.2.2'] }],
  };
  /** The one file the cache keeps a record in. */
  const fileOf = (dir: string) => {
    const files = readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.json'));
    expect(files).toHaveLength(1);
    return path.join(dir, files[0] as string);
  };

  it('gives back a record as it was put', () => {
    const cache = new OsvCache(tempDir());
    cache.putRecord(record);
    expect(cache.record(record.id)).toEqual(record);
  });

  it.each([
    ['a severity the gate does not know', { severity: 'banana' }],
    ['an alias that is not text', { aliases: [7] }],
    ['an affected package without its fixed versions', { affected: [{ ecosystem: 'PyPI', name: 'pandas' }] }],
    ['another ID', { id: 'GHSA-other' }],
  ])('a damaged entry (%s) is a miss, asked of OSV again', (_title, damage) => {
    const dir = tempDir();
    const cache = new OsvCache(dir);
    cache.putRecord(record);
    writeFileSync(fileOf(dir), JSON.stringify({ ...record, ...damage }));
    expect(cache.record(record.id)).toBeNull();
  });
});
