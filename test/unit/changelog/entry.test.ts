// An entry line read back: typed field by field, refused when it holds a field its version does not define,
// and hashed as it was written even where the typed entry fills in a default for an older line.

import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { entryHash, parseEntry } from '../../../src/changelog/entry.js';
import { checkFile } from '../../../src/changelog/history.js';
import { readChangelogFile } from '../../../src/changelog/store.js';
import { tempDir } from '../../helpers/cli.js';

/** A v2 update line as an older envsync wrote it: its lifecycle predates previous_names and repoint_deployments. */
function olderLine(): Record<string, unknown> {
  const body: Record<string, unknown> = {
    v: 2,
    seq: 1,
    at: '2026-01-01T00:00:00.000Z',
    op: 'begin',
    name: null,
    env_id: null,
    config_hash: null,
    config: null,
    description: null,
    metadata: null,
    lifecycle: { on_config_change: 'update', keep_superseded: false, prevent_archive: true },
    replaces: null,
    source: null,
    git_commit: null,
    actor: 'tester',
    target: 'http://127.0.0.1',
    plan_id: 'plan_1',
    detail: null,
    prev: null,
    git_dirty: null,
    workspace: null,
    parents: [],
  };
  return { ...body, hash: entryHash(body) };
}

describe('a changelog entry read back', () => {
  it('fills in the lifecycle fields an older line lacks, and its hash still matches the line as written', () => {
    const line = olderLine();
    const parsed = parseEntry(line);
    if (!parsed.ok) throw new Error(parsed.error);
    expect(parsed.entry.lifecycle).toEqual({
      on_config_change: 'update',
      keep_superseded: false,
      prevent_archive: true,
      repoint_deployments: false,
      previous_names: [],
    });
    expect(entryHash(parsed.entry)).toBe(line.hash);
    // Read back from disk as verify reads it: no integrity problem.
    const file = path.join(tempDir('envsync-entry-'), '20260101T000000Z-plan_1.jsonl');
    writeFileSync(file, `${JSON.stringify(line)}\n`);
    const read = readChangelogFile(file, false);
    expect(read.entries).toHaveLength(1);
    expect(checkFile(read).filter((p) => /modified/.test(p.message))).toEqual([]);
  });

  it('an edit to such a line is still caught: the hash covers what the line says', () => {
    const line = olderLine();
    const edited = { ...line, lifecycle: { ...(line.lifecycle as object), prevent_archive: false } };
    const parsed = parseEntry(edited);
    if (!parsed.ok) throw new Error(parsed.error);
    expect(entryHash(parsed.entry)).not.toBe(line.hash);
  });

  it('refuses a line holding a field its version does not define, rather than dropping it', () => {
    const parsed = parseEntry({ ...olderLine(), note: 'added by hand' });
    expect(parsed).toEqual({ ok: false, error: 'unknown field note' });
  });
});
