// Preview copies: names within the API's 256 characters (refused up front), tags, TTLs and expiry.

import { describe, expect, it } from 'vitest';
import {
  assertPreviewable,
  checkPreviewId,
  isExpired,
  MAX_PREVIEW_METADATA_KEYS,
  parseTtl,
  previewName,
  previewOf,
  previewProblems,
  previewTags,
} from '../../../src/domain/preview.js';
import { EnvsyncError } from '../../../src/errors.js';

const env = (name: string, keys = 1) => ({
  name,
  metadata: Object.fromEntries(Array.from({ length: keys }, (_, i) => [`k${i}`, 'v'])),
  source: { file: 'environments/x.yaml', line: 1 },
});

describe('preview names', () => {
  it('are <name>--<ID>', () => {
    expect(previewName('data-analysis', 'pr-123')).toBe('data-analysis--pr-123');
  });

  it.each(['pr-123', '42', 'feature.x_y', 'a'])('accepts the ID %s', (id) => {
    expect(() => checkPreviewId(id)).not.toThrow();
  });

  it.each(['', 'PR-1', '-x', 'x-', 'a b', 'a~b', 'a/b', 'x'.repeat(65)])('refuses the ID %j', (id) => {
    expect(() => checkPreviewId(id)).toThrow(EnvsyncError);
  });

  it('fit exactly at 256 characters, counted in characters (not UTF-16 units), and not one more', () => {
    const id = 'pr-1';
    const fits = 'n'.repeat(256 - 2 - id.length);
    expect(previewProblems([env(fits)], id)).toEqual([]);
    expect(previewName(fits, id)).toHaveLength(256);
    expect(previewProblems([env(`${fits}x`)], id)).toHaveLength(1);
    // 250 astral characters are 500 UTF-16 units but 250 characters: with "--pr-1" that is 256.
    expect(previewProblems([env('😀'.repeat(250))], id)).toEqual([]);
  });

  it('refuses up front, in one error naming every environment, and with the room left for names', () => {
    const id = 'a'.repeat(64);
    let caught: unknown;
    try {
      assertPreviewable([env('short'), env('y'.repeat(191)), env('z'.repeat(200))], id);
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(EnvsyncError);
    const e = caught as EnvsyncError;
    expect(e.code).toBe('not_previewable');
    expect(e.message).toContain('2 environments cannot have a preview copy');
    expect(e.message).toContain('(191 characters) gives a preview name of 257 characters');
    expect(e.message).toContain('names of at most 190 characters fit with this ID');
    expect(e.message).not.toContain('short');
  });

  it('refuses more metadata than leaves room for the four envsync tags', () => {
    expect(previewProblems([env('a', MAX_PREVIEW_METADATA_KEYS)], 'pr-1')).toEqual([]);
    expect(previewProblems([env('a', MAX_PREVIEW_METADATA_KEYS + 1)], 'pr-1')).toEqual([
      "environments/x.yaml:1: a has 13 metadata keys; a preview copy holds at most 12 (the API's 16 less envsync's 4 tags)",
    ]);
  });
});

describe('preview TTLs and tags', () => {
  it.each([
    ['72h', 72 * 3_600_000],
    ['3d', 3 * 86_400_000],
    ['1d12h', 36 * 3_600_000],
    ['90m', 90 * 60_000],
    ['2w', 14 * 86_400_000],
    ['60s', 60_000],
  ])('%s', (text, ms) => {
    expect(parseTtl(text)).toBe(ms);
  });

  it.each(['', '72', 'h', '-1h', '1.5h', '1y', '59s', '91d', '72 h', '1234567h'])('refuses %j', (text) => {
    expect(() => parseTtl(text)).toThrow(/--ttl/);
  });

  it('tags a copy with its ID and expiry, read back by previewOf; expired only past the tag', () => {
    const now = new Date('2026-11-27T12:00:00.500Z');
    const tags = previewTags('pr-7', now, parseTtl('72h'));
    expect(tags).toEqual({ envsync_preview: 'pr-7', envsync_expires: '2026-11-30T12:00:00Z' });
    const info = previewOf({ team: 'x', ...tags });
    expect(info).toEqual({ id: 'pr-7', expires: new Date('2026-11-30T12:00:00Z') });
    if (!info) throw new Error('unreachable');
    expect(isExpired(info, new Date('2026-11-30T11:59:59Z'))).toBe(false);
    expect(isExpired(info, new Date('2026-11-30T12:00:00Z'))).toBe(true);
  });

  it('is not a preview without the tag; an unreadable expiry is never expired', () => {
    expect(previewOf({ team: 'x' })).toBeNull();
    const odd = previewOf({ envsync_preview: 'pr-1', envsync_expires: 'next tuesday' });
    expect(odd).toEqual({ id: 'pr-1', expires: null });
    if (!odd) throw new Error('unreachable');
    expect(isExpired(odd, new Date('2100-01-01T00:00:00Z'))).toBe(false);
  });
});
