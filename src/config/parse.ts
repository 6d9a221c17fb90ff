// Reads one YAML file into documents that remember where every node came from.

import { type Document, isMap, isPair, isScalar, LineCounter, parseAllDocuments, visit } from 'yaml';
import type { Diagnostic } from '../model.js';

export const MAX_FILE_BYTES = 1024 * 1024;
/** Far above any real environment file; a billion-laughs file exceeds it at once. */
export const MAX_ALIAS_COUNT = 100;

export type PathSegment = string | number;
export type Position = { line: number; column: number };

export interface ParsedDocument {
  /** 0-based index of the document in its file. */
  index: number;
  /** The document as plain JS (null for an empty document). */
  value: unknown;
  /** Where the document starts. */
  start: Position;
  /** The position of a node: its key (`key`), its value (`value`), or the nearest existing ancestor. */
  locate(path: readonly PathSegment[], at: 'key' | 'value'): Position;
}

export interface ParsedFile {
  documents: ParsedDocument[];
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

function makeLocator(doc: Document, lines: LineCounter) {
  const pos = (offset: number): Position => {
    const { line, col } = lines.linePos(offset);
    return { line, column: col };
  };
  const rangeStart = (node: unknown): number | undefined =>
    (node as { range?: [number, number, number] } | null)?.range?.[0];

  return (path: readonly PathSegment[], at: 'key' | 'value'): Position => {
    let node: unknown = doc.contents;
    let fallback = rangeStart(node) ?? 0;
    for (let i = 0; i < path.length; i++) {
      const segment = path[i];
      if (!isMap(node) && !(node && typeof node === 'object' && 'items' in node)) break;
      const items = (node as { items: unknown[] }).items;
      const item = isMap(node)
        ? items.find((p) => isPair(p) && String(scalarKey(p.key)) === String(segment))
        : items[segment as number];
      if (item === undefined) break;
      const last = i === path.length - 1;
      if (isPair(item)) {
        if (last && at === 'key') return pos(rangeStart(item.key) ?? fallback);
        node = item.value;
        fallback = rangeStart(item.value) ?? rangeStart(item.key) ?? fallback;
      } else {
        node = item;
        fallback = rangeStart(item) ?? fallback;
      }
    }
    return pos(fallback);
  };
}

/** Parses a file's bytes: YAML errors, duplicate keys, aliases past the cap, bad bytes. */
export function parseYamlFile(file: string, bytes: Uint8Array): ParsedFile {
  const diagnostics: Diagnostic[] = [];
  const bad = firstInvalidUtf8(bytes);
  if (bad >= 0) {
    const byte = (bytes[bad] as number).toString(16).padStart(2, '0');
    diagnostics.push(
      error(file, positionOfByte(bytes, bad), `invalid UTF-8 (byte 0x${byte})`, 'save the file as UTF-8'),
    );
    return { documents: [], diagnostics };
  }
  let text = new TextDecoder().decode(bytes);
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);

  const lines = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter: lines, uniqueKeys: true, prettyErrors: false });
  const list = Array.isArray(docs) ? docs : [];
  const documents: ParsedDocument[] = [];
  list.forEach((doc, index) => {
    const locate = makeLocator(doc, lines);
    if (doc.errors.length > 0) {
      for (const e of doc.errors) {
        const { line, col } = lines.linePos(e.pos[0]);
        const message =
          e.code === 'DUPLICATE_KEY' ? 'duplicate key: a mapping may hold each key once' : e.message;
        diagnostics.push(error(file, { line, column: col }, message, yamlHint(e.code)));
      }
      return;
    }
    let value: unknown;
    try {
      value = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
    } catch {
      let at = 0;
      visit(doc, {
        Alias(_key, node) {
          at = node.range?.[0] ?? 0;
          return visit.BREAK;
        },
      });
      const { line, col } = lines.linePos(at);
      diagnostics.push(
        error(
          file,
          { line, column: col },
          `too many aliases: expanding them would exceed ${MAX_ALIAS_COUNT} nodes`,
          'write the values out; envsync refuses alias expansion bombs',
        ),
      );
      return;
    }
    const startOffset = (doc.contents as { range?: number[] } | null)?.range?.[0] ?? 0;
    const { line, col } = lines.linePos(startOffset);
    documents.push({ index, value, start: { line, column: col }, locate });
  });
  return { documents, diagnostics };
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
