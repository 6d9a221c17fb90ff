// Hostile names and values in every renderer: the markdown keeps its structure, the text has no raw control bytes.

import MarkdownIt from 'markdown-it';
import { describe, expect, it } from 'vitest';
import { paint } from '../../../src/cli/io.js';
import { configHash } from '../../../src/hash/config-hash.js';
import type { Plan } from '../../../src/model.js';
import { renderPlanMarkdown } from '../../../src/plan/render-markdown.js';
import { renderPlanText } from '../../../src/plan/render-text.js';
import { HOSTILE, unsafeIn, withoutColour } from '../text/hostile.js';
import { desiredEnv, liveEnv, planFor, planOptions, recordedEnv } from './factories.js';

/** The same plan shape whatever the text: a create, an update that widens, a conflict, an archive, drift. */
function shapedPlan(text: (i: number) => string): Plan {
  const name = (i: number) => `${i}-${text(i)}`;
  const config = (i: number) => ({
    packages: { pip: [`${text(i)}==1`] },
    networking: { type: 'limited' as const, allowed_hosts: [`${text(i)}.example`] },
  });
  const desired = (i: number) =>
    desiredEnv(name(i), { description: text(i), metadata: { [text(i)]: text(i) }, config: config(i) });
  return planFor(
    [desired(0), desired(1), desired(2), desired(3)],
    [
      liveEnv(name(1), 'env_1', { config: { packages: { pip: ['x==1'] } }, tag: configHash({}) }),
      liveEnv(name(2), 'env_2', { managed: false }),
      liveEnv(name(3), 'env_3', { config: { networking: { type: 'limited' } } }),
      liveEnv(name(4), 'env_4'),
    ],
    [recordedEnv(name(5), 'env_5')],
    planOptions({ target: `http://${text(6)}`, createdAt: text(7) }),
  );
}

const benign = shapedPlan(() => 'plain');
const hostile = HOSTILE.map((h) => [JSON.stringify(h).slice(0, 30), shapedPlan(() => h)] as const);
const all = shapedPlan((i) => HOSTILE[i % HOSTILE.length] ?? '');

const md = new MarkdownIt({ html: true });

/** The document's shape: every token's type and tag, and the tags inside every piece of raw HTML. */
function structure(markdown: string): string[] {
  const tags = (html: string) => (html.match(/<\/?[a-z]+/gi) ?? []).join('');
  return md
    .parse(markdown, {})
    .flatMap((t) => [
      `${t.type}:${t.tag}${t.type === 'html_block' ? `:${tags(t.content)}` : ''}`,
      ...(t.children ?? []).map(
        (c) => `  ${c.type}:${c.tag}${c.type === 'html_inline' ? `:${tags(c.content)}` : ''}`,
      ),
    ]);
}

const count = (s: string[], prefix: string) => s.filter((x) => x.trim().startsWith(prefix)).length;

describe('renderPlanMarkdown with hostile text', () => {
  const expected = structure(renderPlanMarkdown(benign));

  it('has the structure it was meant to have, with benign text', () => {
    expect(count(expected, 'html_block:') + count(expected, 'html_inline:')).toBeGreaterThan(0);
    expect(expected.filter((s) => s.includes('<details'))).toHaveLength(4);
    expect(count(expected, 'tr_open')).toBe(7);
    expect(count(expected, 'heading_open')).toBe(4);
    expect(count(expected, 'link_open')).toBe(0);
  });

  it.each([...hostile, ['all of them at once', all] as const])('keeps that structure with %s', (_, plan) => {
    const out = renderPlanMarkdown(plan);
    expect(structure(out)).toEqual(expected);
    // Raw HTML and inline text are what GitHub acts on; code blocks are shown as written.
    const live = md
      .parse(out, {})
      .flatMap((t) => [t, ...(t.children ?? [])])
      .filter((t) => t.type === 'html_block' || t.type === 'html_inline' || t.type === 'inline');
    for (const t of live) {
      expect(t.content.toLowerCase()).not.toContain('<script');
      expect(t.content).not.toMatch(/www\.evil|https:\/\/evil|@octocat/);
    }
  });

  it('keeps that structure when cut down to names only', () => {
    // Just too small for the benign plan in full, roomy enough for every hostile one by name.
    const limit = { maxChars: renderPlanMarkdown(benign).length - 1 };
    const small = renderPlanMarkdown(benign, limit);
    expect(small).toContain('listed by name only');
    for (const [, plan] of hostile) {
      const out = renderPlanMarkdown(plan, limit);
      expect(out).toContain('listed by name only');
      expect(out).not.toMatch(/and \d+ more/);
      expect(structure(out)).toEqual(structure(small));
    }
  });
});

describe('renderPlanText with hostile text', () => {
  it.each([false, true])('prints no raw control or bidi character (compact %s)', (compact) => {
    const plain = renderPlanText(all, paint(false), { compact });
    expect(unsafeIn(plain)).toEqual([]);
    // Colour adds the renderer's own codes and nothing else.
    const coloured = renderPlanText(all, paint(true), { compact });
    expect(coloured).not.toBe(plain);
    expect(withoutColour(coloured)).toBe(plain);
    // No value added a line: the line count is the benign plan's.
    expect(plain.split('\n')).toHaveLength(
      renderPlanText(benign, paint(false), { compact }).split('\n').length,
    );
  });

  it('shows the escapes where the raw bytes were', () => {
    const out = hostile.map(([, plan]) => renderPlanText(plan, paint(false))).join('\n');
    expect(out).toContain('\\x1B[2J\\x1B]0;pwned\\x07');
    expect(out).toContain('\\u{202E}evil');
    expect(out).toContain('a\\x0A\\x0A# heading');
  });
});

describe('renderPlanText: a blocked item carries untrusted text', () => {
  const blocked = (text: string): Plan => ({
    ...benign,
    blocked: [{ rule: 'unmanaged_conflict', name: `n-${text}`, env_id: 'env_2', message: text, hint: text }],
  });
  const lines = renderPlanText(blocked('plain'), paint(false)).split('\n').length;

  it.each(HOSTILE.map((h) => [JSON.stringify(h).slice(0, 30), h] as const))(
    'escapes its message and hint: %s',
    (_, text) => {
      const out = renderPlanText(blocked(text), paint(false));
      expect(out).toContain('Blocked:');
      expect(unsafeIn(out)).toEqual([]);
      expect(out.split('\n')).toHaveLength(lines);
    },
  );
});
