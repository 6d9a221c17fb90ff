// Reads one YAML file into documents that remember where every node came from.

import {
  Composer,
  type Document,
  isMap,
  isPair,
  isScalar,
  LineCounter,
  Parser,
  visit,
  type YAMLError,
} from 'yaml';
import type { Diagnostic } from '../model.js';
import { escapeHidden, quote } from './text.js';
import { MAX_DEPTH, type Opener, openerBefore, scanDocument } from './yaml-cst.js';

export const MAX_FILE_BYTES = 1024 * 1024;
/** Far above any real environment file; a billion-laughs file exceeds it at once. */
export const MAX_ALIAS_COUNT = 100;

export type PathSegment = string | number;
export type Position = { line: number; column: number };
/**
 * A position. In a merged document (an environment with its bases) also the file and path the value is
 * written at, which may be a base's: a diagnostic names the place a reader must edit.
 */
export type Located = Position & { file?: string; path?: PathSegment[] };

export interface ParsedDocument {
  /** 0-based index of the document in its file. */
  index: number;
  /** The document as plain JS (null for an empty document). */
  value: unknown;
  /** Where the document starts. */
  start: Position;
  /** The position of a node: its key (`key`), its value (`value`), or the nearest existing ancestor. */
  locate(path: readonly PathSegment[], at: 'key' | 'value'): Located;
}

export interface ParsedFile {
  documents: ParsedDocument[];
  /** Where each document with content that could not be read starts: it still declares an environment. */
  refused: Position[];
  diagnostics: Diagnostic[];
}

function error(file: string, pos: Position, message: string, hint?: string): Diagnostic {
  return {
    severity: 'error',
    file,
    line: pos.line,
    column: pos.column,
    path: '',
    message,
    ...(hint ? { hint } : {}),
  };
}

/** The byte offset of the first invalid UTF-8 sequence, or -1. */
export function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i] as number;
    const need =
      b < 0x80
        ? 0
        : b >= 0xc2 && b <= 0xdf
          ? 1
          : b >= 0xe0 && b <= 0xef
            ? 2
            : b >= 0xf0 && b <= 0xf4
              ? 3
              : -1;
    if (need < 0) return i;
    for (let k = 1; k <= need; k++) {
      const c = bytes[i + k];
      if (c === undefined || (c & 0xc0) !== 0x80) return i;
    }
    // Overlongs, surrogates and code points past U+10FFFF.
    const b1 = bytes[i + 1] as number;
    if (
      (b === 0xe0 && b1 < 0xa0) ||
      (b === 0xed && b1 > 0x9f) ||
      (b === 0xf0 && b1 < 0x90) ||
      (b === 0xf4 && b1 > 0x8f)
    ) {
      return i;
    }
    i += need + 1;
  }
  return -1;
}

function positionOfByte(bytes: Uint8Array, offset: number): Position {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset; i++) {
    if (bytes[i] === 0x0a) {
      line++;
      lineStart = i + 1;
    }
  }
  // Columns count characters; the bytes before the bad one on its line are valid UTF-8.
  const column = new TextDecoder().decode(bytes.subarray(lineStart, offset)).length + 1;
  return { line, column };
}

function scalarKey(node: unknown): unknown {
  return isScalar(node) ? node.value : node;
}

/**
 * Where a node starts, and its children: all a locator keeps of a composed document. The document itself
 * (its nodes, schema and source tokens) would stay alive for as long as the load holds the file, about ten
 * times the size; this is built once per document, in one walk.
 */
interface Place {
  start: number | undefined;
  /** A mapping's pairs by key as a string (the first of equal keys). */
  keys?: Map<string, Step>;
  /** A sequence's items. */
  items?: Step[];
}

/** One step down: a pair (its key's start, then its value) or a sequence item. */
interface Step {
  pair: boolean;
  key: number | undefined;
  value: Place | null;
}

const rangeStart = (node: unknown): number | undefined =>
  (node as { range?: [number, number, number] } | null)?.range?.[0];

function stepOf(item: unknown): Step {
  return isPair(item)
    ? { pair: true, key: rangeStart(item.key), value: placeOf(item.value) }
    : { pair: false, key: undefined, value: placeOf(item) };
}

function placeOf(node: unknown): Place | null {
  if (node === null || node === undefined) return null;
  const place: Place = { start: rangeStart(node) };
  if (isMap(node)) {
    const keys = new Map<string, Step>();
    for (const p of node.items) {
      const key = String(scalarKey(p.key));
      if (!keys.has(key)) keys.set(key, stepOf(p));
    }
    place.keys = keys;
  } else if (typeof node === 'object' && 'items' in node) {
    place.items = (node as { items: unknown[] }).items.map(stepOf);
  }
  return place;
}

/** A path segment as a sequence index (a number, or a string of one, as a schema path gives it), else -1. */
function indexOf(segment: PathSegment | undefined): number {
  if (typeof segment === 'number') return segment;
  return segment !== undefined && /^(?:0|[1-9][0-9]*)$/.test(segment) ? Number(segment) : -1;
}

function makeLocator(contents: unknown, lines: LineCounter) {
  const root = placeOf(contents);
  const pos = (offset: number): Position => {
    const { line, col } = lines.linePos(offset);
    return { line, column: col };
  };

  return (path: readonly PathSegment[], at: 'key' | 'value'): Position => {
    let node = root;
    let fallback = node?.start ?? 0;
    for (let i = 0; i < path.length; i++) {
      const segment = path[i];
      if (node === null || (node.keys === undefined && node.items === undefined)) break;
      const item = node.keys ? node.keys.get(String(segment)) : node.items?.[indexOf(segment)];
      if (item === undefined) break;
      const last = i === path.length - 1;
      if (item.pair) {
        if (last && at === 'key') return pos(item.key ?? fallback);
        fallback = item.value?.start ?? item.key ?? fallback;
      } else fallback = item.value?.start ?? fallback;
      node = item.value;
    }
    return pos(fallback);
  };
}

const EXOTIC: Record<string, string> = {
  'tag:yaml.org,2002:binary': 'a binary value (!!binary)',
  'tag:yaml.org,2002:timestamp': 'a timestamp (!!timestamp)',
  'tag:yaml.org,2002:set': 'a set (!!set)',
  'tag:yaml.org,2002:omap': 'an ordered map (!!omap)',
  'tag:yaml.org,2002:pairs': 'a list of pairs (!!pairs)',
};

/** `!!js/function` rather than `tag:yaml.org,2002:js/function`, as the file spells it. */
function shortTag(message: string): string {
  return escapeHidden(message.replace(/^Unresolved tag: /, '').replace('tag:yaml.org,2002:', '!!'));
}

/** Problems only the composed document shows: duplicate keys, tags envsync does not read, values of types it has no use for. */
function tagProblems(doc: Document, pos: (offset: number) => Position): Array<[Position, string, string]> {
  const out: Array<[Position, string, string]> = [];
  for (const w of doc.warnings) {
    if (w.code !== 'TAG_RESOLVE_FAILED') continue;
    out.push([
      pos(w.pos[0]),
      `unknown tag ${shortTag(w.message)}`,
      'remove the tag: an environment file is plain data (no includes, no code)',
    ]);
  }
  visit(doc, {
    Map(_key, map) {
      // yaml's own uniqueKeys check compares each key with every earlier one; this is one pass. Keys are
      // compared as the environment will see them (as strings), so `1:` and `"1":` are duplicates too.
      const seen = new Map<string, number>();
      for (const pair of map.items) {
        const key = String(scalarKey(pair.key));
        const at = (pair.key as { range?: number[] } | null)?.range?.[0] ?? map.range?.[0] ?? 0;
        const first = seen.get(key);
        if (first !== undefined) {
          out.push([
            pos(at),
            `duplicate key ${quote(key)} (first at line ${pos(first).line}): a mapping may hold each key once`,
            yamlHint('DUPLICATE_KEY') ?? '',
          ]);
        } else seen.set(key, at);
      }
    },
    Node(_key, node) {
      const found = node.tag ? EXOTIC[node.tag] : undefined;
      if (found) {
        out.push([
          pos(node.range?.[0] ?? 0),
          `found ${found}: environment files hold text, numbers, true/false, lists and mappings`,
          'remove the tag; quote the value to keep it as text',
        ]);
      }
    },
  });
  return out;
}

/** Parses a file's bytes: YAML errors, duplicate keys, nesting and aliases past their caps, tags, bad bytes. */
export function parseYamlFile(file: string, bytes: Uint8Array): ParsedFile {
  const diagnostics: Diagnostic[] = [];
  const bad = firstInvalidUtf8(bytes);
  if (bad >= 0) {
    const byte = (bytes[bad] as number).toString(16).padStart(2, '0');
    diagnostics.push(
      error(file, positionOfByte(bytes, bad), `invalid UTF-8 (byte 0x${byte})`, 'save the file as UTF-8'),
    );
    return { documents: [], refused: [{ line: 1, column: 1 }], diagnostics };
  }
  let text = new TextDecoder().decode(bytes);
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);

  const lines = new LineCounter();
  const pos = (offset: number): Position => {
    const { line, col } = lines.linePos(offset);
    return { line, column: col };
  };
  // The parser builds the syntax tree without recursing; only documents that nest within the cap are
  // composed, since composing recurses once per level.
  const tokens = Array.from(new Parser(lines.addNewLine).parse(text));
  const openers: Opener[] = [];
  const shallow = tokens.filter((token) => {
    if (token.type !== 'document') return true;
    const scan = scanDocument(token);
    openers.push(...scan.openers);
    if (scan.tooDeep === undefined) return true;
    diagnostics.push(
      error(
        file,
        pos(scan.tooDeep),
        `nested too deep: more than ${MAX_DEPTH} levels of lists and mappings`,
        'an environment file nests four levels; flatten this document',
      ),
    );
    return false;
  });
  const docs = Array.from(new Composer({ uniqueKeys: false, prettyErrors: false }).compose(shallow));
  const documents: ParsedDocument[] = [];
  const refused: Position[] = [];
  for (const [index, doc] of docs.entries()) {
    // The locator keeps the document's nodes only (not the document, its schema and options).
    const locate = makeLocator(doc.contents, lines);
    const contents = doc.contents as { range?: number[] } | null;
    const start = pos(contents?.range?.[0] ?? 0);
    const refuse = () => {
      if (contents !== null) refused.push(start);
    };
    if (doc.errors.length > 0) {
      for (const e of doc.errors) diagnostics.push(yamlError(file, e, openers, pos));
      refuse();
      continue;
    }
    const tagged = tagProblems(doc, pos);
    if (tagged.length > 0) {
      for (const [at, message, hint] of tagged) diagnostics.push(error(file, at, message, hint));
      refuse();
      continue;
    }
    let value: unknown;
    try {
      value = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
    } catch (e) {
      diagnostics.push(aliasError(file, doc, pos, e));
      refuse();
      continue;
    }
    if (!withinDepth(value, MAX_DEPTH)) {
      diagnostics.push(aliasError(file, doc, pos, new RangeError('deep')));
      refuse();
      continue;
    }
    documents.push({ index, value, start, locate });
  }
  return { documents, refused, diagnostics };
}

/** Whether a value nests at most limit lists and mappings deep; aliases can nest deeper than the text shows. */
function withinDepth(value: unknown, limit: number): boolean {
  const seen = new Map<object, number>();
  const stack: Array<[unknown, number]> = [[value, 0]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop() as [unknown, number];
    if (node === null || typeof node !== 'object') continue;
    const level = depth + 1;
    if (level > limit) return false;
    // Shared by aliases: walk it again only when reached deeper than before.
    if ((seen.get(node) ?? 0) >= level) continue;
    seen.set(node, level);
    for (const child of Object.values(node)) stack.push([child, level]);
  }
  return true;
}

/** A YAML error, at the place its problem starts: an unclosed quote or bracket is reported where it opens. */
function yamlError(
  file: string,
  e: YAMLError,
  openers: readonly Opener[],
  pos: (offset: number) => Position,
): Diagnostic {
  const message =
    e.code === 'DUPLICATE_KEY' ? 'duplicate key: a mapping may hold each key once' : escapeHidden(e.message);
  // yaml notices a missing closing quote or bracket where the input ends, not where the reader must look.
  const unclosed = /^Missing closing|end with an? /.test(e.message);
  const opener = unclosed ? openerBefore(openers, e.pos[0]) : undefined;
  if (opener)
    return error(
      file,
      pos(opener.offset),
      `${message}: the ${opener.what} that starts here is never closed`,
      yamlHint(e.code),
    );
  return error(file, pos(e.pos[0]), message, yamlHint(e.code));
}

/** Converting expands aliases and recurses: too many expansions, or nesting through aliases past the stack. */
function aliasError(file: string, doc: Document, pos: (offset: number) => Position, e: unknown): Diagnostic {
  let at = 0;
  visit(doc, {
    Alias(_key, node) {
      at = node.range?.[0] ?? 0;
      return visit.BREAK;
    },
  });
  if (e instanceof RangeError) {
    return error(
      file,
      pos(at),
      `nested too deep: aliases expand to more than ${MAX_DEPTH} levels of lists and mappings`,
      'write the values out; an environment file nests four levels',
    );
  }
  return error(
    file,
    pos(at),
    `too many aliases: expanding them would exceed ${MAX_ALIAS_COUNT} nodes`,
    'write the values out; envsync refuses alias expansion bombs',
  );
}

function yamlHint(code: string): string | undefined {
  switch (code) {
    case 'TAB_AS_INDENT':
      return 'indent with spaces; YAML does not allow tabs';
    case 'DUPLICATE_KEY':
      return 'remove one of the two; YAML keeps only one value per key';
    case 'BAD_INDENT':
    case 'MISSING_CHAR':
    case 'UNEXPECTED_TOKEN':
      return 'check brackets, quotes and indentation on this line and the one before';
    default:
      return undefined;
  }
}
