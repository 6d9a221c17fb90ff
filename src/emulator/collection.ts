// One kind of resource in one workspace: records in creation order, an id index, cursor pages, and their state-file form.

import { EnvsyncError } from '../errors.js';
import { decodeCursor, encodeCursor } from './cursor.js';
import { notFound } from './errors.js';

export interface Identified {
  id: string;
}

export interface Rec<T> {
  /** Creation order: what lists page by, so cursors survive creates, archives and deletes. */
  seq: number;
  value: T;
  /** The response body, cached: list pages and the state file reuse it instead of re-serialising. */
  json: string | undefined;
  /** The same body as UTF-8, cached for list pages: a page is its items' bytes put together. */
  bytes: Buffer | undefined;
}

export interface PageRequest {
  limit: number;
  page: string | null;
  /** desc (the default everywhere): newest first. */
  order: 'asc' | 'desc';
}

export interface Page {
  /** The JSON of each item on the page, as UTF-8. */
  data: Buffer[];
  next_page: string | null;
}

/** What a state file holds for one collection; `value` is trusted only after the owner has checked it. */
export interface CollectionState {
  next_seq: number;
  items: Array<{ seq: number; value: unknown }>;
}

export class Collection<T extends Identified> {
  private readonly records: Array<Rec<T>> = [];
  private readonly byId = new Map<string, Rec<T>>();
  private nextSeq = 1;

  /** Calls `newId` until it gives an id this collection does not hold. */
  freshId(newId: () => string): string {
    let id = newId();
    while (this.byId.has(id)) id = newId();
    return id;
  }

  insert(value: T): Rec<T> {
    const rec: Rec<T> = { seq: this.nextSeq++, value, json: undefined, bytes: undefined };
    this.records.push(rec);
    this.byId.set(value.id, rec);
    return rec;
  }

  /** The record of `id`, or the API's 404 naming what was not found (`session sesn_x not found`). */
  find(id: string, kind: string): Rec<T> {
    const rec = this.byId.get(id);
    if (!rec) throw notFound(`${kind} ${id} not found`);
    return rec;
  }

  get(id: string): Rec<T> | undefined {
    return this.byId.get(id);
  }

  replace(rec: Rec<T>, value: T): void {
    rec.value = value;
    rec.json = undefined;
    rec.bytes = undefined;
  }

  remove(rec: Rec<T>): void {
    const i = this.indexBelow(rec.seq + 1);
    if (this.records[i] === rec) this.records.splice(i, 1);
    this.byId.delete(rec.value.id);
  }

  values(): IterableIterator<T> {
    return (function* (records: Array<Rec<T>>) {
      for (const rec of records) yield rec.value;
    })(this.records);
  }

  /** One page of the records `include` accepts; the cursor names the last record handed out. */
  page(request: PageRequest, include: (value: T) => boolean): Page {
    const after = request.page === null ? null : decodeCursor(request.page);
    const data: Buffer[] = [];
    let last: Rec<T> | undefined;
    let more = false;
    const desc = request.order === 'desc';
    let i = desc ? this.indexBelow(after ?? Number.POSITIVE_INFINITY) : this.indexBelow((after ?? 0) + 1) + 1;
    for (; i >= 0 && i < this.records.length; i += desc ? -1 : 1) {
      const rec = this.records[i] as Rec<T>;
      if (!include(rec.value)) continue;
      if (data.length === request.limit) {
        more = true;
        break;
      }
      data.push(bytesOf(rec));
      last = rec;
    }
    return { data, next_page: more && last ? encodeCursor(last.seq) : null };
  }

  toState(): string {
    const lines = this.records.map((rec) => `{"seq":${rec.seq},"value":${json(rec)}}`);
    return `{"next_seq":${this.nextSeq},"items":[\n${lines.join(',\n')}\n]}`;
  }

  /**
   * Refills an empty collection from a state file, checking each value with `check` (which throws a
   * message naming what is wrong); `where` names the part of the file in those messages.
   */
  load(state: unknown, where: string, check: (value: unknown, where: string) => T): void {
    const s = state as Partial<CollectionState> | null;
    if (typeof s !== 'object' || s === null || !Array.isArray(s.items)) {
      throw new StateError(`${where} must be {"next_seq": N, "items": [...]}`);
    }
    let prev = 0;
    for (const [i, item] of s.items.entries()) {
      const seq = (item as { seq?: unknown } | null)?.seq;
      if (typeof seq !== 'number' || !Number.isSafeInteger(seq) || seq <= prev) {
        throw new StateError(`${where}.items[${i}].seq must be an integer above ${prev}`);
      }
      const value = check((item as { value?: unknown }).value, `${where}.items[${i}].value`);
      const rec: Rec<T> = { seq, value, json: undefined, bytes: undefined };
      this.records.push(rec);
      this.byId.set(value.id, rec);
      prev = seq;
    }
    this.nextSeq = Math.max(prev + 1, typeof s.next_seq === 'number' ? s.next_seq : 0);
  }

  /** The index of the last record with seq < `seq`, or -1: records are kept in seq order. */
  private indexBelow(seq: number): number {
    let lo = 0;
    let hi = this.records.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.records[mid] as Rec<T>).seq < seq) lo = mid + 1;
      else hi = mid;
    }
    return lo - 1;
  }
}

/**
 * What every resource store of a workspace shares: its collection, saved and loaded whole, and the API's
 * 404 naming the kind of what was not found.
 */
export abstract class CollectionStore<T extends Identified> {
  protected readonly items = new Collection<T>();

  constructor(
    private readonly kind: string,
    private readonly check: (value: unknown, where: string) => T,
  ) {}

  toState(): string {
    return this.items.toState();
  }

  /** Refills this (empty) store from a state file. */
  load(state: unknown, where: string): void {
    this.items.load(state, where, this.check);
  }

  protected find(id: string): Rec<T> {
    return this.items.find(id, this.kind);
  }
}

/** A `load` check: the value must be an object whose `fields` are strings; names the kind when not. */
export function withStrings<T>(
  kind: string,
  fields: readonly string[],
): (value: unknown, where: string) => T {
  return (value, where) => {
    const v = value as Record<string, unknown> | null;
    if (typeof v !== 'object' || v === null || fields.some((f) => typeof v[f] !== 'string')) {
      throw new StateError(`${where} is not ${kind}`);
    }
    return v as T;
  };
}

/** A state file that does not hold what it should; the loader adds the file's name and a hint. */
export class StateError extends EnvsyncError {
  constructor(message: string) {
    super('emulator_state_invalid', message);
  }
}

export function json<T>(rec: Rec<T>): string {
  rec.json ??= JSON.stringify(rec.value);
  return rec.json;
}

function bytesOf<T>(rec: Rec<T>): Buffer {
  rec.bytes ??= Buffer.from(json(rec));
  return rec.bytes;
}

const COMMA = Buffer.from(',');

/**
 * `{"data": [...], "next_page": ...}` (and `prev_page` for lists the SDK pages both ways) from a page, as
 * bytes: the items' cached bytes put together, with no string of the whole page built and encoded again.
 */
export function pageJson(page: Page, withPrev = false): Buffer {
  const prev = withPrev ? ',"prev_page":null' : '';
  const parts: Buffer[] = [Buffer.from('{"data":[')];
  page.data.forEach((item, i) => {
    if (i > 0) parts.push(COMMA);
    parts.push(item);
  });
  parts.push(Buffer.from(`],"next_page":${JSON.stringify(page.next_page)}${prev}}`));
  return Buffer.concat(parts);
}

/**
 * A timestamp from the emulator's clock. Given the previous one, strictly later: envsync compares
 * updated_at to detect concurrent changes, so it must move on every write even when the clock has not.
 */
export function stamp(now: number, after?: string): string {
  let t = now;
  const previous = after === undefined ? Number.NaN : Date.parse(after);
  if (!Number.isNaN(previous)) t = Math.max(t, previous + 1);
  return new Date(t).toISOString();
}

export interface Archivable extends Identified {
  updated_at: string;
  archived_at: string | null;
}

/**
 * Archive, for every kind that has it: terminal and idempotent. Archiving again changes nothing and needs
 * no state write; `extra` is what else the kind resets on archive.
 */
export function archiveRec<T extends Archivable>(
  collection: Collection<T>,
  rec: Rec<T>,
  now: number,
  extra: Partial<T> = {},
): { json: string; changed: boolean } {
  if (rec.value.archived_at !== null) return { json: json(rec), changed: false };
  const at = stamp(now, rec.value.updated_at);
  collection.replace(rec, { ...rec.value, ...extra, updated_at: at, archived_at: at });
  return { json: json(rec), changed: true };
}
