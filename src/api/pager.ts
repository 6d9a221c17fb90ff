// Paging that checks every answer before it is believed: a cursor that loops, an empty page that points on,
// pages that never end and one ID twice with other content all stop the list with a clear error.

import { UntrustedAnswerError } from '../errors.js';
import { canonicalJson } from '../hash/canonical-json.js';
import type { UnreadableItem } from '../model.js';
import { type Parsed, parsePage, unreadableItem } from './parse.js';

/** One page as it came: its JSON body and the request id of the answer. */
export interface RawPage {
  body: unknown;
  requestId: string | null;
}

export interface PagerLimits {
  /** The page size asked for. */
  limit: number;
  /** More distinct items than this and the list is refused (a server inventing items forever). */
  maxItems: number;
}

/** The most items one list may hold: far above any real organization, far below what exhausts memory. */
export const MAX_LIST_ITEMS = 1_000_000;

export interface PagedResult<T> {
  items: T[];
  unreadable: UnreadableItem[];
  pages: number;
}

/**
 * Reads every page through `fetchPage` and parses each item. The rules, each a clear error and no partial
 * result: a cursor seen before (a loop); an empty page with a next cursor; more pages than the distinct items
 * need (twice the full pages, plus slack: a server that hands out a few items per page forever); more than
 * `maxItems` items; the same key twice with different content. Identical copies are merged.
 *
 * The next page is asked for as soon as this one's shape and cursor are checked, so its answer travels while
 * this page's items are parsed and handed to `onItem` (work a caller wants done per item, hidden in the
 * wait); when this page is then refused, that request is called off through its signal.
 */
export async function readAllPages<T>(
  what: string,
  fetchPage: (cursor: string | null, signal: AbortSignal) => Promise<RawPage>,
  parseItem: (value: unknown) => Parsed<T>,
  keyOf: (item: T) => string,
  limits: PagerLimits,
  onItem?: (item: T) => void,
): Promise<PagedResult<T>> {
  // Each key's first copy: the item as parsed when it parsed (what envsync believes of it; the value as sent is
  // garbage as soon as it is parsed), else the value as sent. Its canonical form is computed only when a second
  // copy comes to compare.
  const seen = new Map<string, Copy<T>>();
  const items: T[] = [];
  const unreadable: UnreadableItem[] = [];
  const cursors = new Set<string>();
  let cursor: string | null = null;
  let pages = 0;
  let asked = ask(fetchPage, null);
  for (;;) {
    const raw = await asked.answer;
    pages++;
    const untrusted = (message: string, hint: string) =>
      new UntrustedAnswerError('api_untrusted', `${what}: ${message}`, raw.requestId, hint);
    const page = parsePage(raw.body);
    if (!page.ok)
      throw untrusted(`page ${pages} is not a list page (${page.field}: ${page.problem})`, RETRY_HINT);
    const next = page.value.next;
    if (next !== null && page.value.data.length === 0)
      throw untrusted(`page ${pages} is empty but points to a next page`, RETRY_HINT);
    if (next !== null && (cursors.has(next) || next === cursor))
      throw untrusted(
        `the page cursor ${JSON.stringify(next.slice(0, 40))} came back twice (a loop)`,
        RETRY_HINT,
      );
    const ahead = next === null ? null : ask(fetchPage, next);
    try {
      const data = page.value.data;
      for (let i = 0; i < data.length; i++) {
        // Turns of the event loop while the next page is asked for: one lets that request go out before the
        // items hold the thread, the rest let a new connection finish opening (and other reads go on).
        if (ahead !== null && i % YIELD_EVERY === 0) await new Promise((resolve) => setImmediate(resolve));
        const value = data[i];
        const parsed = parseItem(value);
        const key = parsed.ok ? keyOf(parsed.value) : unreadableKey(value);
        const earlier = key === null ? undefined : seen.get(key);
        const content: Copy<T> = parsed.ok ? parsed : { ok: false, sent: value };
        if (earlier !== undefined) {
          if (contentOf(earlier) !== contentOf(content))
            throw untrusted(
              `${key} appears twice in one list with different content`,
              'the API contradicted itself; nothing was planned from it. Run again; if it persists, report it with the request id',
            );
          continue;
        }
        if (key !== null) seen.set(key, content);
        if (parsed.ok) {
          items.push(parsed.value);
          onItem?.(parsed.value);
        } else unreadable.push(unreadableItem(value, parsed, raw.requestId));
      }
      if (next === null || ahead === null) return { items, unreadable, pages };
      const distinct = seen.size + unreadable.length;
      if (distinct > limits.maxItems)
        throw untrusted(`the list passed ${limits.maxItems} items and kept going`, RETRY_HINT);
      if (pages > 2 * Math.ceil(distinct / limits.limit) + 3)
        throw untrusted(
          `${pages} pages for ${distinct} distinct items of ${limits.limit} per page: the list does not end`,
          RETRY_HINT,
        );
      cursors.add(next);
      cursor = next;
      asked = ahead;
    } catch (e) {
      ahead?.stop.abort();
      throw e;
    }
  }
}

/** One page asked for; a failure is seen when it is awaited, never as an unhandled rejection if it is not. */
function ask(
  fetchPage: (cursor: string | null, signal: AbortSignal) => Promise<RawPage>,
  cursor: string | null,
): { answer: Promise<RawPage>; stop: AbortController } {
  const stop = new AbortController();
  const answer = fetchPage(cursor, stop.signal);
  answer.catch(() => {});
  return { answer, stop };
}

/** Items parsed between turns of the event loop while a page asked ahead travels. */
const YIELD_EVERY = 50;

const RETRY_HINT =
  'the API sent a list envsync cannot trust, so nothing was planned or changed; run again, and if it persists report it with the request id';

function unreadableKey(value: unknown): string | null {
  if (typeof value !== 'object' || value === null) return null;
  const id = (value as { id?: unknown }).id;
  return typeof id === 'string' ? id : null;
}

/** A key's first copy: the item as parsed, or what was sent when it did not parse. */
type Copy<T> = { ok: true; value: T } | { ok: false; sent: unknown };

/**
 * One copy's content for comparing two copies of one ID (a number JSON cannot hold falls back to plain JSON);
 * a copy that parsed never equals one that did not.
 */
function contentOf<T>(copy: Copy<T>): string {
  const [prefix, value] = copy.ok ? ['parsed ', copy.value] : ['sent ', copy.sent];
  try {
    return prefix + canonicalJson(value);
  } catch {
    return prefix + JSON.stringify(value);
  }
}
