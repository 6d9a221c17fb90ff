// RFC 8785 (JSON Canonicalization Scheme) for the JSON values envsync hashes.

import { EnvsyncError } from '../errors.js';
import { compareCodeUnits } from '../util/order.js';

/**
 * Serializes a JSON value canonically: no whitespace, object members sorted by the UTF-16 code units of
 * their names, strings and numbers as ECMAScript's JSON.stringify writes them (which is what RFC 8785
 * specifies). `undefined` members are omitted, as JSON.stringify does.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number') {
    if (!Number.isFinite(value))
      throw new EnvsyncError('not_json', `cannot canonicalize the number ${value}`);
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${value.map((v) => canonicalJson(v ?? null)).join(',')}]`;
  if (typeof value === 'object') {
    const members = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      // Default sort compares UTF-16 code units, exactly as RFC 8785 §3.2.3 asks.
      .sort(([a], [b]) => compareCodeUnits(a, b))
      .map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`);
    return `{${members.join(',')}}`;
  }
  throw new EnvsyncError('not_json', `cannot canonicalize a value of type ${typeof value}`);
}
