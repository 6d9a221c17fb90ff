// An entry read from disk, checked field by field into the typed union (v1 or v2, frame or step), and its hash.

import { canonicalJson } from '../hash/canonical-json.js';
import { normalizeConfig, sha256Hex } from '../hash/config-hash.js';
import type { ChangelogEntry, FrameOp, Lifecycle, NormalConfig, StepOp } from '../model.js';
import { STEP_OPS } from '../model.js';

/** The canonical JSON of a config, computed once per distinct config (the same few repeat all through a history). */
const canonicalConfigs = new Map<string, string>();
/** Parsed entries share one normal config object per distinct config: its canonical text is kept on it. */
const canonicalOf = new WeakMap<object, string>();
function canonicalConfig(config: unknown): string {
  if (typeof config === 'object' && config !== null) {
    const known = canonicalOf.get(config);
    if (known !== undefined) return known;
  }
  const key = JSON.stringify(config);
  let text = canonicalConfigs.get(key);
  if (text === undefined) {
    text = canonicalJson(config);
    if (canonicalConfigs.size > 10_000) canonicalConfigs.clear();
    canonicalConfigs.set(key, text);
  }
  return text;
}

/**
 * Entries read from a line that left out a field added since (a lifecycle from before `previous_names` or
 * `repoint_deployments`): the typed entry fills in the default, the hash covers the line as written.
 */
const writtenAs = new WeakMap<object, object>();

/**
 * The hash of an entry: sha256 over the RFC 8785 canonical JSON of every field it carries but `hash` — the
 * one canonical serialiser, told the config's text when it has seen that config before.
 */
export function entryHash(entry: object): string {
  const text = canonicalJson({ ...(writtenAs.get(entry) ?? entry), hash: undefined }, (key, v) =>
    key === 'config' && v !== null && typeof v === 'object' ? canonicalConfig(v) : undefined,
  );
  return `sha256:${sha256Hex(text)}`;
}

type Parsed = { ok: true; entry: ChangelogEntry } | { ok: false; error: string };

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  return typeof v === 'object' ? 'an object' : `${typeof v} ${JSON.stringify(v)}`;
}

/** Field readers: each returns the value typed, or throws a FieldError naming what was wrong. */
class FieldError extends Error {}
function need<T>(ok: boolean, field: string, want: string, v: unknown, value: T): T {
  if (!ok) throw new FieldError(`field ${field}: expected ${want}, found ${describe(v)}`);
  return value;
}
function str(o: Record<string, unknown>, k: string): string {
  const v = o[k];
  return need(typeof v === 'string', k, 'a string', v, v as string);
}
function strOrNull(o: Record<string, unknown>, k: string): string | null {
  const v = o[k];
  return v === null ? null : need(typeof v === 'string', k, 'a string or null', v, String(v));
}
function intOf(o: Record<string, unknown>, k: string): number {
  const v = o[k];
  return need(typeof v === 'number' && Number.isInteger(v) && v >= 1, k, 'a whole number ≥ 1', v, Number(v));
}
function stringMap(o: Record<string, unknown>, k: string): Record<string, string> | null {
  const v = o[k];
  if (v === null) return null;
  if (!isObject(v) || !Object.values(v).every((x) => typeof x === 'string'))
    throw new FieldError(`field ${k}: expected an object of strings or null, found ${describe(v)}`);
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(v)) if (typeof value === 'string') out[key] = value;
  return out;
}
/**
 * Configs repeat across a long history (every update of one environment records the same few), so the
 * normal-form check and the hash are computed once per distinct config: verify of 100,000 entries
 * would otherwise spend most of its time re-normalizing the same objects.
 */
const seen = new Map<string, { normal: NormalConfig; hash: string } | null>();

function checkedConfig(v: unknown): { normal: NormalConfig; hash: string } | null {
  if (!isObject(v)) return null;
  const text = canonicalConfig(v);
  const known = seen.get(text);
  if (known !== undefined) return known;
  let result: { normal: NormalConfig; hash: string } | null = null;
  try {
    const normal = normalizeConfig(v);
    const normalText = canonicalJson(normal);
    if (normalText === text) {
      result = { normal, hash: `sha256:${sha256Hex(normalText)}` };
      canonicalOf.set(normal, normalText);
    }
  } catch {
    result = null;
  }
  if (seen.size > 10_000) seen.clear();
  seen.set(text, result);
  return result;
}

/** The config hash of a config already in normal form (as every parsed entry's is), computed once per config. */
export function normalConfigHash(config: NormalConfig): string {
  return checkedConfig(config)?.hash ?? `sha256:${sha256Hex(canonicalJson(config))}`;
}

function configOf(o: Record<string, unknown>): NormalConfig | null {
  const v = o.config;
  if (v === null) return null;
  // A config is stored in normal form; anything else would break the diff and `show` downstream.
  const checked = checkedConfig(v);
  if (checked === null)
    throw new FieldError(`field config: expected an environment config in normal form, found ${describe(v)}`);
  return checked.normal;
}
function lifecycleOf(o: Record<string, unknown>): Lifecycle | null {
  const v = o.lifecycle;
  if (v === null) return null;
  const ok =
    isObject(v) &&
    (v.on_config_change === 'update' || v.on_config_change === 'recreate') &&
    typeof v.keep_superseded === 'boolean' &&
    typeof v.prevent_archive === 'boolean';
  if (!ok || !isObject(v))
    throw new FieldError(`field lifecycle: expected a lifecycle or null, found ${describe(v)}`);
  return {
    on_config_change: v.on_config_change === 'recreate' ? 'recreate' : 'update',
    keep_superseded: v.keep_superseded === true,
    prevent_archive: v.prevent_archive === true,
    // Entries written before repoint_deployments (or previous_names) existed carry no such field: it was off
    // (none). The hash still covers the line as written (parseEntry keeps it for entryHash).
    repoint_deployments: v.repoint_deployments === true,
    previous_names: Array.isArray(v.previous_names)
      ? v.previous_names.filter((n): n is string => typeof n === 'string')
      : [],
  };
}
function parentsOf(o: Record<string, unknown>): string[] | null {
  const v = o.parents;
  if (v === null) return null;
  if (!Array.isArray(v) || !v.every((x) => typeof x === 'string'))
    throw new FieldError(`field parents: expected a list of hashes or null, found ${describe(v)}`);
  return v.map(String);
}

const V1_KEYS = [
  'v',
  'seq',
  'at',
  'op',
  'name',
  'env_id',
  'config_hash',
  'config',
  'description',
  'metadata',
  'lifecycle',
  'replaces',
  'source',
  'git_commit',
  'actor',
  'target',
  'plan_id',
  'detail',
  'prev',
  'hash',
];
const V2_KEYS = [...V1_KEYS, 'git_dirty', 'workspace', 'parents'];

function isStepOp(op: string): op is StepOp {
  return (STEP_OPS as readonly string[]).includes(op);
}

function build(o: Record<string, unknown>): ChangelogEntry {
  const v = o.v;
  if (v !== 1 && v !== 2) throw new FieldError(`field v: expected 1 or 2, found ${describe(v)}`);
  const missing = (v === 1 ? V1_KEYS : V2_KEYS).filter((k) => !(k in o));
  if (missing.length > 0)
    throw new FieldError(`missing field${missing.length > 1 ? 's' : ''} ${missing.join(', ')}`);
  const common = {
    seq: intOf(o, 'seq'),
    at: str(o, 'at'),
    name: strOrNull(o, 'name'),
    config_hash: strOrNull(o, 'config_hash'),
    config: configOf(o),
    description: strOrNull(o, 'description'),
    metadata: stringMap(o, 'metadata'),
    lifecycle: lifecycleOf(o),
    replaces: strOrNull(o, 'replaces'),
    source: strOrNull(o, 'source'),
    git_commit: strOrNull(o, 'git_commit'),
    actor: str(o, 'actor'),
    target: str(o, 'target'),
    plan_id: str(o, 'plan_id'),
    detail: strOrNull(o, 'detail'),
    prev: strOrNull(o, 'prev'),
    hash: str(o, 'hash'),
  };
  if (Number.isNaN(Date.parse(common.at)))
    throw new FieldError(`field at: not a time: ${JSON.stringify(common.at)}`);
  const op = str(o, 'op');
  const envId = strOrNull(o, 'env_id');
  let shape: { op: FrameOp; env_id: null } | { op: StepOp; env_id: string };
  if (op === 'begin' || op === 'end') {
    if (envId !== null)
      throw new FieldError(`field env_id: a ${op} entry has none, found ${JSON.stringify(envId)}`);
    shape = { op, env_id: null };
  } else if (isStepOp(op)) {
    if (envId === null) throw new FieldError(`field env_id: a ${op} entry needs one, found null`);
    shape = { op, env_id: envId };
  } else {
    throw new FieldError(`field op: unknown op ${JSON.stringify(op)}`);
  }
  if (v === 1) return { v: 1, ...common, ...shape };
  const dirty = o.git_dirty;
  return {
    v: 2,
    ...common,
    ...shape,
    git_dirty:
      dirty === null
        ? null
        : need(typeof dirty === 'boolean', 'git_dirty', 'true, false or null', dirty, dirty === true),
    workspace: strOrNull(o, 'workspace'),
    parents: parentsOf(o),
  };
}

/**
 * Reads one line's JSON value as an entry, or says why it cannot: every field of its version present and
 * typed, and no other. A field the version does not define makes the line unreadable (the store sets it
 * aside as a bad line), rather than being dropped: the hash check downstream runs over the typed entry, so
 * a dropped field would hide an edit.
 */
export function parseEntry(value: unknown): Parsed {
  if (!isObject(value)) return { ok: false, error: `expected an entry object, found ${describe(value)}` };
  try {
    const typed = build(value);
    const extra = Object.keys(value).filter((k) => !(k in typed));
    // Refused, not dropped: the typed entry is what the hash is checked over, so an added field must not vanish.
    if (extra.length > 0)
      return { ok: false, error: `unknown field${extra.length > 1 ? 's' : ''} ${extra.join(', ')}` };
    const lifecycle = value.lifecycle;
    if (isObject(lifecycle) && !('repoint_deployments' in lifecycle && 'previous_names' in lifecycle))
      writtenAs.set(typed, value);
    return { ok: true, entry: typed };
  } catch (e) {
    if (e instanceof FieldError) return { ok: false, error: e.message };
    throw e;
  }
}

export function isStepEntry(e: ChangelogEntry): e is Extract<ChangelogEntry, { env_id: string }> {
  return e.env_id !== null;
}
