// Where each planned change of an environment with bases comes from, and the plan grouped by base.

import { describe, expect, it } from 'vitest';
import { paint } from '../../../src/cli/io.js';
import type { DesiredEnvironment, FieldChange, Provenance, SourceLocation } from '../../../src/model.js';
import { baseGroups, changeOrigin, groupNames } from '../../../src/plan/provenance.js';
import { renderPlanMarkdown } from '../../../src/plan/render-markdown.js';
import { renderPlanText } from '../../../src/plan/render-text.js';
import { desiredEnv, LIMITED, liveEnv, planFor, planOptions } from './factories.js';

const BASE = 'environments/bases/python.yaml';
const at = (file: string, line: number, column = 5): SourceLocation => ({ file, line, column });

function withBase(
  name: string,
  o: Parameters<typeof desiredEnv>[1],
  provenance: Provenance,
): DesiredEnvironment {
  return { ...desiredEnv(name, o), provenance };
}

const PROVENANCE: Provenance = {
  bases: [BASE],
  fields: { 'metadata.team': at(BASE, 2), 'config.networking.type': at(BASE, 7) },
  members: {
    'config.packages.pip': { 'pandas==2.2.1': at(BASE, 5, 11), 'ruff==0.6.9': at('environments/a.yaml', 6) },
    'config.networking.allowed_hosts': { 'api.example.com': at(BASE, 8) },
  },
  removed: {
    'config.packages.pip': { numpy: at('environments/a.yaml', 4, 21) },
    metadata: { owner: at('environments/a.yaml', 3) },
  },
};

describe('changeOrigin', () => {
  const desired = planFor([withBase('a', { config: LIMITED }, PROVENANCE)], [], [], planOptions())
    .actions[0] as { desired: Parameters<typeof changeOrigin>[1] };

  it.each<[string, FieldChange, string | null]>([
    [
      'an added member: where it is written',
      { op: 'add', path: 'config.packages.pip', value: 'pandas==2.2.1' },
      `${BASE}:5:11`,
    ],
    [
      'an own member',
      { op: 'add', path: 'config.packages.pip', value: 'ruff==0.6.9' },
      'environments/a.yaml:6:5',
    ],
    ['a member no file writes', { op: 'add', path: 'config.packages.pip', value: 'x==1' }, null],
    [
      'a removed member: the remove entry',
      { op: 'remove', path: 'config.packages.pip', value: 'numpy==2.1.3' },
      'environments/a.yaml:4:21',
    ],
    [
      'a new version: the member replacing it',
      { op: 'remove', path: 'config.packages.pip', value: 'Pandas==2.2.0' },
      `${BASE}:5:11`,
    ],
    ['a member no file lists now', { op: 'remove', path: 'config.packages.pip', value: 'polars==1' }, null],
    [
      'a host, in normal form',
      { op: 'add', path: 'config.networking.allowed_hosts', value: 'api.example.com' },
      `${BASE}:8:5`,
    ],
    [
      'a scalar',
      { op: 'set', path: 'config.networking.type', before: 'unrestricted', after: 'limited' },
      `${BASE}:7:5`,
    ],
    ['a metadata key', { op: 'set', path: 'metadata.team', before: 'x', after: 'research' }, `${BASE}:2:5`],
    [
      'a metadata key removed',
      { op: 'set', path: 'metadata.owner', before: 'bob', after: null },
      'environments/a.yaml:3:5',
    ],
    [
      'a default',
      { op: 'set', path: 'config.networking.allow_mcp_servers', before: null, after: false },
      null,
    ],
  ])('%s', (_what, change, expected) => {
    expect(changeOrigin(change, desired.desired)?.at ?? null).toBe(expected);
  });

  it('names the own file for every change of an environment without bases', () => {
    const plain = planFor([desiredEnv('p', { config: LIMITED })], [], [], planOptions()).actions[0] as {
      desired: Parameters<typeof changeOrigin>[1];
    };
    expect(changeOrigin({ op: 'add', path: 'config.packages.pip', value: 'x' }, plain.desired)).toEqual({
      file: 'environments/p.yaml',
      at: 'environments/p.yaml',
    });
  });
});

describe('baseGroups and the renderers', () => {
  const before = { ...LIMITED, packages: { pip: ['pandas==2.2.0'] } };
  const after = { ...LIMITED, packages: { pip: ['pandas==2.2.1'] } };
  const inherited = (name: string) => withBase(name, { config: after }, PROVENANCE);
  const plan = planFor(
    [
      inherited('e-10'),
      inherited('e-2'),
      inherited('e-1'),
      // Its own file changes a package: not grouped under the base.
      withBase(
        'own',
        { config: { ...LIMITED, packages: { pip: ['ruff==0.6.9'] } } },
        {
          ...PROVENANCE,
          members: {
            ...PROVENANCE.members,
            'config.packages.pip': { 'ruff==0.6.9': at('environments/own.yaml', 6) },
          },
        },
      ),
      desiredEnv('plain', { config: after }),
    ],
    ['e-10', 'e-2', 'e-1', 'own', 'plain'].map((n, i) => liveEnv(n, `env_${i}`, { config: before })),
    [],
    planOptions(),
  );

  it('groups the environments whose changes come from a base, in natural order', () => {
    expect(baseGroups(plan)).toEqual([{ base: BASE, names: ['e-1', 'e-2', 'e-10'] }]);
    expect(groupNames(['a', 'b', 'c', 'd', 'e', 'f', 'g'])).toBe('a, b, c, d, e and 2 more');
  });

  it('text: the group above the actions; --explain puts the origin after each change', () => {
    const text = renderPlanText(plan, paint(false));
    expect(text).toContain(
      `Changes from bases (each inherited by the environments listed):\n  base ${BASE}: 3 environments (e-1, e-2, e-10)`,
    );
    expect(text).not.toContain('# from');
    const explained = renderPlanText(plan, paint(false), { explain: true });
    // A version change is one change of the package, from where its new version is written.
    expect(explained).toContain(
      `~ config.packages.pip: "pandas==2.2.0" → "pandas==2.2.1"  # from ${BASE}:5:11`,
    );
    expect(explained).toContain('+ config.packages.pip: "ruff==0.6.9"  # from environments/own.yaml:6:5');
    expect(explained).toContain('- config.packages.pip: "pandas==2.2.0"  # no file sets it now');
    expect(explained).toContain(
      '~ config.packages.pip: "pandas==2.2.0" → "pandas==2.2.1"  # from environments/plain.yaml',
    );
  });

  it('markdown: the group, kept when the comment is cut down to names', () => {
    const full = renderPlanMarkdown(plan);
    expect(full).toContain(
      `### Changes from bases\n\n- base <code>${BASE.replace(/_/g, '&#95;')}</code>: 3 environments`,
    );
    const cut = renderPlanMarkdown(plan, { maxChars: 1200 });
    expect(cut).toContain('### Changes from bases');
    expect(cut).toContain('each change is listed by name only');
    const explained = renderPlanMarkdown(plan, { explain: true });
    expect(explained).toContain(`+ config.packages.pip: "pandas==2.2.1"  # from ${BASE}:5:11`);
    expect(explained).toContain(`- config.packages.pip: "pandas==2.2.0"`);
  });

  it('a plan without bases has no group section', () => {
    const none = planFor([desiredEnv('p', { config: after })], [], [], planOptions());
    expect(baseGroups(none)).toEqual([]);
    expect(renderPlanText(none, paint(false))).not.toContain('Changes from bases');
    expect(renderPlanMarkdown(none)).not.toContain('Changes from bases');
  });
});
