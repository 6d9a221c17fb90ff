// A resolution under the release-age quarantine: never a version younger than min_release_age; a pinned one
// that young is a located violation with its dates.

import { isPinned } from '../config/packages.js';
import { packageName } from '../domain/package-spec.js';
import type { Diagnostic } from '../model.js';
import { type Judgement, judge, specDiagnostic } from './judge.js';
import type { Learnt } from './lookups.js';
import type { Need } from './needs.js';
import { allowedFrom, day, type Quarantine } from './quarantine.js';

/** Versions one resolution may pass over for being too young, before it gives up. */
const MAX_PASSED_OVER = 50;

/** A pinned version too young: the violation, naming its publish date and the day it becomes allowed. */
export function tooYoung(
  need: Need,
  q: Quarantine,
  version: string,
  published: string,
  allowed: number,
): Diagnostic {
  return specDiagnostic(
    need,
    'error',
    `violates policy "min_release_age: ${q.text}" (set at ${q.setAt.file}:${q.setAt.line}:${q.setAt.column}): version ${version} was published on ${day(Date.parse(published))} and may be locked from ${day(allowed)}`,
    `pin an older version, wait until ${day(allowed)}, or list ${packageName(need.manager, need.spec)} under min_release_age.except with a reason and an expires date`,
  );
}

export type AgedJudgement = Judgement | { kind: 'too_young'; problem: Diagnostic };

/**
 * The registry's answer judged under the quarantine: a range, a tag or no version at all resolves to the
 * newest version old enough (the versions too young are passed over, asking a registry that lists no
 * publish times for the chosen one's); a pinned version too young is a violation.
 */
export async function judgeAged(
  need: Need,
  learnt: Learnt,
  q: Quarantine | null,
  now: number,
): Promise<AgedJudgement> {
  if (q === null || learnt.kind !== 'found') return judge(need, learnt);
  let record = learnt.record;
  let passed: { version: string; published: string; allowed: number } | null = null;
  for (let i = 0; i <= MAX_PASSED_OVER; i++) {
    const j = await judge(need, { kind: 'found', record });
    if (j.kind !== 'resolved') {
      if (j.kind !== 'problem' || passed === null) return j;
      return {
        kind: 'problem',
        message: `every version it allows is younger than min_release_age ${q.text} (the newest, ${passed.version}, was published on ${day(Date.parse(passed.published))} and may be locked from ${day(passed.allowed)})`,
        hint: 'wait, widen the spec, or list the package under min_release_age.except with a reason and an expires date',
      };
    }
    const v = j.version;
    const published = v.published ?? (record.details ? (await record.details(v.version)).published : null);
    const allowed = allowedFrom(q, published, now);
    if (allowed === null || published === null) return j;
    if (isPinned(need.manager, need.spec))
      return { kind: 'too_young', problem: tooYoung(need, q, v.version, published, allowed) };
    passed ??= { version: v.version, published, allowed };
    const left = record.versions.filter((x) => x.version !== v.version);
    // A query only the registry answers (a Go branch) names the same version again: nothing older to pick.
    if (left.length === record.versions.length)
      return { kind: 'too_young', problem: tooYoung(need, q, v.version, published, allowed) };
    record = { ...record, versions: left };
  }
  return {
    kind: 'problem',
    message: `more than ${MAX_PASSED_OVER} versions are younger than min_release_age ${q.text}`,
    hint: 'wait, or pin an older version',
  };
}
