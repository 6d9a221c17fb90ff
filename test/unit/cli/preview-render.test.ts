// What each preview command prints, for every outcome it can have: text for people, markdown for the PR.

import { describe, expect, it } from 'vitest';
import type { ApplyFailure } from '../../../src/apply/execute.js';
import { paint } from '../../../src/cli/io.js';
import {
  type PreviewAction,
  type PreviewReport,
  previewMarkdown,
  previewText,
} from '../../../src/cli/preview-render.js';
import type { Plan } from '../../../src/model.js';
import type { PreviewEnvironment, PreviewOutcome } from '../../../src/workflow/preview.js';

const plain = paint(false);

function row(name: string, action: PreviewEnvironment['action'], extra: Partial<PreviewEnvironment> = {}) {
  return {
    name,
    preview_id: 'pr-7',
    preview_name: `${name}--pr-7`,
    env_id: `env_${name}`,
    config_hash: null,
    expires: '2026-12-05T10:00:00Z',
    action,
    ...extra,
  } satisfies PreviewEnvironment;
}

const failure = (name: string, message: string): ApplyFailure => ({
  name,
  kind: 'create',
  code: 'api_error',
  message,
  hint: undefined,
});

function report(
  action: PreviewAction,
  outcome: Partial<Omit<PreviewOutcome, 'plan'>>,
  id: string | null = 'pr-7',
): PreviewReport {
  return {
    action,
    project: 'p',
    workspace: null,
    id,
    outcome: {
      status: 'applied',
      result: null,
      extended: null,
      previews: [],
      archived: [],
      noExpiry: [],
      // The renderers draw the rows; the plan is printed apart (and only previewJson reads it).
      plan: {} as Plan,
      ...outcome,
    },
  };
}

describe('previewText', () => {
  it.each([
    [
      'up: name → env ID, expiry and state',
      report('up', {
        previews: [row('data', 'create'), row('web', 'extended', { env_id: null, expires: null })],
      }),
      [
        'Preview pr-7:',
        '  NAME  PREVIEW     ENV ID    EXPIRES               STATE',
        '  data  data--pr-7  env_data  2026-12-05T10:00:00Z  created',
        '  web   web--pr-7   -         -                     expiry extended',
      ],
    ],
    [
      'up --dry-run: what would be done',
      report('up', { status: 'dry_run', previews: [row('data', 'create'), row('web', 'noop')] }),
      [
        'Preview pr-7 (dry run):',
        '  NAME  PREVIEW     ENV ID    EXPIRES               STATE',
        '  data  data--pr-7  env_data  2026-12-05T10:00:00Z  to create',
        '  web   web--pr-7   env_web   2026-12-05T10:00:00Z  expiry to extend',
      ],
    ],
    [
      'up with nothing to preview',
      report('up', {}),
      ['No preview copies for pr-7: no environment is previewed.'],
    ],
    [
      'up --dry-run with nothing to preview',
      report('up', { status: 'dry_run' }),
      ['No preview copies for pr-7: no environment would be previewed.'],
    ],
    [
      'down: what was archived',
      report('down', { archived: [row('data', 'archive')] }),
      ['Archived:', '  data--pr-7  env_data  (preview pr-7, expires 2026-12-05T10:00:00Z)'],
    ],
    ['down with nothing to archive', report('down', {}), ['No previews of pr-7 to archive.']],
    [
      'gc --dry-run: what would be archived, and what is left alone',
      report(
        'gc',
        {
          status: 'dry_run',
          archived: [row('data', 'archive', { expires: '2026-11-01T00:00:00Z' })],
          noExpiry: [row('web', 'noop', { expires: null })],
        },
        null,
      ),
      [
        'Would archive:',
        '  data--pr-7  env_data  (preview pr-7, expired 2026-11-01T00:00:00Z)',
        'Left alone (no readable envsync_expires tag; `envsync preview down --id ID` removes them):',
        '  web--pr-7  env_web  (preview pr-7)',
      ],
    ],
    ['gc with nothing expired', report('gc', {}, null), ['No expired previews.']],
  ])('%s', (_title, r, lines) => {
    expect(previewText(r, plain)).toBe(`${lines.join('\n')}\n`);
  });

  it('escapes names that come from files and the API', () => {
    // IDs are checked at the edge (letters, digits, _ and -); names are not.
    const text = previewText(
      report('up', { previews: [row('a\u001b[31m', 'create', { env_id: 'env_a' })] }),
      plain,
    );
    expect(text).not.toContain('\u001b');
    expect(text).toContain('a\\x1B[31m');
  });
});

describe('previewMarkdown', () => {
  it.each([
    [
      'up: a table of name → env ID',
      report('up', {
        previews: [row('data', 'create'), row('web', 'create', { env_id: null, expires: null })],
      }),
      [
        '### envsync previews · <code>pr-7</code>',
        '',
        '2 preview environments for agents to try before the merge:',
        '',
        '| environment | preview | env ID | expires | state |',
        '| --- | --- | --- | --- | --- |',
        '| <code>data</code> | <code>data--pr-7</code> | <code>env&#95;data</code> | 2026-12-05T10&#58;00&#58;00Z | created |',
        '| <code>web</code> | <code>web--pr-7</code> | – | – | created |',
      ],
    ],
    [
      'up: copies no longer changed are archived, and failures listed',
      report('up', {
        previews: [row('data', 'update')],
        archived: [row('old', 'archive')],
        result: {
          plan_id: 'plan_1',
          created: 0,
          updated: 1,
          recreated: 0,
          archived: 1,
          adopted: 0,
          already: [],
          failed: [failure('web', 'the API said no')],
          unrecorded: [],
          uncertain: [],
          notStarted: 0,
          notStartedNames: [],
          interrupted: false,
          stopped: null,
        },
        extended: { extended: [], failed: [failure('api', 'expiry not moved')] },
      }),
      [
        '### envsync previews · <code>pr-7</code>',
        '',
        '1 preview environment for agents to try before the merge:',
        '',
        '| environment | preview | env ID | expires | state |',
        '| --- | --- | --- | --- | --- |',
        '| <code>data</code> | <code>data--pr-7</code> | <code>env&#95;data</code> | 2026-12-05T10&#58;00&#58;00Z | updated |',
        '',
        'Archived (no longer changed): <code>old--pr-7</code>.',
        '',
        '- ✗ <code>web</code>: the API said no',
        '- ✗ <code>api</code>: expiry not moved',
      ],
    ],
    [
      'up with nothing changed',
      report('up', {}),
      [
        '### envsync previews · <code>pr-7</code>',
        '',
        'No environment this pull request changes: no previews.',
      ],
    ],
    [
      'down: what was archived',
      report('down', { archived: [row('data', 'archive'), row('web', 'archive')] }),
      [
        '### envsync previews · <code>pr-7</code>',
        '',
        'Archived 2 preview environments: <code>data--pr-7</code>, <code>web--pr-7</code>.',
      ],
    ],
    [
      'gc --dry-run',
      report('gc', { status: 'dry_run', archived: [row('data', 'archive')] }, null),
      ['### envsync previews · expired', '', 'Would archive 1 preview environment: <code>data--pr-7</code>.'],
    ],
    [
      'gc with nothing expired',
      report('gc', {}, null),
      ['### envsync previews · expired', '', 'No previews to archive.'],
    ],
  ])('%s', (_title, r, lines) => {
    expect(previewMarkdown(r)).toBe(`${lines.join('\n')}\n`);
  });
});
