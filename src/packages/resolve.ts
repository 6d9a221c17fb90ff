// Which version a spec names, by its manager's own grammar: PEP 440, npm semver and dist-tags, Cargo, RubyGems,
// Go module queries, Debian versions. Withdrawn versions (yanked, retracted, deprecated) are never chosen.

import * as pep440 from '@renovatebot/pep440';
import semver from 'semver';
import { specParts } from '../domain/package-spec.js';
import type { PackageManager } from '../model.js';
import { compareDebian } from './grammar/debian.js';
import { compareGo, isGoRelease, isGoVersion, matchesGoPrefix } from './grammar/go.js';
import { compareGem, isGemPrerelease } from './grammar/rubygems.js';
import type { PackageRecord, VersionRecord } from './registries/record.js';
import { versionHint } from './suggest.js';

export type Resolution =
  | { kind: 'resolved'; version: VersionRecord; deprecated: string | null }
  | { kind: 'problem'; message: string; hint: string }
  | { kind: 'unresolved'; reason: string };

/** What a spec's version part asks for, as its manager reads it. */
type Query =
  | { kind: 'exact'; wanted: string; matches: (v: string) => boolean }
  | { kind: 'range'; shown: string; pick: (candidates: string[]) => string | null }
  | { kind: 'tag'; tag: string }
  /** Go: a query only the proxy can answer (a branch, a commit, a pseudo-version, `latest` of an untagged module). */
  | { kind: 'proxy'; query: string }
  | { kind: 'problem'; message: string; hint: string }
  | { kind: 'unresolved'; reason: string };

interface Grammar {
  compare(a: string, b: string): number;
  isPrerelease(v: string): boolean;
  /** Versions the registry lists that this grammar cannot read are left out. */
  valid(v: string): boolean;
  query(q: string | null, record: PackageRecord): Query;
}

/** The newest release; pre-releases only when there is no release. */
function newest(g: Pick<Grammar, 'compare' | 'isPrerelease'>): Query {
  return {
    kind: 'range',
    shown: 'the newest version',
    pick: (candidates) => {
      const sorted = [...candidates].sort(g.compare);
      return sorted.filter((v) => !g.isPrerelease(v)).at(-1) ?? sorted.at(-1) ?? null;
    },
  };
}

const semverRelease = (v: string) => semver.prerelease(v) === null;

const pip: Grammar = {
  compare: pep440.compare,
  isPrerelease: (v) => pep440.explain(v)?.is_prerelease === true,
  valid: (v) => pep440.valid(v) !== null,
  query(q) {
    if (q === null) return newest(pip);
    if (!pep440.validRange(q)) {
      return {
        kind: 'problem',
        message: `${q} is not a PEP 440 version specifier`,
        hint: 'write it as ==1.2.3, >=1.2,<2 or ~=1.2',
      };
    }
    if (/^(==[^*,]+|===[^,]+)$/.test(q)) {
      const wanted = q.replace(/^=+/, '');
      return { kind: 'exact', wanted, matches: (v) => pep440.satisfies(v, q, { prereleases: true }) };
    }
    return {
      kind: 'range',
      shown: q,
      // Pre-releases only when the specifier names one, or when nothing else matches (PEP 440).
      pick: (c) => pep440.maxSatisfying(c, q) ?? pep440.maxSatisfying(c, q, { prereleases: true }),
    };
  },
};

const npm: Grammar = {
  compare: semver.compare,
  isPrerelease: (v) => !semverRelease(v),
  valid: (v) => semver.valid(v) !== null,
  query(q, record) {
    if (q === null) return { kind: 'tag', tag: 'latest' };
    const exact = semver.valid(q);
    if (exact !== null) return { kind: 'exact', wanted: exact, matches: (v) => v === exact };
    const range = semver.validRange(q);
    // npm reads anything that is not a version or a range as a dist-tag.
    if (range === null) return { kind: 'tag', tag: q };
    const latest = record.tags.latest;
    return {
      kind: 'range',
      shown: q,
      // npm takes the `latest` tag when it satisfies the range, else the highest that does.
      pick: (c) =>
        latest !== undefined && c.includes(latest) && semver.satisfies(latest, range)
          ? latest
          : semver.maxSatisfying(c, range),
    };
  },
};

const cargo: Grammar = {
  compare: semver.compare,
  isPrerelease: (v) => !semverRelease(v),
  valid: (v) => semver.valid(v) !== null,
  query(q) {
    if (q === null) return newest(cargo);
    // `cargo install name@1.2.3` installs exactly 1.2.3; `=`, `^` and `~` are requirements; a partial
    // version (`1.2`) is a requirement with Cargo's default caret.
    const bare = q.replace(/^=/, '');
    if ((q.startsWith('=') || !/^[\^~]/.test(q)) && semver.valid(bare) !== null)
      return { kind: 'exact', wanted: bare, matches: (v) => semver.eq(v, bare) };
    const req = /^[\^~]/.test(q) ? q : `^${q}`;
    const range = semver.validRange(req);
    if (range === null || q.startsWith('=')) {
      return {
        kind: 'problem',
        message: `${q} is not a Cargo version requirement`,
        hint: 'write it as 1.2.3 (exactly), ^1.2, ~1.2 or =1.2.3',
      };
    }
    return { kind: 'range', shown: req, pick: (c) => semver.maxSatisfying(c, range) };
  },
};

const gem: Grammar = {
  compare: compareGem,
  isPrerelease: isGemPrerelease,
  valid: (v) => /^[0-9]+(\.[0-9A-Za-z]+)*(-[0-9A-Za-z.-]+)?$/.test(v),
  query(q) {
    if (q === null) return newest(gem);
    // `gem install name -v 7.1` is `= 7.1`, which 7.1.0 satisfies (trailing zeros do not count).
    return { kind: 'exact', wanted: q, matches: (v) => compareGem(v, q) === 0 };
  },
};

const go: Grammar = {
  compare: compareGo,
  isPrerelease: (v) => !isGoRelease(v),
  valid: isGoVersion,
  query(q, record) {
    if (q === null || q === 'latest') {
      if (record.versions.length === 0) return { kind: 'proxy', query: 'latest' };
      return newest(go);
    }
    if (isGoVersion(q)) {
      // Pseudo-versions are never listed; the proxy knows them.
      if (!record.versions.some((v) => v.version === q) && /-\d{14}-[0-9a-f]{12}$/.test(q))
        return { kind: 'proxy', query: q };
      return { kind: 'exact', wanted: q, matches: (v) => v === q };
    }
    if (/^v\d+(\.\d+)?$/.test(q)) {
      return {
        kind: 'range',
        shown: `${q}.x`,
        pick: (c) =>
          [...c]
            .filter((v) => isGoRelease(v) && matchesGoPrefix(v, q))
            .sort(compareGo)
            .at(-1) ?? null,
      };
    }
    return { kind: 'proxy', query: q };
  },
};

const apt: Grammar = {
  compare: compareDebian,
  isPrerelease: () => false,
  valid: (v) => /^(\d+:)?[0-9][A-Za-z0-9.+~:-]*$/.test(v),
  query(q) {
    return q === null ? newest(apt) : { kind: 'exact', wanted: q, matches: (v) => compareDebian(v, q) === 0 };
  },
};

export const GRAMMARS: Record<PackageManager, Grammar> = { apt, cargo, gem, go, npm, pip };

/** What each manager calls a version its publisher withdrew. */
const YANKED: Record<PackageManager, string> = {
  apt: 'withdrawn',
  cargo: 'yanked',
  gem: 'yanked',
  go: 'retracted',
  npm: 'unpublished',
  pip: 'yanked',
};

/** A version picked from the usable ones, by the query's own rule. */
function chosen(version: string | null | undefined, usable: VersionRecord[]): VersionRecord | undefined {
  return version === null || version === undefined ? undefined : usable.find((v) => v.version === version);
}

/**
 * The version `spec` resolves to in `record`, or why it resolves to none. `where` names the registry for
 * messages (`PyPI (https://pypi.org)`). A version asked for exactly may be deprecated (it is flagged), never
 * yanked; a range, a tag or no version at all never lands on a yanked or deprecated one.
 */
export async function resolveSpec(
  manager: PackageManager,
  spec: string,
  record: PackageRecord,
  where: string,
): Promise<Resolution> {
  const g = GRAMMARS[manager];
  const parts = specParts(manager, spec);
  if (manager === 'apt' && parts.release) {
    return {
      kind: 'unresolved',
      reason: `${spec} picks a release (/${parts.query}); the index is one suite`,
    };
  }
  const versions = record.versions.filter((v) => g.valid(v.version));
  const usable = versions.filter((v) => !v.yanked && v.deprecated === null);
  const names = (list: VersionRecord[]) => list.map((v) => v.version);
  const name = parts.name;
  const q = g.query(parts.query, { ...record, versions });
  switch (q.kind) {
    case 'problem':
    case 'unresolved':
      return q;
    case 'exact': {
      const matching = versions.filter((v) => q.matches(v.version));
      if (matching.length === 0) {
        return {
          kind: 'problem',
          message: `${where} has no version ${q.wanted} of ${name}`,
          hint: versionHint(q.wanted, names(usable), g),
        };
      }
      const installable = matching.filter((v) => !v.yanked).sort((a, b) => g.compare(a.version, b.version));
      const best = installable.at(-1);
      if (!best) {
        return {
          kind: 'problem',
          message: `version ${q.wanted} of ${name} is ${YANKED[manager]} on ${where}`,
          hint: `pin another version: ${versionHint(q.wanted, names(usable), g)}`,
        };
      }
      return { kind: 'resolved', version: best, deprecated: best.deprecated };
    }
    case 'range': {
      const version = chosen(q.pick(names(usable)), usable);
      if (version) return { kind: 'resolved', version, deprecated: null };
      const onlyWithdrawn = chosen(q.pick(names(versions)), versions);
      return {
        kind: 'problem',
        message: onlyWithdrawn
          ? `${name}: only ${onlyWithdrawn.yanked ? YANKED[manager] : 'deprecated'} versions match ${q.shown} on ${where} (${onlyWithdrawn.version})`
          : `no version of ${name} on ${where} matches ${q.shown}`,
        hint: versionHint(parts.query ?? '', names(usable), g),
      };
    }
    case 'tag': {
      const tagged = record.tags[q.tag];
      if (tagged === undefined) {
        const tags = Object.keys(record.tags).sort();
        return {
          kind: 'problem',
          message: `${where} has no version or dist-tag ${q.tag} of ${name}`,
          hint: tags.length > 0 ? `its dist-tags: ${tags.join(', ')}` : versionHint(q.tag, names(usable), g),
        };
      }
      const version = chosen(tagged, usable);
      if (version) return { kind: 'resolved', version, deprecated: null };
      // A deprecated `latest` (npm): the newest usable release at or below it, as npm itself falls back.
      const below = chosen(
        names(usable)
          .filter((v) => !g.isPrerelease(v) && g.compare(v, tagged) <= 0)
          .sort(g.compare)
          .at(-1),
        usable,
      );
      if (below) return { kind: 'resolved', version: below, deprecated: null };
      return {
        kind: 'problem',
        message: `${name}@${q.tag} is ${tagged}, which is deprecated or missing on ${where}`,
        hint: versionHint(tagged, names(usable), g),
      };
    }
    case 'proxy': {
      const answer = await record.query?.(q.query);
      if (!answer) {
        return {
          kind: 'problem',
          message: `${where} knows no version ${q.query} of ${name}`,
          hint: versionHint(q.query, names(usable), g),
        };
      }
      if (answer.yanked) {
        return {
          kind: 'problem',
          message: `version ${answer.version} of ${name} is ${YANKED[manager]} on ${where}`,
          hint: `pin another version: ${versionHint(answer.version, names(usable), g)}`,
        };
      }
      return { kind: 'resolved', version: answer, deprecated: null };
    }
  }
}
