// The pager's checks as a table: which page sequences it believes, and which it refuses with which words.

import { describe, expect, it } from 'vitest';
import { readAllPages } from '../../../src/api/pager.js';
import { type Parsed, parseEnvironment } from '../../../src/api/parse.js';
import { UntrustedAnswerError } from '../../../src/errors.js';

const env = (id: string, name = id) => ({
  id,
  type: 'environment',
  name,
  description: null,
  metadata: {},
  config: {
    type: 'cloud',
    packages: { apt: [], cargo: [], gem: [], go: [], npm: [], pip: [] },
    networking: { type: 'unrestricted' },
  },
  created_at: '2026-11-01T00:00:00Z',
  updated_at: '2026-11-01T00:00:00Z',
  archived_at: null,
});

/** Serves `pages` in order, whatever cursor is asked for; records the cursors asked for. */
function server(pages: unknown[]) {
  const asked: Array<string | null> = [];
  let i = 0;
  return {
    asked,
    fetch: async (cursor: string | null) => {
      asked.push(cursor);
      const body = pages[Math.min(i, pages.length - 1)];
      i++;
      return { body, requestId: `req_${i}` };
    },
  };
}

const read = (pages: unknown[], limit = 2) =>
  readAllPages('list environments', server(pages).fetch, parseEnvironment, (e) => e.id, {
    limit,
    maxItems: 10,
  });

describe('readAllPages', () => {
  it('follows the cursors to the last page and parses every item', async () => {
    const s = server([
      { data: [env('env_1'), env('env_2')], next_page: 'p2' },
      { data: [env('env_3')], next_page: null },
    ]);
    const r = await readAllPages('list', s.fetch, parseEnvironment, (e) => e.id, { limit: 2, maxItems: 10 });
    expect(r.items.map((e) => e.id)).toEqual(['env_1', 'env_2', 'env_3']);
    expect([r.unreadable, r.pages, s.asked]).toEqual([[], 2, [null, 'p2']]);
  });

  it('merges identical copies of one item, and keeps what does not parse apart with its ID, field and request', async () => {
    const r = await read([
      {
        data: [env('env_1'), env('env_1'), { ...env('env_2'), config: { type: 'sandbox_v2' } }],
        next_page: null,
      },
    ]);
    expect(r.items.map((e) => e.id)).toEqual(['env_1']);
    expect(r.unreadable).toEqual([
      {
        id: 'env_2',
        name: 'env_2',
        owner: null,
        field: 'config.type',
        problem: 'a config type envsync does not know: the text "sandbox_v2"',
        request_id: 'req_1',
      },
    ]);
  });

  it('compares two copies of one ID by what envsync reads of them: a field it does not read is no difference', async () => {
    // What envsync believes of an item is its parse; a member the parse passes over (an answer's new top-level
    // field) cannot make two copies contradict, and the first copy is the one kept.
    const r = await read([{ data: [env('env_1'), { ...env('env_1'), added_later: 1 }], next_page: null }]);
    const one = parseEnvironment(env('env_1'));
    if (!one.ok) throw new Error('the fixture does not parse');
    expect(r.items).toEqual([one.value]);
  });

  it('never takes a copy that did not parse for one that did, even when it reads as the same value', async () => {
    // A parser that rewrites what it reads (v 1 → 2) and refuses v 2: the second copy, sent as the first one
    // was parsed, is the same text but not a readable item; the list contradicts itself.
    const rewrite = (value: unknown): Parsed<{ id: string; v: number }> => {
      const o = value as { id: string; v: number };
      return o.v === 1
        ? { ok: true, value: { id: o.id, v: 2 } }
        : { ok: false, field: 'v', problem: 'not 1' };
    };
    const page = {
      data: [
        { id: 'x_1', v: 1 },
        { id: 'x_1', v: 2 },
      ],
      next_page: null,
    };
    await expect(
      readAllPages('list', server([page]).fetch, rewrite, (e) => e.id, { limit: 2, maxItems: 10 }),
    ).rejects.toThrow('x_1 appears twice in one list with different content');
  });

  it.each<[string, unknown[], string]>([
    [
      'a cursor seen before',
      [
        { data: [env('env_1')], next_page: 'a' },
        { data: [env('env_2')], next_page: 'a' },
      ],
      'came back twice (a loop)',
    ],
    [
      'an empty page with a next cursor',
      [{ data: [], next_page: 'a' }],
      'page 1 is empty but points to a next page',
    ],
    [
      'the same ID with other content',
      [{ data: [env('env_1'), env('env_1', 'other')], next_page: null }],
      'env_1 appears twice in one list with different content',
    ],
    [
      'the same ID once readable and once not',
      [{ data: [env('env_1'), { ...env('env_1'), config: { type: 'sandbox_v2' } }], next_page: null }],
      'env_1 appears twice in one list with different content',
    ],
    [
      'the same unreadable ID with other content',
      [
        {
          data: [
            { ...env('env_1'), config: { type: 'sandbox_v2' } },
            { ...env('env_1'), config: { type: 'sandbox_v3' } },
          ],
          next_page: null,
        },
      ],
      'env_1 appears twice in one list with different content',
    ],
    [
      'a page that is not a page',
      [{ items: [] }],
      'page 1 is not a list page (data: expected a list, got missing)',
    ],
    [
      'a cursor that is not text',
      [{ data: [env('env_1')], next_page: 7 }],
      'next_page: expected a cursor or null',
    ],
  ])('refuses %s', async (_title, pages, message) => {
    const e = await read(pages).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(UntrustedAnswerError);
    expect((e as UntrustedAnswerError).code).toBe('api_untrusted');
    expect((e as Error).message).toContain(message);
  });

  it('refuses pages that never end: new cursors, no new items', async () => {
    let n = 0;
    const fetch = async () => ({ body: { data: [env('env_1')], next_page: `c${n++}` }, requestId: null });
    const e = await readAllPages('list', fetch, parseEnvironment, (x) => x.id, {
      limit: 1000,
      maxItems: 10,
    }).catch((x: unknown) => x);
    expect((e as Error).message).toContain(
      '6 pages for 1 distinct items of 1000 per page: the list does not end',
    );
  });

  it('refuses a list that passes the most items one list may hold', async () => {
    let n = 0;
    const fetch = async () => ({
      body: { data: [env(`env_${n}a`), env(`env_${n}b`)], next_page: `c${n++}` },
      requestId: null,
    });
    const e = await readAllPages('list', fetch, parseEnvironment, (x) => x.id, {
      limit: 2,
      maxItems: 5,
    }).catch((x: unknown) => x);
    expect((e as Error).message).toContain('the list passed 5 items and kept going');
  });
});

describe('readAllPages asks ahead', () => {
  it("asks for the next page before this page's items are read, and hands each item read to onItem once", async () => {
    const log: string[] = [];
    const pages: Record<string, unknown> = {
      start: { data: [env('env_1'), env('env_1'), env('env_2')], next_page: 'p2' },
      p2: { data: [env('env_3'), { ...env('env_4'), config: { type: 'sandbox_v2' } }], next_page: null },
    };
    const fetch = async (cursor: string | null) => {
      log.push(`ask ${cursor ?? 'start'}`);
      return { body: pages[cursor ?? 'start'], requestId: null };
    };
    const r = await readAllPages(
      'list',
      fetch,
      parseEnvironment,
      (e) => e.id,
      { limit: 3, maxItems: 10 },
      (e) => log.push(`item ${e.id}`),
    );
    // The second page was asked for before the first page's items were handed on; a repeated copy and an
    // item that does not parse are not handed on.
    expect(log).toEqual(['ask start', 'ask p2', 'item env_1', 'item env_2', 'item env_3']);
    expect(r.items.map((e) => e.id)).toEqual(['env_1', 'env_2', 'env_3']);
  });

  it('calls off the page it asked ahead for when this page is refused', async () => {
    const signals: AbortSignal[] = [];
    const fetch = async (cursor: string | null, signal: AbortSignal) => {
      signals.push(signal);
      return cursor === null
        ? { body: { data: [env('env_1'), env('env_1', 'other')], next_page: 'p2' }, requestId: null }
        : new Promise<never>((_, reject) =>
            signal.addEventListener('abort', () => reject(new Error('aborted'))),
          );
    };
    const e = await readAllPages('list', fetch, parseEnvironment, (x) => x.id, {
      limit: 2,
      maxItems: 10,
    }).catch((x: unknown) => x);
    expect((e as Error).message).toContain('env_1 appears twice in one list with different content');
    expect(signals.map((s) => s.aborted)).toEqual([false, true]);
  });

  it('asks for nothing ahead of a page whose cursor loops or that is empty yet points on', async () => {
    for (const page of [
      { data: [env('env_1')], next_page: 'a' },
      { data: [], next_page: 'b' },
    ]) {
      const asked: Array<string | null> = [];
      const fetch = async (cursor: string | null) => {
        asked.push(cursor);
        return { body: cursor === null ? { data: [env('env_0')], next_page: 'a' } : page, requestId: null };
      };
      await expect(
        readAllPages('list', fetch, parseEnvironment, (x) => x.id, { limit: 2, maxItems: 10 }),
      ).rejects.toThrow(UntrustedAnswerError);
      expect(asked).toEqual([null, 'a']);
    }
  });
});
