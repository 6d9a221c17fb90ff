// JSON read with the offsets of every value and member, so a lock file can be reported at its line and
// rewritten without the entries it hands over, every other byte kept as written.

/** A JSON value and the half-open range [start, end) of text it was read from. */
export type JsonNode =
  | { type: 'object'; start: number; end: number; members: JsonMember[] }
  | { type: 'array'; start: number; end: number; items: JsonNode[] }
  | { type: 'string'; start: number; end: number; value: string }
  | { type: 'number'; start: number; end: number; value: number }
  | { type: 'boolean'; start: number; end: number; value: boolean }
  | { type: 'null'; start: number; end: number };

/** One `"key": value` of an object: the member runs from `keyStart` to `value.end`. */
export interface JsonMember {
  key: string;
  keyStart: number;
  value: JsonNode;
}

/** Where the text stops being JSON, and why. */
export class JsonTextError extends Error {
  constructor(
    readonly offset: number,
    message: string,
  ) {
    super(message);
  }
}

/** Deeper than any lock file; a file nested past it is refused rather than read by deep recursion. */
const MAX_DEPTH = 64;

/** The 1-based line and column of an offset (columns count UTF-16 code units, as editors near enough do). */
export function positionAt(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}

const WHITESPACE = new Set([' ', '\t', '\n', '\r']);
const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const ESCAPE = /\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4})/y;

class Reader {
  at = 0;
  constructor(private readonly text: string) {}

  fail(message: string, offset = this.at): never {
    throw new JsonTextError(offset, message);
  }

  skipSpace(): void {
    while (this.at < this.text.length && WHITESPACE.has(this.text[this.at] as string)) this.at++;
  }

  describe(): string {
    if (this.at >= this.text.length) return 'the end of the file';
    return JSON.stringify(this.text.slice(this.at, this.at + 1));
  }

  value(depth: number): JsonNode {
    if (depth > MAX_DEPTH) this.fail(`nested deeper than ${MAX_DEPTH} levels`);
    this.skipSpace();
    const c = this.text[this.at];
    if (c === '{') return this.object(depth);
    if (c === '[') return this.array(depth);
    if (c === '"') return this.string();
    for (const [word, node] of [
      ['true', { type: 'boolean', value: true }],
      ['false', { type: 'boolean', value: false }],
      ['null', { type: 'null' }],
    ] as const) {
      if (this.text.startsWith(word, this.at)) {
        const start = this.at;
        this.at += word.length;
        return { ...node, start, end: this.at } as JsonNode;
      }
    }
    NUMBER.lastIndex = this.at;
    const m = NUMBER.exec(this.text);
    if (m && m[0] !== '' && m[0] !== '-') {
      const start = this.at;
      this.at += m[0].length;
      return { type: 'number', start, end: this.at, value: Number(m[0]) };
    }
    return this.fail(`expected a value, found ${this.describe()}`);
  }

  string(): JsonNode & { type: 'string' } {
    const start = this.at;
    let end = start + 1;
    // Up to the closing quote: any character but a control character, or an escape JSON knows.
    for (;;) {
      const code = this.text.charCodeAt(end);
      if (Number.isNaN(code) || code === 0x22 || code < 0x20) break;
      if (code !== 0x5c) {
        end++;
        continue;
      }
      ESCAPE.lastIndex = end;
      const escaped = ESCAPE.exec(this.text);
      if (escaped === null) break;
      end += escaped[0].length;
    }
    if (this.text[end] !== '"') {
      this.at = end;
      return this.fail(
        end >= this.text.length
          ? 'a string is not closed'
          : `a string holds ${JSON.stringify(this.text[end])}, which JSON does not allow there`,
      );
    }
    this.at = end + 1;
    return {
      type: 'string',
      start,
      end: this.at,
      value: JSON.parse(this.text.slice(start, this.at)) as string,
    };
  }

  object(depth: number): JsonNode {
    const start = this.at++;
    const members: JsonMember[] = [];
    const seen = new Set<string>();
    this.skipSpace();
    if (this.text[this.at] === '}') {
      this.at++;
      return { type: 'object', start, end: this.at, members };
    }
    for (;;) {
      this.skipSpace();
      if (this.text[this.at] !== '"') this.fail(`expected a key in quotes, found ${this.describe()}`);
      const key = this.string();
      if (seen.has(key.value)) this.fail(`the key ${JSON.stringify(key.value)} appears twice`, key.start);
      seen.add(key.value);
      this.skipSpace();
      if (this.text[this.at] !== ':') this.fail(`expected ":" after the key, found ${this.describe()}`);
      this.at++;
      members.push({ key: key.value, keyStart: key.start, value: this.value(depth + 1) });
      this.skipSpace();
      const c = this.text[this.at];
      if (c === ',') {
        this.at++;
        continue;
      }
      if (c === '}') {
        this.at++;
        return { type: 'object', start, end: this.at, members };
      }
      this.fail(`expected "," or "}", found ${this.describe()}`);
    }
  }

  array(depth: number): JsonNode {
    const start = this.at++;
    const items: JsonNode[] = [];
    this.skipSpace();
    if (this.text[this.at] === ']') {
      this.at++;
      return { type: 'array', start, end: this.at, items };
    }
    for (;;) {
      items.push(this.value(depth + 1));
      this.skipSpace();
      const c = this.text[this.at];
      if (c === ',') {
        this.at++;
        continue;
      }
      if (c === ']') {
        this.at++;
        return { type: 'array', start, end: this.at, items };
      }
      this.fail(`expected "," or "]", found ${this.describe()}`);
    }
  }
}

/** Parses one JSON document (RFC 8259: no comments, no trailing commas, no duplicate keys). */
export function parseJsonText(text: string): JsonNode {
  const reader = new Reader(text);
  // A byte-order mark is allowed before the value, as editors on some systems write one.
  if (text.charCodeAt(0) === 0xfeff) reader.at = 1;
  const node = reader.value(0);
  reader.skipSpace();
  if (reader.at < text.length) reader.fail(`unexpected ${reader.describe()} after the JSON value`);
  return node;
}

/** The plain value of a node, as JSON.parse would give it. */
export function plainValue(node: JsonNode): unknown {
  switch (node.type) {
    case 'object':
      return Object.fromEntries(node.members.map((m) => [m.key, plainValue(m.value)]));
    case 'array':
      return node.items.map(plainValue);
    case 'null':
      return null;
    default:
      return node.value;
  }
}

/**
 * The text of an object without some of its members, every other byte as written: each kept member keeps
 * the separator that preceded it, and the object's own leading and trailing space stay. Removing every
 * member leaves `{}`.
 */
export function withoutMembers(
  text: string,
  object: JsonNode & { type: 'object' },
  drop: ReadonlySet<number>,
): string {
  const { members } = object;
  const kept = members.map((_, i) => i).filter((i) => !drop.has(i));
  if (kept.length === members.length) return text;
  const before = text.slice(0, object.start + 1);
  const after = text.slice(object.end - 1);
  if (kept.length === 0) return `${before}${after}`;
  const first = members[0] as JsonMember;
  const last = members[members.length - 1] as JsonMember;
  let body = text.slice(object.start + 1, first.keyStart);
  kept.forEach((index, n) => {
    const member = members[index] as JsonMember;
    if (n > 0) {
      const previous = members[index - 1] as JsonMember;
      body += text.slice(previous.value.end, member.keyStart);
    }
    body += text.slice(member.keyStart, member.value.end);
  });
  body += text.slice(last.value.end, object.end - 1);
  return `${before}${body}${after}`;
}
