// claude-lock.json at the edge: typed with located errors, unknown fields kept, entries removed byte for byte.

import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { handOver, lockTextWithout } from '../../../src/ant/hand-over.js';
import { parseJsonText, plainValue, positionAt } from '../../../src/ant/json-text.js';
import {
  antTrackedEnvironments,
  findAntLock,
  parseAntLock,
  readAntLock,
  searchBoundary,
} from '../../../src/ant/lock.js';
import { EnvsyncError } from '../../../src/errors.js';
import { tempDir } from '../../helpers/cli.js';

/** A lock as ant writes it, with fields envsync does not know at every level. */
const LOCK = `{
  "version": 1,
  "origin": {
    "base_url": "https://api.anthropic.com",
    "organization_id": "1b0c2a4d-6c1f-4f0e-9a57-2e8d1c3b4a5f",
    "workspace_id": "wrkspc_01JwQvzr7rXLA5AGx3HKfFUJ",
    "region": "us"
  },
  "resources": {
    "./agents/summarizer.md": {
      "kind": "agent",
      "id": "agent_011CYm1BLqPXpQRk5khsSXrs",
      "version": "1",
      "hash": "d23251c8d99b3613a64f3f8d87f5fad4",
      "remote_hash": "1b771bee5bdbf600a5ad972fdac32d94"
    },
    "./environments/cloud.yaml": {
      "kind": "environment",
      "id": "env_01LTfXkn2wXTMPvpvzrUTBRx",
      "hash": "2bb8ba00f63674be00f769584c787f54",
      "remote_hash": "302d0b806f115bbac9b245e2f8ce6d49"
    },
    "./environments/gpu.yaml": {"kind": "environment", "id": "env_02", "pinned": {"at": [1, 2.5e3, true, null]}},
    "./deployments/nightly.md": {
      "kind": "deployment",
      "id": "depl_01YE2cvFovabYmuguyCRg13m"
    }
  },
  "future_field": ["kept", {"as": "written"}]
}
`;

function lockError(text: string): EnvsyncError {
  try {
    parseAntLock(text, 'claude-lock.json', '/repo/claude-lock.json');
  } catch (e) {
    if (e instanceof EnvsyncError) return e;
    throw e;
  }
  throw new Error('expected the lock to be refused');
}

describe('parseJsonText', () => {
  it('reads what JSON.parse reads, with offsets', () => {
    const node = parseJsonText(LOCK);
    expect(plainValue(node)).toEqual(JSON.parse(LOCK));
    expect(node.type === 'object' && LOCK.slice(node.members[0]?.keyStart, node.members[0]?.value.end)).toBe(
      '"version": 1',
    );
  });

  it.each([
    ['{"a": 1,}', 'expected a key in quotes', 1, 9],
    ['{"a": 1 "b": 2}', 'expected "," or "}"', 1, 9],
    ['{"a": 1, "a": 2}', 'the key "a" appears twice', 1, 10],
    ['{\n  "a": tru\n}', 'expected a value', 2, 8],
    ['{"a": "x\ty"}', 'which JSON does not allow there', 1, 9],
    ['{"a": 1} x', 'unexpected "x" after the JSON value', 1, 10],
    ['// c\n{}', 'expected a value', 1, 1],
  ])('%j is refused at its place: %s', (text, message, line, column) => {
    const e = lockError(text);
    expect(e.code).toBe('invalid_ant_lock');
    expect(e.message).toContain(message);
    expect(e.location).toEqual({ file: 'claude-lock.json', line, column });
  });

  it('positionAt counts lines and columns from 1', () => {
    expect(positionAt('ab\ncd', 4)).toEqual({ line: 2, column: 2 });
  });
});

describe('parseAntLock', () => {
  it('types the origin and every resource, keys resolved from the lock’s folder', () => {
    const lock = parseAntLock(LOCK, 'claude-lock.json', '/repo/claude-lock.json');
    expect(lock.origin).toEqual({
      base_url: 'https://api.anthropic.com',
      organization_id: '1b0c2a4d-6c1f-4f0e-9a57-2e8d1c3b4a5f',
      workspace_id: 'wrkspc_01JwQvzr7rXLA5AGx3HKfFUJ',
    });
    expect(lock.resources.map((r) => [r.key, r.kind, r.id, r.abs, r.location.line])).toEqual([
      ['./agents/summarizer.md', 'agent', 'agent_011CYm1BLqPXpQRk5khsSXrs', '/repo/agents/summarizer.md', 10],
      [
        './environments/cloud.yaml',
        'environment',
        'env_01LTfXkn2wXTMPvpvzrUTBRx',
        '/repo/environments/cloud.yaml',
        17,
      ],
      ['./environments/gpu.yaml', 'environment', 'env_02', '/repo/environments/gpu.yaml', 23],
      [
        './deployments/nightly.md',
        'deployment',
        'depl_01YE2cvFovabYmuguyCRg13m',
        '/repo/deployments/nightly.md',
        24,
      ],
    ]);
  });

  it.each([
    ['[]', 'must be a JSON object, not array', 1],
    ['{"version": 2, "origin": {}, "resources": {}}', 'version 2 is not one envsync reads', 1],
    ['{"version": 1, "resources": {}}', 'the lock has no "origin"', 1],
    [
      '{"version": 1,\n "origin": {"base_url": "x", "organization_id": 7, "workspace_id": "w"}, "resources": {}}',
      '"organization_id" must be a string, not number',
      2,
    ],
    [
      '{"version": 1, "origin": {"base_url": "x", "organization_id": "o", "workspace_id": "w"},\n "resources": {"./e.yaml": {"id": "env_1"}}}',
      'the entry for "./e.yaml" has no "kind"',
      2,
    ],
    [
      '{"version": 1, "origin": {"base_url": "x", "organization_id": "o", "workspace_id": "w"},\n "resources": {"/abs/e.yaml": {"kind": "environment", "id": "env_1"}}}',
      'is not a path relative to the lock',
      2,
    ],
  ])('%j is refused: %s', (text, message, line) => {
    const e = lockError(text);
    expect(e.message).toContain(message);
    expect(e.location?.line).toBe(line);
    expect(e.hint).toBeTruthy();
  });
});

describe('lockTextWithout', () => {
  const lock = parseAntLock(LOCK, 'claude-lock.json', '/repo/claude-lock.json');
  const without = (...keys: string[]) => lockTextWithout(lock, new Set(keys));

  it('removes exactly the entries handed over; every other byte stays, in order', () => {
    const text = without('./environments/cloud.yaml');
    const cloud = lock.resources[1];
    const gpu = lock.resources[2];
    if (!cloud || !gpu) throw new Error('fixture');
    // What is cut is the separator before the entry and the entry itself, nothing else.
    const node = lock.resourcesNode.members;
    const cut = LOCK.slice(node[0]?.value.end ?? 0, node[1]?.value.end);
    expect(text).toBe(LOCK.replace(cut, ''));
    expect(JSON.parse(text).resources).not.toHaveProperty('./environments/cloud.yaml');
    const rest = { ...JSON.parse(LOCK) };
    delete rest.resources['./environments/cloud.yaml'];
    expect(JSON.parse(text)).toEqual(rest);
  });

  it.each([
    [['./agents/summarizer.md']],
    [['./deployments/nightly.md']],
    [['./environments/cloud.yaml', './environments/gpu.yaml']],
    [['./agents/summarizer.md', './environments/gpu.yaml']],
  ])('removing %j keeps the others byte for byte and the JSON valid', (keys) => {
    const text = without(...keys);
    const after = parseAntLock(text, 'claude-lock.json', '/repo/claude-lock.json');
    const kept = lock.resources.filter((r) => !keys.includes(r.key));
    expect(after.resources.map((r) => r.key)).toEqual(kept.map((r) => r.key));
    const slice = (l: typeof lock, key: string) => {
      const m = l.resourcesNode.members.find((x) => x.key === key);
      return l.text.slice(m?.keyStart, m?.value.end);
    };
    for (const r of kept) expect(slice(after, r.key)).toBe(slice(lock, r.key));
    // Everything outside resources is untouched.
    expect(text.slice(0, lock.resourcesNode.start)).toBe(LOCK.slice(0, lock.resourcesNode.start));
    expect(text.slice(after.resourcesNode.end)).toBe(LOCK.slice(lock.resourcesNode.end));
  });

  it('removing every entry leaves {}', () => {
    const text = without(...lock.resources.map((r) => r.key));
    expect(JSON.parse(text).resources).toEqual({});
    expect(text).toContain('"resources": {},\n  "future_field"');
  });

  it('removing nothing returns the text as it was', () => {
    expect(without()).toBe(LOCK);
  });
});

describe('the lock on disk', () => {
  it('is found walking up to the repository root, never above it', () => {
    const repo = tempDir('envsync-ant-');
    mkdirSync(path.join(repo, '.git'));
    mkdirSync(path.join(repo, 'platform/environments'), { recursive: true });
    const deep = path.join(repo, 'platform/environments');
    expect(searchBoundary(path.join(repo, 'platform'))).toBe(repo);
    expect(findAntLock(deep, repo)).toBeNull();
    writeFileSync(path.join(repo, 'claude-lock.json'), LOCK);
    expect(findAntLock(deep, repo)).toBe(path.join(repo, 'claude-lock.json'));
    writeFileSync(path.join(repo, 'platform/claude-lock.json'), LOCK);
    expect(findAntLock(deep, repo)).toBe(path.join(repo, 'platform/claude-lock.json'));
    // Outside a checkout the project root is the boundary.
    const loose = tempDir('envsync-ant-');
    expect(searchBoundary(loose)).toBe(loose);
  });

  it('antTrackedEnvironments lists the environments of every lock above the files, paths from the root', () => {
    const repo = tempDir('envsync-ant-');
    mkdirSync(path.join(repo, '.git'));
    mkdirSync(path.join(repo, 'environments'));
    writeFileSync(path.join(repo, 'claude-lock.json'), LOCK);
    expect(antTrackedEnvironments(repo, ['environments/a.yaml', 'environments/b.yaml'])).toEqual([
      {
        lock: 'claude-lock.json',
        key: './environments/cloud.yaml',
        file: path.join('environments', 'cloud.yaml'),
        env_id: 'env_01LTfXkn2wXTMPvpvzrUTBRx',
      },
      {
        lock: 'claude-lock.json',
        key: './environments/gpu.yaml',
        file: path.join('environments', 'gpu.yaml'),
        env_id: 'env_02',
      },
    ]);
    writeFileSync(path.join(repo, 'claude-lock.json'), '{"version": 1,}');
    expect(() => antTrackedEnvironments(repo, ['environments/a.yaml'])).toThrow(
      /claude-lock.json: not valid JSON/,
    );
  });

  it('handOver writes atomically, and refuses a lock that changed since it was read', async () => {
    const dir = tempDir('envsync-ant-');
    const file = path.join(dir, 'claude-lock.json');
    writeFileSync(file, LOCK);
    const lock = readAntLock(file, 'claude-lock.json');
    writeFileSync(file, `${LOCK}\n`);
    await expect(handOver(lock, new Set(['./environments/gpu.yaml']))).rejects.toMatchObject({
      code: 'ant_lock_changed',
    });
    expect(readFileSync(file, 'utf8')).toBe(`${LOCK}\n`);
    writeFileSync(file, LOCK);
    await handOver(lock, new Set(['./environments/gpu.yaml']));
    expect(readFileSync(file, 'utf8')).toBe(lockTextWithout(lock, new Set(['./environments/gpu.yaml'])));
  });

  it('a lock that is not UTF-8 is refused with its name', () => {
    const dir = tempDir('envsync-ant-');
    const file = path.join(dir, 'claude-lock.json');
    writeFileSync(file, Buffer.from([0x7b, 0xff, 0x7d]));
    expect(() => readAntLock(file, 'claude-lock.json')).toThrow(/not valid UTF-8/);
  });
});
