// The run file writer after a failure: one failed write ends the run's changelog, even if the next would work.

import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { type NewEntry, RunWriter } from '../../../src/changelog/writer.js';
import { tempDir } from '../../helpers/cli.js';

function begin(): NewEntry {
  return {
    at: '2026-10-01T00:00:00.000Z',
    op: 'begin',
    name: null,
    env_id: null,
    config_hash: null,
    config: null,
    description: null,
    metadata: null,
    lifecycle: null,
    replaces: null,
    source: null,
    git_commit: null,
    git_dirty: null,
    actor: 'tester',
    target: 'http://127.0.0.1:1',
    workspace: null,
    plan_id: 'plan_1',
    detail: null,
    parents: [],
  } as NewEntry;
}

describe('RunWriter after a one-off write failure', () => {
  it('refuses every later entry, though the cause is gone', () => {
    const root = tempDir('envsync-writer-');
    const dir = path.join(root, 'changelog');
    // The changelog's directory cannot be made: a file has its name.
    writeFileSync(dir, '');
    const writer = new RunWriter(dir, 'run.jsonl', () => undefined);
    expect(() => writer.append(begin())).toThrow();
    const failure = writer.failure;
    expect(failure).toBeDefined();
    // The obstacle goes away: the writer still writes nothing more.
    rmSync(dir);
    mkdirSync(dir);
    expect(() => writer.append(begin())).toThrow(failure);
    expect(() => writer.ready()).toThrow(failure);
    expect(existsSync(writer.path)).toBe(false);
    writer.close();
  });

  it('without a failure, the same entry is written (the control for the test above)', () => {
    const dir = path.join(tempDir('envsync-writer-'), 'changelog');
    const writer = new RunWriter(dir, 'run.jsonl', () => undefined);
    writer.append(begin());
    writer.close();
    expect(readFileSync(writer.path, 'utf8').split('\n').filter(Boolean)).toHaveLength(1);
  });
});
