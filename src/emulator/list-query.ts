// Query parameters every list shares: limit, page, order, include_archived, created_at bounds and id filters.

import type { PageRequest } from './collection.js';
import { invalidRequest } from './errors.js';

const MAX_LIMIT = 1000;

export function pageRequest(query: URLSearchParams, orderable = false): PageRequest {
  const rawLimit = query.get('limit');
  let limit = 20;
  if (rawLimit !== null) {
    limit = /^[0-9]{1,7}$/.test(rawLimit) ? Number(rawLimit) : Number.NaN;
    if (!(limit >= 1 && limit <= MAX_LIMIT)) {
      throw invalidRequest(
        `limit: must be an integer from 1 to ${MAX_LIMIT}, got ${JSON.stringify(rawLimit)}`,
      );
    }
  }
  const page = query.get('page');
  const rawOrder = orderable ? query.get('order') : null;
  if (rawOrder !== null && rawOrder !== 'asc' && rawOrder !== 'desc') {
    throw invalidRequest(`order: must be asc or desc, got ${JSON.stringify(rawOrder)}`);
  }
  return { limit, page: page === null || page === '' ? null : page, order: rawOrder ?? 'desc' };
}

export function booleanParam(query: URLSearchParams, name: string): boolean | undefined {
  const raw = query.get(name);
  if (raw === null) return undefined;
  if (raw !== 'true' && raw !== 'false') {
    throw invalidRequest(`${name}: must be true or false, got ${JSON.stringify(raw)}`);
  }
  return raw === 'true';
}

export type CreatedAtOp = 'gt' | 'gte' | 'lt' | 'lte';

const COMPARE: Record<CreatedAtOp, (t: number, bound: number) => boolean> = {
  gt: (t, b) => t > b,
  gte: (t, b) => t >= b,
  lt: (t, b) => t < b,
  lte: (t, b) => t <= b,
};

/** `created_at[gte]=…` and friends (only the operators this list documents) as one predicate. */
export function createdAtFilter(
  query: URLSearchParams,
  ops: readonly CreatedAtOp[],
): (createdAt: string) => boolean {
  const bounds: Array<[CreatedAtOp, number]> = [];
  for (const op of ops) {
    const raw = query.get(`created_at[${op}]`);
    if (raw === null) continue;
    const t = Date.parse(raw);
    if (!/^\d{4}-\d{2}-\d{2}T/.test(raw) || Number.isNaN(t)) {
      throw invalidRequest(
        `created_at[${op}]: must be an RFC 3339 timestamp such as 2026-03-15T10:00:00Z, got ${JSON.stringify(raw)}`,
      );
    }
    bounds.push([op, t]);
  }
  return (createdAt) => {
    const t = Date.parse(createdAt);
    return bounds.every(([op, bound]) => COMPARE[op](t, bound));
  };
}

/** A single-valued string filter (`agent_id`), or undefined when absent. */
export function stringParam(query: URLSearchParams, name: string): string | undefined {
  const raw = query.get(name);
  return raw === null || raw === '' ? undefined : raw;
}

/** A repeatable parameter: the SDK sends `statuses[]=a&statuses[]=b`; curl users write `statuses=a`. */
export function listParam<T extends string>(
  query: URLSearchParams,
  name: string,
  choices: readonly T[],
): T[] | undefined {
  const values = [...query.getAll(name), ...query.getAll(`${name}[]`)].flatMap((v) => v.split(','));
  if (values.length === 0) return undefined;
  for (const v of values) {
    if (!(choices as readonly string[]).includes(v)) {
      throw invalidRequest(
        `${name}: ${JSON.stringify(v)} is not one of ${choices.map((c) => JSON.stringify(c)).join(', ')}`,
      );
    }
  }
  return values as T[];
}
