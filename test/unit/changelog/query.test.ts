// Point queries: reading times, resolving a name at a time, and finding the config of an env ID or hash.

import { describe, expect, it } from 'vitest';
import {
  checkRecordedHash,
  configOfHash,
  configOfId,
  looksLikeHash,
  parseQueryTime,
  resolveAt,
} from '../../../src/changelog/query.js';
import { EnvsyncError } from '../../../src/errors.js';
import { configHash } from '../../../src/hash/config-hash.js';
import { chain, pip } from './factories.js';
import { A_DRIFT, A1, A2, entries, R1, R2 } from './scenario.js';

const NOW = new Date('2026-11-01T12:00:00Z');
const at = (text: string) => parseQueryTime(text, NOW);
const code = (f: () => unknown): string | undefined => {
  try {
    f();
  } catch (e) {
    return e instanceof EnvsyncError ? e.code : 'not an EnvsyncError';
  }
  return undefined;
};

describe('parseQueryTime', () => {
  it.each([
    ['2026-10-03T14:00:00Z', '2026-10-03T14:00:00.000Z'],
    ['2026-10-03T16:00:00+02:00', '2026-10-03T14:00:00.000Z'],
    ['2026-10-03t14:00:00.5z', '2026-10-03T14:00:00.500Z'],
    ['2026-10-03 14:00:00-01:30', '2026-10-03T15:30:00.000Z'],
  ])('reads the RFC 3339 time %s', (text, iso) => {
    expect(at(text)).toEqual({ at: new Date(iso), day: null });
  });

  it('reads now (any case) as the time it is given', () => {
    expect(at('now')).toEqual({ at: NOW, day: null });
    expect(at('NOW')).toEqual({ at: NOW, day: null });
  });

  it('reads a bare date as the end of that day in UTC, and keeps the day', () => {
    expect(at('2026-10-03')).toEqual({
      at: new Date('2026-10-03T23:59:59.999Z'),
      day: {
        date: '2026-10-03',
        start: new Date('2026-10-03T00:00:00Z'),
        end: new Date('2026-10-04T00:00:00Z'),
      },
    });
  });

  it.each([
    ['2026-10-03T14:00:00', /it has no zone; add Z or an offset/],
    ['2026-02-30', /no such date/],
    ['2026-13-01T00:00:00Z', /no such time/],
    ['yesterday', /not an RFC 3339 time, a YYYY-MM-DD date or now/],
  ])('refuses %s', (text, message) => {
    expect(() => at(text)).toThrow(message);
  });
});

describe('resolveAt', () => {
  const serving = (name: string, time: string) => {
    const r = resolveAt(entries, name, at(time));
    return [r.env_id, r.config_hash];
  };

  it('says a name did not exist before its first create', () => {
    expect(() => resolveAt(entries, 'r', at('2026-10-01T09:00:01.999Z'))).toThrow(
      'r did not exist at 2026-10-01T09:00:01.999Z',
    );
    expect(() => resolveAt(entries, 'never', at('2030-01-01'))).toThrow(
      'never did not exist at the end of 2030-01-01 (UTC)',
    );
  });

  it('gives the environment from the instant of its create, and the old one until the recreate', () => {
    expect(serving('r', '2026-10-01T09:00:02Z')).toEqual(['env_r1', configHash(R1)]);
    expect(serving('r', '2026-10-02T09:00:01.999Z')).toEqual(['env_r1', configHash(R1)]);
  });

  it("gives the recreate's new ID from its entry on, before the old one's archive is recorded", () => {
    expect(serving('r', '2026-10-02T09:00:02Z')).toEqual(['env_r2', configHash(R2)]);
    expect(serving('r', '2026-10-02T09:00:03.500Z')).toEqual(['env_r2', configHash(R2)]);
  });

  it('follows in-place updates and the drift found between them', () => {
    expect(serving('a', '2026-10-01T12:00:00Z')).toEqual(['env_a', configHash(A1)]);
    expect(serving('a', '2026-10-02T12:00:00Z')).toEqual(['env_a', configHash(A2)]);
    expect(serving('a', '2026-10-03T10:00:00.150Z')).toEqual(['env_a', configHash(A_DRIFT)]);
    const r = resolveAt(entries, 'a', at('2026-10-03T11:00:00Z'));
    expect([r.config_hash, r.since.op, r.since.seq]).toEqual([configHash(A2), 'update', 14]);
  });

  it('says a name had no environment after its archive', () => {
    expect(() => resolveAt(entries, 'z', at('2026-10-02T10:00:00Z'))).toThrow(
      'z had no environment at 2026-10-02T10:00:00.000Z; the last change before then: archive of env_z at 2026-10-02T09:00:04.000Z',
    );
  });

  it("for a date, gives the state at the end of the day and that day's steps", () => {
    const r = resolveAt(entries, 'r', at('2026-10-02'));
    expect([r.env_id, r.day]).toEqual(['env_r2', '2026-10-02']);
    expect(r.during.map((s) => [s.entry.op, s.entry.env_id])).toEqual([
      ['recreate', 'env_r2'],
      ['archive', 'env_r1'],
    ]);
    expect(resolveAt(entries, 'r', at('2026-10-05')).during).toEqual([]);
  });
});

describe('configOfId', () => {
  it("gives an ID's latest recorded config, or its config at a time", () => {
    expect(configOfId(entries, 'env_a')).toMatchObject({ seq: 14, config_hash: configHash(A2) });
    expect(configOfId(entries, 'env_a', new Date('2026-10-01T23:00:00Z'))).toMatchObject({
      seq: 2,
      description: 'A v1',
    });
    expect(configOfId(entries, 'env_r1')).toMatchObject({ op: 'archive', config_hash: configHash(R1) });
  });

  it('refuses an unknown ID, and a time before the ID was recorded', () => {
    expect(code(() => configOfId(entries, 'env_nope'))).toBe('unknown_env_id');
    expect(code(() => configOfId(entries, 'env_a', new Date('2026-09-01T00:00:00Z')))).toBe('no_config_then');
  });
});

describe('configOfHash', () => {
  const full = configHash(R1);
  it('finds a full hash, a prefix of 8 or more hex digits, with or without sha256:, in any case', () => {
    for (const q of [
      full,
      full.slice(7, 15),
      `sha256:${full.slice(7, 20)}`,
      full.slice(7, 15).toUpperCase(),
    ]) {
      expect(configOfHash(entries, q)).toMatchObject({ env_id: 'env_r1', op: 'archive', config_hash: full });
    }
  });

  it('refuses short, malformed, unknown and ambiguous hashes', () => {
    expect(code(() => configOfHash(entries, full.slice(7, 14)))).toBe('bad_hash');
    expect(code(() => configOfHash(entries, 'sha256:xyz12345'))).toBe('bad_hash');
    expect(code(() => configOfHash(entries, '00000000'))).toBe('unknown_hash');
    const twins = chain([
      {
        op: 'create',
        at: '2026-10-01T00:00:00Z',
        name: 'a',
        env_id: 'env_a',
        config: pip('x==1'),
        config_hash: `sha256:abcdef01${'1'.repeat(56)}`,
      },
      {
        op: 'create',
        at: '2026-10-01T00:00:01Z',
        name: 'b',
        env_id: 'env_b',
        config: pip('x==2'),
        config_hash: `sha256:abcdef01${'2'.repeat(56)}`,
      },
    ]);
    expect(() => configOfHash(twins, 'abcdef01')).toThrow('abcdef01 matches 2 config hashes');
    expect(configOfHash(twins, 'abcdef012')).toMatchObject({ env_id: 'env_b' });
  });

  it('checkRecordedHash refuses an entry whose config does not hash to its config_hash', () => {
    const [bad] = chain([
      {
        op: 'create',
        at: '2026-10-01T00:00:00Z',
        name: 'a',
        env_id: 'env_a',
        config: pip('x==1'),
        config_hash: configHash(pip('x==2')),
      },
    ]);
    expect(code(() => checkRecordedHash(bad as never))).toBe('corrupt_entry');
    expect(() => checkRecordedHash(configOfHash(entries, full))).not.toThrow();
  });

  it('tells hashes from env IDs', () => {
    expect([
      looksLikeHash('sha256:0123abcd'),
      looksLikeHash('0123ABCD'),
      looksLikeHash('env_0123abcd'),
    ]).toEqual([true, true, false]);
  });
});
