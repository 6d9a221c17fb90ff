// Builds real, hash-chained changelog entries for the audit query tests.

import { parseEntry } from '../../../src/changelog/entry.js';
import { entryHash, parseChangelogText } from '../../../src/changelog/store.js';
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

/** A body checked the way the reader checks it, so a factory never builds what the reader would refuse. */
function typed(body: Record<string, unknown>): ChangelogEntry {
  const parsed = parseEntry({ ...body, hash: entryHash(body) });
  if (!parsed.ok) throw new Error(`factory built a bad entry: ${parsed.error}`);
  return parsed.entry;
}

/** Entries as the legacy writer appended them (v1): seq from 1, each chained to the one before. */
export function chain(specs: readonly EntrySpec[]): ChangelogEntry[] {
  const out: ChangelogEntry[] = [];
  specs.forEach((s, i) => {
    const config = s.config === undefined || s.config === null ? null : normalizeConfig(s.config);
    const body = {
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
    out.push(typed(body));
  });
  return out;
}

/** One run file (v2): begin with `parents`, the specs, end; every entry of plan `planId`. */
export function runEntries(
  planId: string,
  parents: string[],
  specs: readonly EntrySpec[],
  at = '2026-10-01T00:00:00.000Z',
  /** The begin's detail (a preview run's marks it); null as an apply writes none here. */
  beginDetail: string | null = null,
  /** The end's detail (an uncertain write's run says so), or false for an interrupted run with no `end`. */
  endDetail: string | null | false = null,
): ChangelogEntry[] {
  const all: EntrySpec[] = [
    { op: 'begin', at, detail: beginDetail },
    ...specs,
    ...(endDetail === false ? [] : [{ op: 'end' as const, at: specs.at(-1)?.at ?? at, detail: endDetail }]),
  ];
  const out: ChangelogEntry[] = [];
  all.forEach((s, i) => {
    const v1 = chain([{ ...s, plan_id: planId }])[0] as ChangelogEntry;
    const { hash: _h, ...rest } = v1;
    out.push(
      typed({
        ...rest,
        v: 2,
        seq: i + 1,
        git_dirty: false,
        workspace: null,
        parents: s.op === 'begin' ? [...parents].sort() : null,
        prev: out[i - 1]?.hash ?? null,
      }),
    );
  });
  return out;
}

/** A run file as the reader returns it. */
export function runFile(name: string, entries: readonly ChangelogEntry[], legacy = false) {
  return parseChangelogText(name, entries.map((e) => `${JSON.stringify(e)}\n`).join(''), legacy);
}

export const pip = (...packages: string[]): LooseConfig => ({ type: 'cloud', packages: { pip: packages } });
