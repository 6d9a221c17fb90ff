import { describe, expect, it } from 'vitest';
import { isPinned, packageProblem, pinHint } from '../../../src/config/packages.js';
import { environmentSchema } from '../../../src/config/schema-check.js';
import type { PackageManager } from '../../../src/model.js';

const pattern = (manager: PackageManager) =>
  new RegExp(environmentSchema.properties.config.properties.packages.properties[manager].items.pattern, 'u');

describe('package grammars (the schema patterns)', () => {
  it.each<[PackageManager, string]>([
    ['apt', 'curl'],
    ['apt', 'curl=7.88.1-10+deb12u5'],
    ['apt', 'libc6:amd64=2.36-9+deb12u4'],
    ['apt', 'git/bookworm-backports'],
    ['apt', 'python3=1:3.11.2-1'],
    ['cargo', 'ripgrep@14.1.0'],
    ['cargo', 'fd-find@=10.1.0'],
    ['cargo', 'serde_json@^1.0'],
    ['gem', 'rails:7.1.0'],
    ['gem', 'nokogiri:1.16.0.rc1'],
    ['go', 'golang.org/x/tools/cmd/goimports@v0.1.0'],
    ['go', 'github.com/foo/bar/v2/cmd/baz@v2.0.0-20240101000000-abcdef123456'],
    ['npm', '@types/node@20.11.30'],
    ['npm', 'lodash@^4.17.21'],
    ['npm', 'typescript@>=5.4.0'],
    ['npm', 'zod@latest'],
    ['pip', 'requests[socks]>=2.31,<3'],
    ['pip', 'pandas==2.2.0'],
    ['pip', 'numpy~=2.1'],
    ['pip', 'black!=24.1.0'],
    ['pip', 'torch==2.3.0+cpu'],
  ])('%s accepts %s', (manager, spec) => {
    expect(pattern(manager).test(spec)).toBe(true);
  });

  it.each<[PackageManager, string, string]>([
    ['pip', 'requests==2.32.3;…|sh', 'has an environment marker (";" at position 17)'],
    ['pip', '--index-url=https://evil.example.com', 'is a command-line option, not a package'],
    ['npm', '--registry=https://evil.example.com', 'is a command-line option, not a package'],
    ['npm', 'lodash@4.17.21 && curl x', 'contains U+0020 SPACE at position 15'],
    ['npm', 'left\u202Epad', 'contains U+202E RIGHT-TO-LEFT OVERRIDE at position 5'],
    ['apt', "curl'", 'contains "\'" (U+0027) at position 5'],
    ['gem', 'rails:"7"', 'contains "\\"" (U+0022) at position 7'],
    ['go', 'x.org/a@v1;id', 'contains ";" (U+003B) at position 11'],
    ['cargo', 'serde@1.0.0<x', 'contains "<" (U+003C) at position 12'],
    ['pip', 'requests[socks', 'is not a valid pip package reference'],
  ])('%s refuses %s', (manager, spec, message) => {
    expect(pattern(manager).test(spec)).toBe(false);
    expect(packageProblem(manager, spec).message).toContain(message);
  });
});

describe('isPinned', () => {
  it.each<[PackageManager, string, boolean]>([
    ['pip', 'requests==2.32.3', true],
    ['pip', 'requests[socks]==2.32.3', true],
    ['pip', 'requests>=2.31,<3', false],
    ['pip', 'requests==2.*', false],
    ['npm', '@scope/pkg@1.2.3', true],
    ['npm', '@scope/pkg', false],
    ['npm', 'express@^4.18.0', false],
    ['cargo', 'serde@1.0.0', true],
    ['cargo', 'serde@^1.0', false],
    ['go', 'golang.org/x/tools/cmd/goimports@latest', false],
    ['apt', 'curl:amd64', false],
    ['apt', 'curl:amd64=7.88.1', true],
  ])('%s %s → %s', (manager, spec, pinned) => {
    expect(isPinned(manager, spec)).toBe(pinned);
  });
});

describe('pinHint names the package at hand, in its manager syntax', () => {
  it.each<[PackageManager, string, string]>([
    ['npm', 'lodash', 'pin it as lodash@<version>; `npm view lodash version` shows the latest'],
    [
      'npm',
      '@types/node@^20',
      'pin it as @types/node@<version>; `npm view @types/node version` shows the latest',
    ],
    ['apt', 'curl', 'pin it as curl=<version>; `apt-cache policy curl` lists the versions'],
    ['pip', 'requests', 'pin it as requests==<version>; `pip index versions requests` lists the versions'],
    ['gem', 'rails', 'pin it as rails:<version>; `gem list --remote --exact rails` shows the latest'],
    ['cargo', 'serde', 'pin it as serde@<version>; `cargo search serde --limit 1` shows the latest'],
    [
      'go',
      'golang.org/x/tools/cmd/goimports',
      'pin it as golang.org/x/tools/cmd/goimports@<version>; `go list -m -versions golang.org/x/tools` lists the versions',
    ],
  ])('%s %s', (manager, spec, hint) => {
    expect(pinHint(manager, spec)).toBe(hint);
  });
});
