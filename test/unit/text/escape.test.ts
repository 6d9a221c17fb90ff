// The escapers: nothing invisible or active gets through, benign text is left alone.

import { describe, expect, it } from 'vitest';
import { escapeMarkdown, escapeText } from '../../../src/text/escape.js';
import { unsafeIn } from './hostile.js';

describe('escapeText', () => {
  it.each([
    ['newline and tab', 'a\nb\tc', 'a\\x0Ab\\x09c'],
    ['carriage return', 'x\r\ny', 'x\\x0D\\x0Ay'],
    ['a screen clear', '\u001b[2J', '\\x1B[2J'],
    ['a window title change', '\u001b]0;pwned\u0007', '\\x1B]0;pwned\\x07'],
    ['DEL and C1 (CSI)', '\u007f\u009b31m', '\\x7F\\x9B31m'],
    ['a right-to-left override', 'abc\u202Etxt.exe', 'abc\\u{202E}txt.exe'],
    ['bidi isolates and marks', '\u2066\u2069\u200f\u061c', '\\u{2066}\\u{2069}\\u{200F}\\u{061C}'],
    ['zero-width and BOM', 'a\u200bb\ufeff', 'a\\u{200B}b\\u{FEFF}'],
    ['line and paragraph separators', 'a\u2028b\u2029', 'a\\u{2028}b\\u{2029}'],
    ['a lone surrogate', 'a\ud800b', 'a\\u{D800}b'],
  ])('shows %s as escapes', (_, raw, shown) => {
    expect(escapeText(raw)).toBe(shown);
    expect(unsafeIn(escapeText(raw))).toEqual([]);
    expect(escapeText(raw)).not.toMatch(/[\n\t]/);
  });

  it.each([
    'research-env-2',
    'pandas==2.2.0',
    'api.example.com',
    'données 数据 🚀 (emoji)',
    'C:\\path\\x1b literal backslashes',
    '<tags> & "quotes" stay for plain text',
  ])('leaves %j unchanged', (text) => {
    expect(escapeText(text)).toBe(text);
  });
});

describe('escapeMarkdown', () => {
  it('escapes HTML and the markdown-significant characters as references', () => {
    expect(escapeMarkdown(`</code></details><script>&"'`)).toBe(
      '&lt;/code&gt;&lt;/details&gt;&lt;script&gt;&amp;&quot;&#39;',
    );
    expect(escapeMarkdown('a|b `c` *d* _e_ [f](g) ~~h~~ $i$ #1 \\')).toBe(
      'a&#124;b &#96;c&#96; &#42;d&#42; &#95;e&#95; &#91;f&#93;(g) &#126;&#126;h&#126;&#126; &#36;i&#36; &#35;1 &#92;',
    );
  });

  it('leaves no newline, so a value can never start a markdown line or end an HTML block', () => {
    const out = escapeMarkdown('x\n\n# heading\r\n- item');
    expect(out).toBe('x\\x0A\\x0A&#35; heading\\x0D\\x0A- item'.replace(/\\/g, '&#92;'));
    expect(out).not.toMatch(/[\n\r]/);
  });

  it("defuses GitHub's autolinks and mentions", () => {
    expect(escapeMarkdown('https://evil.example www.evil.example WWW.x @octocat')).toBe(
      'https&#58;//evil.example www&#46;evil.example WWW&#46;x &#64;octocat',
    );
  });

  it('leaves ordinary names, hosts and package specs readable', () => {
    expect(escapeMarkdown('research-env-2')).toBe('research-env-2');
    expect(escapeMarkdown('api.example.com')).toBe('api.example.com');
    expect(escapeMarkdown('pandas==2.2.0')).toBe('pandas==2.2.0');
  });
});
