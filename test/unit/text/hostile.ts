// Hostile text for renderer tests, and the check that none of it reached an output raw.

/** Every way a name has broken out of its place before, and a few more. */
export const HOSTILE = [
  'a\n\n# heading\n\n</code></details>',
  'pipe|in|cells `tick` ```',
  '<script>alert(1)</script>',
  '\u001b[2J\u001b]0;pwned\u0007\u001b[31m',
  '[link](https://evil.example) www.evil.example @octocat',
  '*em* _u_ ~~s~~ $x$ \\',
  '\u202Eevil\u2066\u200b\u2028x\r\ny\u009b31m\u007f',
];

/** C0 controls but tab and newline (the renderer's own), DEL, C1; then format characters and separators. */
function isUnsafe(char: string): boolean {
  const cp = char.codePointAt(0) ?? 0;
  if (cp <= 0x1f) return cp !== 0x09 && cp !== 0x0a;
  if (cp >= 0x7f && cp <= 0x9f) return true;
  return cp === 0x2028 || cp === 0x2029 || /\p{Cf}/u.test(char);
}

/** The characters of text a terminal would act on, as code points, for a readable failure. */
export function unsafeIn(text: string): string[] {
  return [...text].filter(isUnsafe).map((c) => `U+${(c.codePointAt(0) ?? 0).toString(16).padStart(4, '0')}`);
}

const SGR = new RegExp(`${String.fromCharCode(0x1b)}\\[\\d+m`, 'g');

/** Text without the SGR colour codes paint(true) writes. */
export function withoutColour(text: string): string {
  return text.replace(SGR, '');
}
