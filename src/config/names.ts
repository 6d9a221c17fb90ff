// Duplicate names across every file: names that are equal, or only look equal, reported once per group.

import type { Diagnostic, SourceLocation } from '../model.js';
import { errorAt } from './diagnostic.js';
import { lookalikeKey, quote } from './text.js';

/** A document's name and where it is written. */
export interface NamedPlace {
  name: string;
  source: SourceLocation;
}

/** How many other places a duplicate message lists before it counts the rest. */
export const PLACES_SHOWN = 3;

function place(env: NamedPlace): string {
  return `${env.source.file}:${env.source.line}:${env.source.column}`;
}

/**
 * One error per group of names a reader could not tell apart (equal after dropping invisible characters,
 * NFC normalization and folding whitespace), at its first place, naming a few others and counting the rest.
 * Linear in the number of environments, and so is the output.
 */
export function duplicateNames(environments: readonly NamedPlace[]): Diagnostic[] {
  const groups = new Map<string, NamedPlace[]>();
  for (const env of environments) {
    const key = lookalikeKey(env.name);
    const group = groups.get(key);
    if (group) group.push(env);
    else groups.set(key, [env]);
  }
  const out: Diagnostic[] = [];
  for (const group of groups.values()) {
    const [first, ...others] = group;
    if (!first || others.length === 0) continue;
    const spelled = (env: NamedPlace) =>
      env.name === first.name ? place(env) : `${quote(env.name)} at ${place(env)}`;
    const shown = others.slice(0, PLACES_SHOWN).map(spelled);
    const rest = others.length - shown.length;
    const list = rest > 0 ? `${shown.join(', ')} and ${rest} more` : shown.join(', ');
    const same = others.every((env) => env.name === first.name);
    const message = same
      ? `name ${quote(first.name)} is declared ${group.length} times: also at ${list}`
      : others.length === 1
        ? `name ${quote(first.name)} looks identical to ${list}`
        : `name ${quote(first.name)} is declared ${group.length} times in forms that look identical: also ${list}`;
    out.push(
      errorAt(
        first.source,
        'name',
        message,
        same
          ? 'names are unique within an organization: rename or remove all but one'
          : 'names that look the same are unique to the API but not to a reviewer: rename all but one',
      ),
    );
  }
  return out;
}
