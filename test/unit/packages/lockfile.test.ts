// envsync.lock on disk: canonical text (sorted keys, the same bytes for the same lock), typed parsing, and a
// bad file reported at its line and column.

import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../../src/errors.js';
import type { LockFile } from '../../../src/model.js';
import { canonicalLockText, parseLockFile } from '../../../src/packages/lockfile.js';

const entry = (version: string) => ({ version, digest: null, published: null, registry: 'https://pypi.org' });

describe('envsync.lock text', () => {
  it('is canonical: keys sorted at every level, empty sections left out, one newline at the end', () => {
    const a: LockFile = {
      version: 1,
      packages: {
        pip: { zed: entry('1.0'), abc: entry('2.0') },
        npm: {},
        apt: { curl: { unresolved: 'no index' } },
      },
      workspaces: { prod: { packages: { pip: { x: entry('3') } } }, empty: { packages: {} } },
    };
    const b: LockFile = {
      version: 1,
      workspaces: { empty: { packages: { npm: {} } }, prod: { packages: { pip: { x: entry('3') } } } },
      packages: { apt: { curl: { unresolved: 'no index' } }, pip: { abc: entry('2.0'), zed: entry('1.0') } },
    };
    const text = canonicalLockText(a);
    expect(canonicalLockText(b)).toBe(text);
    expect(text.endsWith('}\n')).toBe(true);
    expect(Object.keys(JSON.parse(text))).toEqual(['packages', 'version', 'workspaces']);
    expect(Object.keys(JSON.parse(text).packages)).toEqual(['apt', 'pip']);
    expect(Object.keys(JSON.parse(text).packages.pip)).toEqual(['abc', 'zed']);
    expect(Object.keys(JSON.parse(text).packages.pip.abc)).toEqual([
      'digest',
      'published',
      'registry',
      'version',
    ]);
    expect(Object.keys(JSON.parse(text).workspaces)).toEqual(['prod']);
    expect(parseLockFile(Buffer.from(text), 'envsync.lock')).toEqual({
      ...a,
      packages: { pip: a.packages.pip, apt: a.packages.apt },
      workspaces: { prod: a.workspaces.prod },
    });
  });
});

describe('a bad envsync.lock', () => {
  const problems = (text: string): string[] => {
    try {
      parseLockFile(Buffer.from(text), 'envsync.lock');
    } catch (e) {
      if (e instanceof ValidationError) return e.diagnostics.map((d) => `${d.line}:${d.column} ${d.message}`);
      throw e;
    }
    return [];
  };

  it("is refused at each problem's place", () => {
    const text = [
      '{',
      '  "version": 2,',
      '  "packages": {',
      '    "pipx": {},',
      '    "pip": {',
      '      "pandas": {"version": "", "digest": null, "published": null, "registry": "https://pypi.org"},',
      '      "numpy": {"version": "2.1.3", "digest": 7, "published": null, "registry": "https://pypi.org", "extra": 1},',
      '      "curl": {"unresolved": "x", "version": "1"}',
      '    }',
      '  },',
      '  "workspaces": {"prod": {"packages": {}, "more": 1}}',
      '}',
    ].join('\n');
    expect(problems(text)).toEqual([
      '2:14 version must be 1, not 2',
      '4:5 unknown package manager "pipx" (known: apt, cargo, gem, go, npm, pip)',
      '6:29 version must be a non-empty string',
      '7:101 unknown key "extra"',
      '7:47 digest must be a string or null',
      '8:7 an unresolved entry holds only "unresolved": "<reason>"',
      '11:18 a workspace holds only "packages"',
    ]);
  });

  it('that is not JSON at all is a parse error where it breaks', () => {
    expect(problems('{"version": 1,\n  "packages": {"pip": }\n}')[0]).toMatch(/^2:/);
    expect(problems('[]')).toEqual(['1:1 must be a JSON object']);
  });
});
