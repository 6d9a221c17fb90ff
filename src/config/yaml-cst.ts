// Looks at YAML's concrete syntax tree before it is composed: how deep it nests, and where unclosed things open.
// Composing and converting recurse once per level, so depth is checked here first, without recursion.

import type { CST } from 'yaml';

/** Far above any real environment file (they nest four levels); deep enough input overflows the stack. */
export const MAX_DEPTH = 64;

/** A quoted string or flow collection that is never closed, where it opens. */
export interface Opener {
  offset: number;
  what: string;
}

export interface CstScan {
  /** The offset of the first collection nested deeper than MAX_DEPTH, if any. */
  tooDeep: number | undefined;
  openers: Opener[];
}

function isClosedQuote(source: string): boolean {
  const quote = source[0];
  if (source.length < 2 || source[source.length - 1] !== quote) return false;
  const body = source.slice(1);
  // '' escapes ' in single quotes, \ escapes " in double quotes: count what precedes the last quote.
  const escaper = quote === "'" ? "'" : '\\';
  let run = 0;
  for (let i = body.length - (quote === "'" ? 1 : 2); i >= 0 && body[i] === escaper; i--) run++;
  return quote === "'" ? run % 2 === 1 : run % 2 === 0;
}

function children(token: CST.Token): Array<CST.Token | null | undefined> {
  switch (token.type) {
    case 'document':
      return [token.value];
    case 'block-map':
    case 'block-seq':
    case 'flow-collection':
      return token.items.flatMap((item) => [item.key, item.value]);
    case 'block-scalar':
      return token.props;
    default:
      return [];
  }
}

/** Walks one document token with an explicit stack: the depth of its collections, and its unclosed openers. */
export function scanDocument(doc: CST.Token): CstScan {
  const openers: Opener[] = [];
  const stack: Array<[CST.Token, number]> = [[doc, 0]];
  while (stack.length > 0) {
    const [token, depth] = stack.pop() as [CST.Token, number];
    const collection =
      token.type === 'block-map' || token.type === 'block-seq' || token.type === 'flow-collection';
    const level = collection ? depth + 1 : depth;
    if (level > MAX_DEPTH) return { tooDeep: token.offset, openers };
    if (token.type === 'double-quoted-scalar' || token.type === 'single-quoted-scalar') {
      if (!isClosedQuote(token.source)) openers.push({ offset: token.offset, what: 'quoted string' });
    } else if (token.type === 'flow-collection') {
      const closer = token.start.source === '{' ? '}' : ']';
      if (!token.end.some((t) => t.source === closer))
        openers.push({
          offset: token.offset,
          what: token.start.source === '{' ? 'flow mapping' : 'flow list',
        });
    }
    for (const child of children(token)) if (child) stack.push([child, level]);
  }
  return { tooDeep: undefined, openers: openers.sort((a, b) => a.offset - b.offset) };
}

/** The last unclosed opener at or before offset: where a "missing closing …" problem starts. */
export function openerBefore(openers: readonly Opener[], offset: number): Opener | undefined {
  let found: Opener | undefined;
  for (const o of openers) if (o.offset <= offset) found = o;
  return found;
}
