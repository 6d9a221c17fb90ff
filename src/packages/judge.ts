// A spec against what its registry said: the version it resolves to, or the located problem with it.

import type { Diagnostic, Severity } from '../model.js';
import { escapeText } from '../text/escape.js';
import type { Learnt } from './lookups.js';
import type { Need } from './needs.js';
import { REGISTRY_NAMES } from './registries/record.js';
import { type Resolution, resolveSpec } from './resolve.js';

export type Judgement = Resolution | { kind: 'uncached' } | { kind: 'not_asked' };

/** `PyPI (https://pypi.org)`. */
export function whereOf(need: Need): string {
  return `${REGISTRY_NAMES[need.manager]} (${need.registry?.url ?? 'no registry'})`;
}

/** What the registry's answer says of the need: a missing package is a problem like a missing version. */
export async function judge(need: Need, learnt: Learnt): Promise<Judgement> {
  switch (learnt.kind) {
    case 'uncached':
    case 'not_asked':
      return learnt;
    case 'missing':
      return {
        kind: 'problem',
        message: `${whereOf(need)} has no package ${need.lookup}`,
        hint:
          need.registry?.setAt === null
            ? 'check the name; a private package needs its registry in envsync.yaml (registries:)'
            : 'check the name, and that registries in envsync.yaml names the registry that holds it',
      };
    case 'found':
      return resolveSpec(need.manager, need.spec, learnt.record, whereOf(need));
  }
}

/** A diagnostic at the spec's first place, quoting it, and saying how often else it is written. */
export function specDiagnostic(need: Need, severity: Severity, message: string, hint?: string): Diagnostic {
  const also = need.also > 0 ? ` (written in ${need.also} more place${need.also === 1 ? '' : 's'} too)` : '';
  return {
    severity,
    file: need.at.file,
    line: need.at.line,
    column: need.at.column,
    path: `config.packages.${need.manager}`,
    // Registry text (deprecation messages, tags) is untrusted: nothing invisible or active gets through.
    message: escapeText(`${JSON.stringify(need.spec)}: ${message}${also}`),
    ...(hint ? { hint: escapeText(hint) } : {}),
  };
}

/** A pinned version its registry deprecated: kept (it is pinned), and said. */
export function deprecatedWarning(need: Need, version: string, message: string): Diagnostic {
  return specDiagnostic(
    need,
    'warning',
    `version ${version} is deprecated on ${whereOf(need)}: ${message}`,
    'pin a version that is not deprecated',
  );
}
