import { describe, expect, it } from 'vitest';
import { environmentSchema } from '../../../src/config/schema-check.js';
import {
  describeChar,
  escapeQuoted,
  INVISIBLE_CLASS,
  lookalikeKey,
  visibleTextProblem,
} from '../../../src/config/text.js';

describe('hidden characters', () => {
  it('the schema patterns for names and metadata keys embed the one invisible class', () => {
    expect(environmentSchema.properties.name.pattern).toContain(INVISIBLE_CLASS);
    expect(environmentSchema.properties.metadata.propertyNames.pattern).toContain(INVISIBLE_CLASS);
  });

  it('the name pattern and visibleTextProblem agree on every code point of the BMP and a few beyond', () => {
    const name = new RegExp(environmentSchema.properties.name.pattern, 'u');
    const disagree: string[] = [];
    const points = [...Array.from({ length: 0x10000 }, (_, i) => i), 0xe0001, 0xe0100, 0x1f600];
    for (const cp of points) {
      if (cp === 0x7e) continue; // "~" is refused for another reason
      const text = `a${String.fromCodePoint(cp)}b`;
      if (name.test(text) !== (visibleTextProblem(text) === undefined)) disagree.push(cp.toString(16));
    }
    expect(disagree).toEqual([]);
  });

  it.each([
    ['\u202E', 'U+202E RIGHT-TO-LEFT OVERRIDE'],
    ['\u0000', 'U+0000 NULL'],
    ['\u001B', 'U+001B ESCAPE'],
    ['\u0085', 'U+0085 NEXT LINE'],
    ['\u009B', 'U+009B CONTROL CHARACTER'],
    ['\uFE0E', 'U+FE0E VARIATION SELECTOR-15'],
    ['\u{E0101}', 'U+E0101 VARIATION SELECTOR-18'],
    ['\u2063', 'U+2063 FORMAT CHARACTER'],
    ['é', '"é" (U+00E9)'],
  ])('names %j', (ch, name) => {
    expect(describeChar(ch)).toBe(name);
  });

  it('escapes what does not show, and quotes', () => {
    expect(escapeQuoted('a\u202Eb\u00A0c "d"\\')).toBe('a\\u{202E}b\\u{00A0}c \\"d\\"\\\\');
    expect(escapeQuoted('x'.repeat(100))).toBe(`${'x'.repeat(80)}…`);
  });

  it('folds what a reader cannot tell apart', () => {
    expect(lookalikeKey('cafe\u0301')).toBe(lookalikeKey('caf\u00E9'));
    expect(lookalikeKey('x\u200B')).toBe('x');
    expect(lookalikeKey('team\u00A0a')).toBe('team a');
  });
});
