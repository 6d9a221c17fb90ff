// The environments of one workspace: a collection plus a name index, and every rule that needs their state.

import type { LiveEnvironment } from '../model.js';
import {
  archiveRec,
  CollectionStore,
  json,
  type PageRequest,
  pageJson,
  type Rec,
  StateError,
  stamp,
} from './collection.js';
import { createConfig, updateConfig } from './config.js';
import { conflict, invalidRequest } from './errors.js';
import { type CreateInput, LIMITS, type UpdateInput } from './validate-body.js';

export type NameScope = 'all' | 'active';

export interface StoreOptions {
  nameScope: NameScope;
  newId: () => string;
  now: () => number;
}

export interface ListQuery extends Omit<PageRequest, 'order'> {
  includeArchived: boolean;
}

export class EnvironmentStore extends CollectionStore<LiveEnvironment> {
  /** The records that hold their name: all of them, or only the unarchived ones with nameScope 'active'. */
  private readonly byName = new Map<string, Rec<LiveEnvironment>>();

  constructor(private readonly options: StoreOptions) {
    super('environment', checkEnvironment);
  }

  create(input: CreateInput): string {
    const config = createConfig(input.config);
    this.claimName(input.name, undefined);
    const id = this.items.freshId(this.options.newId);
    const at = stamp(this.options.now());
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
    const rec = this.items.insert(env);
    this.byName.set(env.name, rec);
    return JSON.stringify(env);
  }

  retrieve(id: string): string {
    return json(this.find(id));
  }

  /** The environment, for other resources that reference it; undefined when this workspace has none. */
  get(id: string): LiveEnvironment | undefined {
    return this.items.get(id)?.value;
  }

  update(id: string, input: UpdateInput): string {
    const rec = this.find(id);
    const current = rec.value;
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
      updated_at: stamp(this.options.now(), current.updated_at),
    };
    if (name !== current.name) {
      if (this.byName.get(current.name) === rec) this.byName.delete(current.name);
      this.byName.set(name, rec);
    }
    this.items.replace(rec, env);
    return JSON.stringify(env);
  }

  /** Idempotent: archiving an archived environment changes nothing and needs no write. */
  archive(id: string): { json: string; changed: boolean } {
    const rec = this.find(id);
    const result = archiveRec(this.items, rec, this.options.now());
    if (this.options.nameScope === 'active' && this.byName.get(rec.value.name) === rec) {
      this.byName.delete(rec.value.name);
    }
    return result;
  }

  /** Callers check references first (Workspace.deleteEnvironment): this only forgets the environment. */
  delete(id: string): string {
    const rec = this.find(id);
    this.items.remove(rec);
    if (this.byName.get(rec.value.name) === rec) this.byName.delete(rec.value.name);
    return JSON.stringify({ id, type: 'environment_deleted' });
  }

  /** Newest first, `limit` at a time; the cursor says "below sequence N". */
  list(query: ListQuery): Buffer {
    const page = this.items.page(
      { ...query, order: 'desc' },
      (env) => query.includeArchived || env.archived_at === null,
    );
    return pageJson(page);
  }

  /** Loads environments from a state file into this (empty) store. */
  override load(state: unknown, where: string): void {
    super.load(state, where);
    for (const env of this.items.values()) {
      const rec = this.items.get(env.id) as Rec<LiveEnvironment>;
      if (this.options.nameScope === 'all' || env.archived_at === null) this.byName.set(env.name, rec);
    }
  }

  private claimName(name: string, self: Rec<LiveEnvironment> | undefined): void {
    const holder = this.byName.get(name);
    if (holder && holder !== self) {
      const archived = holder.value.archived_at !== null ? ' (archived; names stay taken until deleted)' : '';
      throw conflict(`name: an environment named ${JSON.stringify(name)} already exists${archived}`);
    }
  }
}

function checkEnvironment(value: unknown, where: string): LiveEnvironment {
  const env = value as Partial<LiveEnvironment> | null;
  if (typeof env?.id !== 'string' || typeof env.name !== 'string' || typeof env.updated_at !== 'string') {
    throw new StateError(`${where} is not an environment`);
  }
  return env as LiveEnvironment;
}

/** Metadata patch semantics shared by environments and deployments: null or "" deletes a key. */
export function patchMetadata(
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
