// Builds real, hash-chained changelog entries for the audit query tests.

import { entryHash } from '../../../src/changelog/store.js';
import { configHash, normalizeConfig } from '../../../src/hash/config-hash.js';
import type { ChangelogEntry, ChangelogOp, Lifecycle, LooseConfig } from '../../../src/model.js';

export interface EntrySpec {
  op: ChangelogOp;
  at: string;
  name?: string | null;
  env_id?: string | null;
  /** A config to record; its hash is computed unless config_hash is given. */
  config?: LooseConfig | null;
  config_hash?: string | null;
  description?: string | null;
  metadata?: Record<string, string> | null;
  replaces?: string | null;
  lifecycle?: Lifecycle | null;
  detail?: string | null;
  git_commit?: string | null;
  plan_id?: string;
}

/** Entries as the writer would append them: seq from 1, each chained to the one before. */
export function chain(specs: readonly EntrySpec[]): ChangelogEntry[] {
  const out: ChangelogEntry[] = [];
  specs.forEach((s, i) => {
    const config = s.config === undefined || s.config === null ? null : normalizeConfig(s.config);
    const body: Omit<ChangelogEntry, 'hash'> = {
      v: 1,
      seq: i + 1,
      at: s.at,
      op: s.op,
      name: s.name ?? null,
      env_id: s.env_id ?? null,
      config_hash: s.config_hash !== undefined ? s.config_hash : config ? configHash(config) : null,
      config,
      description: s.description ?? null,
      metadata: s.metadata === undefined ? (config ? {} : null) : s.metadata,
      lifecycle: s.lifecycle ?? null,
      replaces: s.replaces ?? null,
      source: null,
      git_commit: s.git_commit ?? 'abcdef0123456789abcdef0123456789abcdef01',
      actor: 'tester',
      target: 'http://127.0.0.1:1',
      plan_id: s.plan_id ?? 'plan_1',
      detail: s.detail ?? null,
      prev: out[i - 1]?.hash ?? null,
    };
    out.push({ ...body, hash: entryHash(body) });
  });
  return out;
}

export const pip = (...packages: string[]): LooseConfig => ({ type: 'cloud', packages: { pip: packages } });
