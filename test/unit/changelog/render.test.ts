// The audit text renderers with hostile changelog content: no raw control byte, no line added by a value.

import { describe, expect, it } from 'vitest';
import { parseQueryTime, resolveAt } from '../../../src/changelog/query.js';
import { renderHistory, renderResolution } from '../../../src/changelog/render.js';
import { historyOf } from '../../../src/changelog/timeline.js';
import { paint } from '../../../src/cli/io.js';
import type { ChangelogEntry } from '../../../src/model.js';
import { HOSTILE, unsafeIn, withoutColour } from '../text/hostile.js';
import { chain, pip } from './factories.js';

/** A create, an update and a drift finding, every free-text field of them set to text. */
function entries(text: string): ChangelogEntry[] {
  const name = `n-${text}`;
  return chain([
    { op: 'create', at: '2026-11-01T10:00:00Z', name, env_id: `env_${text}`, config: pip(`${text}==1`) },
    {
      op: 'update',
      at: '2026-11-02T10:00:00Z',
      name,
      env_id: `env_${text}`,
      // Another package, not another version of the same one: a hostile name must not change the line count.
      config: pip(`b-${text}==2`),
      description: text,
      metadata: { [text]: text },
      git_commit: text,
    },
    { op: 'drift', at: '2026-11-03T10:00:00Z', name, env_id: `env_${text}`, config: null, detail: text },
  ]).map((e) => ({ ...e, actor: text }));
}

describe('renderHistory and renderResolution with hostile text', () => {
  const benign = entries('plain');
  const benignHistory = renderHistory(historyOf(benign, 'n-plain'), paint(false));

  it.each(HOSTILE.map((h) => [JSON.stringify(h).slice(0, 30), h]))('escape %s', (_, text) => {
    const all = entries(text);
    const history = historyOf(all, `n-${text}`);
    expect(history.steps).toHaveLength(3);
    const plain = renderHistory(history, paint(false));
    expect(unsafeIn(plain)).toEqual([]);
    expect(plain.split('\n')).toHaveLength(benignHistory.split('\n').length);
    const coloured = renderHistory(history, paint(true));
    expect(coloured).not.toBe(plain);
    expect(withoutColour(coloured)).toBe(plain);

    const resolution = resolveAt(all, `n-${text}`, parseQueryTime('2026-11-02', new Date()));
    for (const colour of [false, true]) {
      const out = renderResolution(resolution, paint(colour));
      expect(unsafeIn(colour ? withoutColour(out) : out)).toEqual([]);
    }
  });

  it('shows a screen clear as text', () => {
    const text = '\u001b[2J';
    const out = renderHistory(historyOf(entries(text), `n-${text}`), paint(false));
    expect(out).toContain('n-\\x1B[2J  (env ID: env_\\x1B[2J)');
    expect(out).toContain('by \\x1B[2J');
  });
});
