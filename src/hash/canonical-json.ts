// RFC 8785 (JSON Canonicalization Scheme) for the JSON values envsync hashes.

import { EnvsyncError } from '../errors.js';
import { compareCodeUnits } from '../util/order.js';

/**
 * Serializes a JSON value canonically: no whitespace, object members sorted by the UTF-16 code units of
 * their names, strings and numbers as ECMAScript's JSON.stringify writes them (which is what RFC 8785
 * specifies). `undefined` members are omitted, as JSON.stringify does.
 */
export function canonicalJson(
  value: unknown,
  /**
   * The text of one top-level member, when the caller already knows it (a changelog entry's config, the
   * same few of which repeat through a history); undefined serialises it as usual.
   */
  known?: (key: string, member: unknown) => string | undefined,
): string {
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number') {
    if (!Number.isFinite(value))
      throw new EnvsyncError('not_json', `cannot canonicalize the number ${value}`, { source: 'envsync' });
    return JSON.stringify(value);
  }
  // Built with plain loops: a 100,000-entry verify canonicalizes every entry's metadata and lifecycle.
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i++) out += `${i > 0 ? ',' : ''}${canonicalJson(value[i] ?? null)}`;
    return `${out}]`;
  }
  if (typeof value === 'object') {
    const record = value as Record<string, unknown>;
    const keys = Object.keys(record);
    // Members sorted by the UTF-16 code units of their names, as RFC 8785 §3.2.3 asks (most already are).
    if (!inOrder(keys)) keys.sort(compareCodeUnits);
    let out = '{';
    for (const key of keys) {
      const v = record[key];
      if (v === undefined) continue;
      out += `${out.length > 1 ? ',' : ''}${JSON.stringify(key)}:${known?.(key, v) ?? canonicalJson(v)}`;
    }
    return `${out}}`;
  }
  throw new EnvsyncError('not_json', `cannot canonicalize a value of type ${typeof value}`, {
    source: 'envsync',
  });
}

function inOrder(keys: readonly string[]): boolean {
  for (let i = 1; i < keys.length; i++)
    if (compareCodeUnits(keys[i - 1] as string, keys[i] as string) > 0) return false;
  return true;
}
