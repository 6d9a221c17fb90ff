// The environments the emulator holds: indices by id, name and insertion order, and every rule that needs state.

import { EnvsyncError } from '../errors.js';
import type { LiveEnvironment } from '../model.js';
import { createConfig, updateConfig } from './config.js';
import { decodeCursor, encodeCursor } from './cursor.js';
import { conflict, invalidRequest, notFound } from './errors.js';
import { type CreateInput, LIMITS, type UpdateInput } from './validate-body.js';

export type NameScope = 'all' | 'active';

export interface StoreOptions {
  nameScope: NameScope;
  newId: () => string;
  now: () => number;
}

export interface ListQuery {
  limit: number;
  page: string | null;
  includeArchived: boolean;
}

interface Rec {
  /** Insertion order: what list pages by, so cursors survive creates, archives and deletes. */
  seq: number;
  env: LiveEnvironment;
  /** The response body, cached: list pages and the state file reuse it instead of re-serialising. */
  json: string | undefined;
}

export const STATE_FORMAT = 'envsync-emulator-state';

export class EnvironmentStore {
  private readonly records: Rec[] = [];
  private readonly byId = new Map<string, Rec>();
  /** The records that hold their name: all of them, or only the unarchived ones with nameScope 'active'. */
  private readonly byName = new Map<string, Rec>();
  private nextSeq = 1;

  constructor(private readonly options: StoreOptions) {}

  create(input: CreateInput): string {
    const config = createConfig(input.config);
    this.claimName(input.name, undefined);
    let id = this.options.newId();
    while (this.byId.has(id)) id = this.options.newId();
    const at = this.stamp();
    const env: LiveEnvironment = {
      id,
      type: 'environment',
      name: input.name,
      description: input.description,
      metadata: input.metadata,
      config,
      scope: input.scope ?? 'organization',
      created_at: at,
      updated_at: at,
      archived_at: null,
    };
    const rec: Rec = { seq: this.nextSeq++, env, json: undefined };
    this.records.push(rec);
    this.byId.set(id, rec);
    this.byName.set(env.name, rec);
    return json(rec);
  }

  retrieve(id: string): string {
    return json(this.find(id));
  }

  update(id: string, input: UpdateInput): string {
    const rec = this.find(id);
    const current = rec.env;
    if (current.archived_at !== null) {
      throw invalidRequest(`environment ${id} is archived and cannot be updated`, 'environment_archived');
    }
    const config = input.config === undefined ? current.config : updateConfig(current.config, input.config);
    const metadata =
      input.metadata === undefined ? current.metadata : patchMetadata(current.metadata, input.metadata);
    const name = input.name ?? current.name;
    if (name !== current.name) this.claimName(name, rec);
    const env: LiveEnvironment = {
      ...current,
      name,
      description: input.description === undefined ? current.description : input.description,
      metadata,
      config,
      scope: input.scope ?? current.scope,
      updated_at: this.stamp(current.updated_at),
    };
    if (name !== current.name) {
      if (this.byName.get(current.name) === rec) this.byName.delete(current.name);
      this.byName.set(name, rec);
    }
    this.replace(rec, env);
    return json(rec);
  }

  /** Idempotent: archiving an archived environment changes nothing and needs no write. */
  archive(id: string): { json: string; changed: boolean } {
    const rec = this.find(id);
    if (rec.env.archived_at !== null) return { json: json(rec), changed: false };
    const at = this.stamp(rec.env.updated_at);
    this.replace(rec, { ...rec.env, updated_at: at, archived_at: at });
    if (this.options.nameScope === 'active' && this.byName.get(rec.env.name) === rec) {
      this.byName.delete(rec.env.name);
    }
    return { json: json(rec), changed: true };
  }

  delete(id: string): string {
    const rec = this.find(id);
    this.records.splice(this.indexBelow(rec.seq + 1), 1);
    this.byId.delete(id);
    if (this.byName.get(rec.env.name) === rec) this.byName.delete(rec.env.name);
    return JSON.stringify({ id, type: 'environment_deleted' });
  }

  /** Newest first, `limit` at a time; the cursor says "below sequence N". */
  list(query: ListQuery): string {
    const below = query.page === null ? Number.POSITIVE_INFINITY : decodeCursor(query.page);
    const page: string[] = [];
    let last: Rec | undefined;
    let more = false;
    for (let i = this.indexBelow(below); i >= 0; i--) {
      const rec = this.records[i] as Rec;
      if (!query.includeArchived && rec.env.archived_at !== null) continue;
      if (page.length === query.limit) {
        more = true;
        break;
      }
      page.push(json(rec));
      last = rec;
    }
    const next = more && last ? JSON.stringify(encodeCursor(last.seq)) : 'null';
    return `{"data":[${page.join(',')}],"next_page":${next}}`;
  }

  /** The whole state as the text of the state file. */
  serialize(): string {
    const lines = this.records.map((rec) => `{"seq":${rec.seq},"env":${json(rec)}}`);
    return `{"format":"${STATE_FORMAT}","version":1,"next_seq":${this.nextSeq},"environments":[\n${lines.join(',\n')}\n]}\n`;
  }

  /** Rebuilds a store from a state file's text; `source` names the file in errors. */
  static deserialize(text: string, source: string, options: StoreOptions): EnvironmentStore {
    const bad = (why: string) =>
      new EnvsyncError('emulator_state_invalid', `${source}: not a usable emulator state file (${why})`, {
        hint: 'move the file away or pass another --state path; the emulator never overwrites a file it cannot read',
      });
    let doc: unknown;
    try {
      doc = JSON.parse(text);
    } catch (e) {
      throw bad(e instanceof Error ? e.message : String(e));
    }
    const d = doc as { format?: unknown; version?: unknown; next_seq?: unknown; environments?: unknown };
    if (d?.format !== STATE_FORMAT || d.version !== 1 || !Array.isArray(d.environments)) {
      throw bad(`expected {"format": "${STATE_FORMAT}", "version": 1, "environments": [...]}`);
    }
    const store = new EnvironmentStore(options);
    let prev = 0;
    for (const [i, entry] of (
      d.environments as Array<{ seq?: unknown; env?: Partial<LiveEnvironment> }>
    ).entries()) {
      const { seq, env } = entry ?? {};
      if (typeof seq !== 'number' || !Number.isSafeInteger(seq) || seq <= prev) {
        throw bad(`environments[${i}].seq must be an integer above ${prev}`);
      }
      if (typeof env?.id !== 'string' || typeof env.name !== 'string' || typeof env.updated_at !== 'string') {
        throw bad(`environments[${i}].env is not an environment`);
      }
      const rec: Rec = { seq, env: env as LiveEnvironment, json: undefined };
      store.records.push(rec);
      store.byId.set(env.id, rec);
      if (options.nameScope === 'all' || env.archived_at === null) store.byName.set(env.name, rec);
      prev = seq;
    }
    store.nextSeq = Math.max(prev + 1, typeof d.next_seq === 'number' ? d.next_seq : 0);
    return store;
  }

  private find(id: string): Rec {
    const rec = this.byId.get(id);
    if (!rec) throw notFound(`environment ${id} not found`);
    return rec;
  }

  private claimName(name: string, self: Rec | undefined): void {
    const holder = this.byName.get(name);
    if (holder && holder !== self) {
      const archived = holder.env.archived_at !== null ? ' (archived; names stay taken until deleted)' : '';
      throw conflict(`name: an environment named ${JSON.stringify(name)} already exists${archived}`);
    }
  }

  private replace(rec: Rec, env: LiveEnvironment): void {
    rec.env = env;
    rec.json = undefined;
  }

  /** The index of the last record with seq < `seq`, or -1: records are kept in seq order. */
  private indexBelow(seq: number): number {
    let lo = 0;
    let hi = this.records.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.records[mid] as Rec).seq < seq) lo = mid + 1;
      else hi = mid;
    }
    return lo - 1;
  }

  /** envsync compares updated_at to detect concurrent changes, so it must move on every write. */
  private stamp(after?: string): string {
    let t = this.options.now();
    const previous = after === undefined ? Number.NaN : Date.parse(after);
    if (!Number.isNaN(previous)) t = Math.max(t, previous + 1);
    return new Date(t).toISOString();
  }
}

function json(rec: Rec): string {
  rec.json ??= JSON.stringify(rec.env);
  return rec.json;
}

function patchMetadata(
  current: Record<string, string>,
  patch: Record<string, string | null>,
): Record<string, string> {
  const out = { ...current };
  for (const [key, value] of Object.entries(patch)) {
    if (value === null || value === '') delete out[key];
    else out[key] = value;
  }
  const count = Object.keys(out).length;
  if (count > LIMITS.metadataKeys) {
    throw invalidRequest(
      `metadata: the update would leave ${count} keys, at most ${LIMITS.metadataKeys} are allowed`,
      'invalid_metadata',
    );
  }
  return out;
}
