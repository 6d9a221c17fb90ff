// Characters a reviewer cannot see: how to find them, name them, and show text that holds them without printing them.

/**
 * The characters names and keys must not hold, as a regex class body. Control characters (C0, C1, DEL),
 * format characters (bidi controls, zero-width characters, soft hyphen…), line and paragraph separators,
 * lone surrogates, everything Unicode marks Default_Ignorable (variation selectors, Hangul fillers, the
 * combining grapheme joiner…), and U+2800, a blank that renders as nothing. The schema's patterns embed
 * this exact text (a unit test keeps them in step).
 */
export const INVISIBLE_CLASS = '\\p{Cc}\\p{Cf}\\p{Zl}\\p{Zp}\\p{Cs}\\p{Default_Ignorable_Code_Point}\\u2800';

const INVISIBLE = new RegExp(`[${INVISIBLE_CLASS}]`, 'u');
const INVISIBLE_ALL = new RegExp(`[${INVISIBLE_CLASS}]`, 'gu');

// biome-ignore format: a table reads better packed
const C0 = [
  'NULL', 'START OF HEADING', 'START OF TEXT', 'END OF TEXT', 'END OF TRANSMISSION', 'ENQUIRY',
  'ACKNOWLEDGE', 'BELL', 'BACKSPACE', 'CHARACTER TABULATION', 'LINE FEED', 'LINE TABULATION',
  'FORM FEED', 'CARRIAGE RETURN', 'SHIFT OUT', 'SHIFT IN', 'DATA LINK ESCAPE', 'DEVICE CONTROL ONE',
  'DEVICE CONTROL TWO', 'DEVICE CONTROL THREE', 'DEVICE CONTROL FOUR', 'NEGATIVE ACKNOWLEDGE',
  'SYNCHRONOUS IDLE', 'END OF TRANSMISSION BLOCK', 'CANCEL', 'END OF MEDIUM', 'SUBSTITUTE', 'ESCAPE',
  'INFORMATION SEPARATOR FOUR', 'INFORMATION SEPARATOR THREE', 'INFORMATION SEPARATOR TWO',
  'INFORMATION SEPARATOR ONE',
];

/** The names of the characters people actually paste; the rest get their category. */
const NAMES: Record<number, string> = {
  32: 'SPACE',
  127: 'DELETE',
  133: 'NEXT LINE',
  160: 'NO-BREAK SPACE',
  173: 'SOFT HYPHEN',
  847: 'COMBINING GRAPHEME JOINER',
  1564: 'ARABIC LETTER MARK',
  4447: 'HANGUL CHOSEONG FILLER',
  4448: 'HANGUL JUNGSEONG FILLER',
  5760: 'OGHAM SPACE MARK',
  6158: 'MONGOLIAN VOWEL SEPARATOR',
  8203: 'ZERO WIDTH SPACE',
  8204: 'ZERO WIDTH NON-JOINER',
  8205: 'ZERO WIDTH JOINER',
  8206: 'LEFT-TO-RIGHT MARK',
  8207: 'RIGHT-TO-LEFT MARK',
  8232: 'LINE SEPARATOR',
  8233: 'PARAGRAPH SEPARATOR',
  8234: 'LEFT-TO-RIGHT EMBEDDING',
  8235: 'RIGHT-TO-LEFT EMBEDDING',
  8236: 'POP DIRECTIONAL FORMATTING',
  8237: 'LEFT-TO-RIGHT OVERRIDE',
  8238: 'RIGHT-TO-LEFT OVERRIDE',
  8239: 'NARROW NO-BREAK SPACE',
  8287: 'MEDIUM MATHEMATICAL SPACE',
  8288: 'WORD JOINER',
  8294: 'LEFT-TO-RIGHT ISOLATE',
  8295: 'RIGHT-TO-LEFT ISOLATE',
  8296: 'FIRST STRONG ISOLATE',
  8297: 'POP DIRECTIONAL ISOLATE',
  10240: 'BRAILLE PATTERN BLANK',
  12288: 'IDEOGRAPHIC SPACE',
  12644: 'HANGUL FILLER',
  65279: 'ZERO WIDTH NO-BREAK SPACE',
  65440: 'HALFWIDTH HANGUL FILLER',
};

function categoryName(cp: number, ch: string): string {
  if (cp >= 0xfe00 && cp <= 0xfe0f) return `VARIATION SELECTOR-${cp - 0xfe00 + 1}`;
  if (cp >= 0xe0100 && cp <= 0xe01ef) return `VARIATION SELECTOR-${cp - 0xe0100 + 17}`;
  if (cp >= 0x2000 && cp <= 0x200a) return 'SPACE';
  if (/\p{Cc}/u.test(ch)) return 'CONTROL CHARACTER';
  if (/\p{Cs}/u.test(ch)) return 'LONE SURROGATE';
  if (/\p{Cf}/u.test(ch)) return 'FORMAT CHARACTER';
  if (/\s/u.test(ch)) return 'SPACE CHARACTER';
  if (INVISIBLE.test(ch)) return 'INVISIBLE CHARACTER';
  return '';
}

function hex(cp: number): string {
  return cp.toString(16).toUpperCase().padStart(4, '0');
}

/** `U+202E RIGHT-TO-LEFT OVERRIDE`; a visible character is shown as itself too: `"é" (U+00E9)`. */
export function describeChar(ch: string): string {
  const cp = ch.codePointAt(0) ?? 0;
  const name = cp < 0x20 ? C0[cp] : (NAMES[cp] ?? categoryName(cp, ch));
  if (name) return `U+${hex(cp)} ${name}`;
  return `"${ch === '"' || ch === '\\' ? `\\${ch}` : ch}" (U+${hex(cp)})`;
}

/** Whether a reviewer would not see the character, or would see only blank space. */
export function isHidden(ch: string): boolean {
  return ch !== ' ' && (INVISIBLE.test(ch) || /\s/u.test(ch));
}

const MAX_SHOWN = 80;

/**
 * A value quoted inside a message (what `quote` wraps): hidden characters, quotes and backslashes escaped,
 * long text cut. Not the output escaper (src/text/escape.ts makes any text safe for a terminal, markdown or
 * HTML); this one makes a file's value readable and unambiguous between quotes.
 */
export function escapeQuoted(text: string): string {
  let out = '';
  let count = 0;
  for (const ch of text) {
    if (++count > MAX_SHOWN) return `${out}…`;
    if (ch === '"' || ch === '\\') out += `\\${ch}`;
    else if (isHidden(ch)) out += `\\u{${hex(ch.codePointAt(0) ?? 0)}}`;
    else out += ch;
  }
  return out;
}

/** Text with only its hidden characters escaped: for messages built from a file's text by a library. */
export function escapeHidden(text: string): string {
  let out = '';
  for (const ch of text) out += isHidden(ch) ? `\\u{${hex(ch.codePointAt(0) ?? 0)}}` : ch;
  return out;
}

/** Text in double quotes, escaped. Every user value in a message goes through this. */
export function quote(text: string): string {
  return `"${escapeQuoted(text)}"`;
}

/** The first character matching test, with its 1-based position in code points. */
export function findChar(
  text: string,
  test: (ch: string) => boolean,
): { ch: string; position: number } | undefined {
  let position = 0;
  for (const ch of text) {
    position++;
    if (test(ch)) return { ch, position };
  }
  return undefined;
}

/** The first invisible or control character, if any. */
export function firstInvisible(text: string): { ch: string; position: number } | undefined {
  return INVISIBLE.test(text) ? findChar(text, (ch) => INVISIBLE.test(ch)) : undefined;
}

/**
 * What a reader sees: invisible characters dropped, NFC-normalized, runs of any whitespace as one space,
 * trimmed. Two names with the same key look identical on screen.
 */
export function lookalikeKey(text: string): string {
  return text.replace(INVISIBLE_ALL, '').normalize('NFC').replace(/\s+/gu, ' ').trim();
}

/**
 * Why text is not fit for a name or key: a hidden character, or whitespace at either end. `what` names
 * the thing in the message (`name`, `metadata key`).
 */
export function visibleTextProblem(text: string): string | undefined {
  const hidden = firstInvisible(text);
  if (hidden) return `contains ${describeChar(hidden.ch)} at position ${hidden.position}`;
  const first = /^\s/u.exec(text)?.[0];
  if (first) return `starts with ${describeChar(first)}`;
  const last = /\s$/u.exec(text)?.[0];
  if (last) return `ends with ${describeChar(last)}`;
  return undefined;
}
