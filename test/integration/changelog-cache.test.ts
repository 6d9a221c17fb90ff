// The snapshot cache beside the changelog: `history NAME` reads one name's lines through the name index,
// and whatever the index says, the answer is the one a full read gives; an index it cannot trust is not used.
// The state snapshot (JSON Lines) reads as the run files' state, whole or in slices, or is rebuilt.

import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  cacheFileFor,
  cacheKey,
  entriesForName,
  indexFileFor,
  loadState,
  loadStateInSlices,
  namesKnown,
} from '../../src/changelog/cache.js';
import { Changelog } from '../../src/changelog/changelog.js';
import { snapshotText } from '../../src/changelog/snapshot.js';
import { changelogLocation } from '../../src/changelog/store.js';
import { historyOf } from '../../src/changelog/timeline.js';
import type { RecordedEnvironment } from '../../src/model.js';
import { pipEnv, Workspace } from '../helpers/workspace.js';

describe('the name index', () => {
  let ws: Workspace;
  const location = () => changelogLocation(ws.changelog);
  const indexFile = () => indexFileFor(location());
  const fullRead = (name: string) =>
    historyOf(Changelog.open(ws.changelog).entries(), name).steps.map((s) => s.entry);

  beforeAll(async () => {
    ws = await Workspace.start();
    const apply = async () => expect((await ws.cli(['apply', '--auto-approve'])).code).toBe(0);
    ws.files({
      'a.yaml': pipEnv('a', ['pandas==2.2.0']),
      'r.yaml': pipEnv('r', ['numpy==2.1.3'], 'lifecycle: {on_config_change: recreate}\n'),
    });
    await apply();
    ws.files({
      'a.yaml': pipEnv('a', ['pandas==2.2.1']),
      'r.yaml': pipEnv('r', ['numpy==2.1.4'], 'lifecycle: {on_config_change: recreate}\n'),
    });
    await apply();
  });
  afterAll(async () => ws.close());

  it("gives each name's steps (a recreate's two IDs included) exactly as a full read does", () => {
    for (const name of ['a', 'r']) {
      const fromIndex = entriesForName(location(), name);
      expect(fromIndex?.length, name).toBeGreaterThan(1);
      expect(fromIndex).toEqual(fullRead(name));
    }
    expect(new Set(entriesForName(location(), 'r')?.map((e) => e.env_id)).size).toBe(2);
    expect(entriesForName(location(), 'never-applied')).toEqual([]);
    expect(namesKnown(location())).toEqual(['a', 'r']);
  });

  it('is rebuilt when a run file is added (the key is every run file’s name, size and time)', async () => {
    const before = cacheKey(location());
    ws.files({ 'b.yaml': pipEnv('b', ['rich==13.7.1']) });
    expect((await ws.cli(['apply', '--auto-approve'])).code).toBe(0);
    expect(cacheKey(location())).not.toBe(before);
    expect(namesKnown(location())).toEqual(['a', 'b', 'r']);
    expect(entriesForName(location(), 'b')).toEqual(fullRead('b'));
  });

  it('answers null (the caller reads everything) when its positions do not land on entries', () => {
    const key = cacheKey(location());
    entriesForName(location(), 'a', key); // builds the index for this key
    const saved = readFileSync(indexFile(), 'utf8');
    const index = JSON.parse(saved) as { index: Record<string, string> };
    try {
      for (const packed of ['0,3,40', 'x,y,z', '99,0,10', `${index.index.a};0,1,5`]) {
        writeFileSync(indexFile(), JSON.stringify({ ...index, index: { ...index.index, a: packed } }));
        expect(entriesForName(location(), 'a', key), packed).toBeNull();
      }
    } finally {
      writeFileSync(indexFile(), saved);
    }
    expect(entriesForName(location(), 'a', key)).toEqual(fullRead('a'));
  });

  it('`history NAME` gives the same answer with the index and after it is thrown away', async () => {
    const cached = await ws.cli(['history', 'r', '--format', 'json']);
    writeFileSync(indexFile(), '{"format": 0}');
    const rebuilt = await ws.cli(['history', 'r', '--format', 'json']);
    expect(cached.code).toBe(0);
    expect(rebuilt.stdout).toBe(cached.stdout);
    const doc = JSON.parse(cached.stdout) as { entries: { environment: string; op: string }[] };
    expect(doc.entries.map((e) => [e.environment, e.op])).toEqual([
      ['r', 'create'],
      ['r', 'recreate'],
      ['r', 'archive'],
    ]);
  });
});

describe('the state snapshot', () => {
  let ws: Workspace;
  const location = () => changelogLocation(ws.changelog);
  const snapshot = () => readFileSync(cacheFileFor(location()), 'utf8');

  beforeAll(async () => {
    ws = await Workspace.start();
    ws.files({ 'a.yaml': pipEnv('a', ['pandas==2.2.0']), 'b.yaml': pipEnv('b', ['rich==13.7.1']) });
    expect((await ws.cli(['apply', '--auto-approve'])).code).toBe(0);
    ws.files({ 'a.yaml': pipEnv('a', ['pandas==2.2.1']) });
    expect((await ws.cli(['apply', '--auto-approve'])).code).toBe(0);
  });
  afterAll(async () => ws.close());

  it('reads as the state the run files give, and a damaged one is rebuilt as it was', () => {
    const state = loadState(location());
    const text = snapshot();
    expect(state.recorded.map((r) => r.name)).toEqual(['a', 'b']);
    for (const damaged of [
      '',
      text.slice(0, -30),
      `${text}{}\n`,
      text.replace('"archived":false', '"archived":0'),
    ]) {
      writeFileSync(cacheFileFor(location()), damaged);
      expect(loadState(location())).toEqual(state);
      expect(snapshot()).toBe(text);
    }
    rmSync(cacheFileFor(location()));
    // The snapshot of earlier formats (one JSON document) goes when the new one is written.
    const older = path.join(path.dirname(cacheFileFor(location())), 'changelog.json');
    writeFileSync(older, '{"format":6}');
    expect(loadState(location())).toEqual(state);
    expect(snapshot()).toBe(text);
    expect(existsSync(older)).toBe(false);
  });

  it('read in slices: a snapshot of another key is rebuilt before the call returns, before any request', async () => {
    const state = loadState(location());
    const text = snapshot();
    writeFileSync(cacheFileFor(location()), snapshotText(7, 'another key', state));
    const reading = loadStateInSlices(location());
    expect(snapshot()).toBe(text);
    expect(await reading).toEqual(state);
  });

  it('read in slices: a large snapshot lets other work run between its slices, and reads whole', async () => {
    const base = loadState(location());
    const recorded = Array.from({ length: 3000 }, (_, i) => ({
      ...(base.recorded[0] as RecordedEnvironment),
      name: `n-${i}`,
      env_id: `env_${i}`,
    }));
    const big = {
      ...base,
      recorded,
      known: Object.fromEntries(recorded.map((r) => [r.env_id, [r.config_hash]])),
    };
    writeFileSync(cacheFileFor(location()), snapshotText(7, cacheKey(location()), big));
    let turns = 0;
    let done = false;
    const spin = () => {
      turns++;
      if (!done) setImmediate(spin);
    };
    setImmediate(spin);
    const read = await loadStateInSlices(location());
    done = true;
    expect(read).toEqual(big);
    // 3,000 records and 3,000 known IDs in slices of 500: the other work ran between them.
    expect(turns).toBeGreaterThanOrEqual(10);
    rmSync(cacheFileFor(location()));
  });
});
