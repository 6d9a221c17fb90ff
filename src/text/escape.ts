// One escaper per output kind, for every string that came from a file or the API: plain text, markdown, HTML.

/**
 * Characters that must never reach an output raw: C0 controls (newline and tab too, since inside a value
 * they would start a line or shift columns that the renderer owns), DEL, C1 controls, invisible format
 * characters (`\p{Cf}`: bidi overrides and isolates, zero-width joiners, BOM), the Unicode line and
 * paragraph separators, and lone surrogates.
 */
const UNSAFE = /[\p{Cc}\p{Cf}\p{Cs}\u2028\u2029]/gu;

/** Printable ASCII (most of what a changelog holds) has nothing to escape: tested first, it is cheap. */
const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;

function visible(char: string): string {
  const cp = char.codePointAt(0) ?? 0;
  const hex = cp.toString(16).toUpperCase();
  return cp <= 0xff ? `\\x${hex.padStart(2, '0')}` : `\\u{${hex.padStart(4, '0')}}`;
}

/**
 * Untrusted text for a terminal or any plain-text output (including markdown code blocks): every unsafe
 * character is shown as `\xNN` (up to U+00FF) or `\u{XXXX}`, so no escape sequence, line break or bidi
 * reordering can come from the data. A backslash is left as is: the point is that nothing invisible or
 * active gets through, and benign paths and values print unchanged.
 */
export function escapeText(text: string): string {
  return PRINTABLE_ASCII.test(text) ? text : text.replace(UNSAFE, visible);
}

/**
 * What markdown would read as structure, as numeric references: HTML's five, the inline markers
 * (emphasis, code spans, links, strikethrough, math, table pipes, backslash escapes), `#` (headings,
 * issue references), and the triggers of GitHub's autolinks (`scheme:`, `user@host`, `www.`).
 * Character references are never structure in CommonMark, so the text renders as written.
 */
const MARKDOWN_SIGNIFICANT: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
  '\\': '&#92;',
  '`': '&#96;',
  '*': '&#42;',
  _: '&#95;',
  '[': '&#91;',
  ']': '&#93;',
  '|': '&#124;',
  '~': '&#126;',
  $: '&#36;',
  '#': '&#35;',
  ':': '&#58;',
  '@': '&#64;',
};

/**
 * Untrusted text for GitHub-flavoured markdown, inline or inside HTML (`<code>`, `<summary>`, list items,
 * table cells): unsafe characters shown as in escapeText first (so no newline can end an HTML block or
 * start a markdown line), then everything markdown or HTML would act on as a character reference.
 */
export function escapeMarkdown(text: string): string {
  return escapeText(text)
    .replace(/[&<>"'\\`*_[\]|~$#:@]/g, (c) => MARKDOWN_SIGNIFICANT[c] ?? c)
    .replace(/www\./gi, (m) => `${m.slice(0, 3)}&#46;`);
}

const HTML_SIGNIFICANT: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/**
 * Untrusted text for an HTML page, as element content or inside a quoted attribute value: unsafe characters
 * shown as in escapeText first (a bidi override or a zero-width space in a name would otherwise make two
 * names look alike, or one look like another), then HTML's five significant characters as references.
 */
export function escapeHtml(text: string): string {
  return escapeText(text).replace(/[&<>"']/g, (c) => HTML_SIGNIFICANT[c] ?? c);
}

/**
 * A value as JSON that is safe inside an HTML `<script type="application/json">` element: `<` as `\u003c`
 * (no `</script>` or `<!--` can end or change the element), `>` and `&` for symmetry with old parsers, and
 * U+2028/U+2029 (legal in JSON, but line breaks to older JavaScript). The result is still valid JSON that
 * parses back to the same value; strings are expected to have passed through escapeText already.
 */
export function jsonForHtmlScript(value: unknown): string {
  return (JSON.stringify(value) ?? 'null').replace(/[<>&\u2028\u2029]/g, (c) => {
    return `\\u${(c.codePointAt(0) ?? 0).toString(16).padStart(4, '0')}`;
  });
}

/**
 * Text for a GitHub Actions workflow command (`::error file=…::message`): `%`, CR and LF encoded as the
 * runner decodes them, so a value can neither end the command nor start another; a property value also
 * encodes `:` and `,`, which separate properties.
 */
export function escapeWorkflowCommand(text: string, as: 'data' | 'property'): string {
  const data = text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
  return as === 'data' ? data : data.replace(/:/g, '%3A').replace(/,/g, '%2C');
}
