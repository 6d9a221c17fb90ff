// Each manager's own grammar, over the registry fixtures parsed as the clients parse them: ranges, tags,
// pins, pre-releases, withdrawn versions and the "did you mean" hints.

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { PackageManager } from '../../../src/model.js';
import { parseIndexFile } from '../../../src/packages/registries/crates.js';
import { parsePackument } from '../../../src/packages/registries/npm.js';
import { parsePypi } from '../../../src/packages/registries/pypi.js';
import type { PackageRecord } from '../../../src/packages/registries/record.js';
import { parseGemVersions } from '../../../src/packages/registries/rubygems.js';
import { resolveSpec } from '../../../src/packages/resolve.js';
import { ROOT } from '../../helpers/cli.js';

const FIX = path.join(ROOT, 'test/fixtures/registries');
const read = (rel: string) => readFileSync(path.join(FIX, rel));

const RECORDS: Record<string, () => PackageRecord> = {
  'pip pandas': () => ({ versions: parsePypi(read('pypi/pandas.json'), 'pandas'), tags: {} }),
  'pip numpy': () => ({ versions: parsePypi(read('pypi/numpy.json'), 'numpy'), tags: {} }),
  'pip requests': () => ({ versions: parsePypi(read('pypi/requests.json'), 'requests'), tags: {} }),
  'npm express': () => parsePackument(read('npm/express.json'), 'express'),
  'npm left-pad': () => parsePackument(read('npm/left-pad.json'), 'left-pad'),
  'npm typescript': () => parsePackument(read('npm/typescript.json'), 'typescript'),
  'cargo serde': () => ({ versions: parseIndexFile(read('crates/serde'), 'serde'), tags: {} }),
  'cargo rand': () => ({ versions: parseIndexFile(read('crates/rand'), 'rand'), tags: {} }),
  'gem rails': () => ({ versions: parseGemVersions(read('rubygems/rails.json'), 'rails'), tags: {} }),
  'gem nokogiri': () => ({
    versions: parseGemVersions(read('rubygems/nokogiri.json'), 'nokogiri'),
    tags: {},
  }),
};

async function resolve(manager: PackageManager, pkg: string, spec: string) {
  const record = RECORDS[`${manager} ${pkg}`]?.();
  if (!record) throw new Error(`no fixture record for ${manager} ${pkg}`);
  return resolveSpec(manager, spec, record, 'the registry');
}

async function version(manager: PackageManager, pkg: string, spec: string): Promise<string> {
  const r = await resolve(manager, pkg, spec);
  return r.kind === 'resolved'
    ? r.version.version
    : `${r.kind}: ${r.kind === 'problem' ? r.message : r.reason}`;
}

describe("ranges, tags and bare names, each by its manager's grammar", () => {
  it.each([
    // PEP 440: the newest final release; pre-releases only when asked for; yanked never; empty releases never.
    ['pip', 'pandas', 'pandas', '2.2.3'],
    ['pip', 'pandas', 'pandas>=2.1,<2.2.2', '2.2.0'],
    ['pip', 'pandas', 'pandas~=2.1.0', '2.1.4'],
    ['pip', 'pandas', 'pandas==2.2.*', '2.2.3'],
    ['pip', 'pandas', 'pandas!=2.2.3,>=2.2', '2.2.2'],
    ['pip', 'pandas', 'pandas>=3.0.0rc1', '3.0.0rc1'],
    ['pip', 'pandas', 'pandas==2.2', '2.2.0'],
    ['pip', 'numpy', 'numpy', '2.2.0'],
    ['pip', 'requests', 'requests[socks]>=2.31,<3', '2.32.3'],
    // npm: latest when it satisfies the range, else the highest that does; dist-tags by name.
    ['npm', 'express', 'express', '4.21.2'],
    ['npm', 'express', 'express@^4.21.0', '4.21.2'],
    ['npm', 'express', 'express@~4.21.0', '4.21.2'],
    ['npm', 'express', 'express@<4.21.2', '4.21.1'],
    ['npm', 'express', 'express@next', '5.0.0-beta.3'],
    ['npm', 'express', 'express@4.21.0', '4.21.0'],
    ['npm', 'typescript', 'typescript@beta', '5.8.0-beta'],
    ['npm', 'typescript', 'typescript@5.x', '5.7.2'],
    // A deprecated latest: the newest usable release below it.
    ['npm', 'left-pad', 'left-pad', '1.1.3'],
    // Cargo: a bare full version is exact (cargo install), a partial one carets; yanked and pre never picked.
    ['cargo', 'serde', 'serde', '1.0.210'],
    ['cargo', 'serde', 'serde@1.0.200', '1.0.200'],
    ['cargo', 'serde', 'serde@=1.0.200', '1.0.200'],
    ['cargo', 'serde', 'serde@1.0', '1.0.210'],
    ['cargo', 'serde', 'serde@^1.0.1', '1.0.210'],
    ['cargo', 'serde', 'serde@~1.0.1', '1.0.210'],
    ['cargo', 'rand', 'rand@0.8', '0.8.5'],
    ['cargo', 'rand', 'rand', '0.8.5'],
    // RubyGems: the newest release (7.2.0.beta1 is a pre-release); 7.1 is 7.1.0; one number however many platforms.
    ['gem', 'rails', 'rails', '7.1.3'],
    ['gem', 'rails', 'rails:7.1', '7.1.0'],
    ['gem', 'rails', 'rails:7.2.0.beta1', '7.2.0.beta1'],
    ['gem', 'nokogiri', 'nokogiri', '1.16.7'],
  ] as const)('%s %s: %s → %s', async (manager, pkg, spec, expected) => {
    expect(await version(manager, pkg, spec)).toBe(expected);
  });
});

describe('pins that do not exist or are withdrawn, with the closest versions', () => {
  it.each([
    [
      'pip',
      'pandas',
      'pandas==2.2.4',
      'the registry has no version 2.2.4 of pandas',
      'did you mean 2.2.3, 2.2.2 or 2.2.0?',
    ],
    [
      'pip',
      'pandas',
      'pandas==2.2.1',
      'version 2.2.1 of pandas is yanked on the registry',
      'pin another version: did you mean 2.2.3, 2.2.2 or 2.2.0?',
    ],
    ['pip', 'pandas', 'pandas==9.9.9', 'the registry has no version 9.9.9 of pandas', 'the newest is 2.2.3'],
    [
      'pip',
      'pandas',
      'pandas==2.2.O',
      '==2.2.O is not a PEP 440 version specifier',
      'write it as ==1.2.3, >=1.2,<2 or ~=1.2',
    ],
    [
      'pip',
      'requests',
      'requests==2.32.0',
      'version 2.32.0 of requests is yanked on the registry',
      'pin another version: did you mean 2.32.3 or 2.31.0?',
    ],
    [
      'npm',
      'left-pad',
      'left-pad@9.9.9',
      'the registry has no version 9.9.9 of left-pad',
      'the newest is 1.1.3',
    ],
    [
      'npm',
      'express',
      'express@4.21.3',
      'the registry has no version 4.21.3 of express',
      'did you mean 4.21.2, 4.21.1 or 4.21.0?',
    ],
    [
      'npm',
      'express',
      'express@nxt',
      'the registry has no version or dist-tag nxt of express',
      'its dist-tags: latest, next',
    ],
    [
      'cargo',
      'serde',
      'serde@1.0.215',
      'version 1.0.215 of serde is yanked on the registry',
      'pin another version: did you mean 1.0.210, 1.0.200 or 1.0.1?',
    ],
    ['cargo', 'serde', 'serde@2', 'no version of serde on the registry matches ^2', 'the newest is 1.0.210'],
    [
      'gem',
      'rails',
      'rails:7.1.4',
      'the registry has no version 7.1.4 of rails',
      'did you mean 7.1.3 or 7.1.0?',
    ],
  ] as const)('%s %s: %s', async (manager, pkg, spec, message, hint) => {
    expect(await resolve(manager, pkg, spec)).toEqual({ kind: 'problem', message, hint });
  });

  it('a deprecated npm version is chosen when pinned, and flagged; never for a range', async () => {
    const pinned = await resolve('npm', 'left-pad', 'left-pad@1.3.0');
    expect(pinned).toMatchObject({ kind: 'resolved', deprecated: 'use String.prototype.padStart()' });
    expect(await version('npm', 'left-pad', 'left-pad@^1.2.0')).toMatch(
      /^problem: left-pad: only deprecated versions match \^1\.2\.0/,
    );
  });

  it('a release with no files is never chosen (pip cannot install it)', async () => {
    expect(await version('pip', 'numpy', 'numpy==2.3.0')).toBe(
      'problem: the registry has no version 2.3.0 of numpy',
    );
  });
});

describe('answers that are not what a registry protocol promises are refused, never guessed at', () => {
  const code = (f: () => unknown) => {
    try {
      f();
    } catch (e) {
      return (e as { code?: string; message: string }).message;
    }
    return 'accepted';
  };
  it.each([
    [
      'PyPI, not JSON',
      () => parsePypi(Buffer.from('<html>'), 'PyPI for x'),
      'PyPI for x: the answer is not what the registry protocol promises (not JSON)',
    ],
    [
      'PyPI, no releases',
      () => parsePypi(Buffer.from('{"info": {}}'), 'PyPI for x'),
      'PyPI for x: the answer is not what the registry protocol promises (no "releases" mapping)',
    ],
    [
      'PyPI, a release that is not a list',
      () => parsePypi(Buffer.from('{"releases": {"1.0": {}}}'), 'p'),
      'p: the answer is not what the registry protocol promises (release 1.0 is not a list of files)',
    ],
    [
      'npm, versions not a mapping',
      () => parsePackument(Buffer.from('{"versions": []}'), 'n'),
      'n: the answer is not what the registry protocol promises (no "versions" mapping)',
    ],
    [
      'crates, a line that is not JSON',
      () => parseIndexFile(Buffer.from('{"vers":"1.0.0"}\n{oops'), 'c'),
      'c: the answer is not what the registry protocol promises (line 2 is not JSON)',
    ],
    [
      'RubyGems, not a list',
      () => parseGemVersions(Buffer.from('{}'), 'g'),
      'g: the answer is not what the registry protocol promises (not a list of versions)',
    ],
  ])('%s', (_, f, message) => {
    expect(code(f)).toBe(message);
  });

  it('a digest or time in the wrong shape is left out, not trusted', () => {
    const [v] = parseIndexFile(Buffer.from('{"vers":"1.0.0","cksum":"not-hex","pubtime":"yesterday"}'), 'c');
    expect(v).toEqual({ version: '1.0.0', digest: null, published: null, yanked: false, deprecated: null });
  });
});
