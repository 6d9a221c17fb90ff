// The package a spec names, per manager: what bases merge by, `remove:` and policies compare.

import { describe, expect, it } from 'vitest';
import { memberKey } from '../../../src/domain/members.js';
import { packageName } from '../../../src/domain/package-spec.js';
import type { PackageManager } from '../../../src/model.js';

describe('packageName', () => {
  it.each<[PackageManager, string, string]>([
    ['pip', 'pandas==2.2.0', 'pandas'],
    ['pip', 'pandas', 'pandas'],
    ['pip', 'requests[socks]>=2.31,<3', 'requests'],
    ['pip', 'Scikit_Learn==1.5.0', 'scikit-learn'],
    ['pip', 'zope.interface~=6.0', 'zope-interface'],
    ['npm', 'express@4', 'express'],
    ['npm', 'express', 'express'],
    ['npm', '@scope/pkg@1', '@scope/pkg'],
    ['npm', '@types/node@^20.11.0', '@types/node'],
    ['npm', '@scope/pkg', '@scope/pkg'],
    ['gem', 'rails:7.1.0', 'rails'],
    ['gem', 'rails', 'rails'],
    ['go', 'golang.org/x/tools/cmd/goimports@v0.1.0', 'golang.org/x/tools/cmd/goimports'],
    ['go', 'github.com/a/b', 'github.com/a/b'],
    ['cargo', 'serde@1', 'serde'],
    ['cargo', 'ripgrep@=14.1.0', 'ripgrep'],
    ['apt', 'curl=7.88.1-10+deb12u5', 'curl'],
    ['apt', 'libpq-dev:amd64=15.3-0', 'libpq-dev'],
    ['apt', 'git/bookworm-backports', 'git'],
  ])('%s %s → %s', (manager, spec, name) => {
    expect(packageName(manager, spec)).toBe(name);
  });
});

describe('memberKey', () => {
  it('tells packages apart by name and hosts by normal form; other fields are not sets', () => {
    expect(memberKey('config.packages.pip')?.('Pandas==1')).toBe('pandas');
    expect(memberKey('config.networking.allowed_hosts')?.('API.example.com.')).toBe('api.example.com');
    expect(memberKey('config.packages.brew')).toBeUndefined();
    expect(memberKey('metadata.team')).toBeUndefined();
  });
});
