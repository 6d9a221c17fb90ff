// A lock is used only in the organization and workspace it was written for, as the API names them.

import { describe, expect, it } from 'vitest';
import { parseAntLock } from '../../../src/ant/lock.js';
import { checkOrigin } from '../../../src/ant/origin.js';

const lock = parseAntLock(
  '{"version": 1, "origin": {"base_url": "https://api.anthropic.com", "organization_id": "org-1", "workspace_id": "wrkspc_a"}, "resources": {}}',
  'claude-lock.json',
  '/repo/claude-lock.json',
);
const check = (organization: string | null, workspace: string | null, configured: string | null) => () =>
  checkOrigin(lock, { organization_id: organization, workspace_id: workspace }, configured);

describe('checkOrigin', () => {
  it('accepts the lock’s organization and workspace, named by the API or by the project file', () => {
    expect(check('org-1', 'wrkspc_a', null)).not.toThrow();
    expect(check('org-1', 'wrkspc_a', 'wrkspc_a')).not.toThrow();
    expect(check('org-1', null, 'wrkspc_a')).not.toThrow();
  });

  it.each([
    ['the API names no organization', check(null, 'wrkspc_a', null), 'did not name its organization'],
    [
      'another organization',
      check('org-2', 'wrkspc_a', null),
      'written for organization org-1, but this key works in organization org-2',
    ],
    [
      'no one says which workspace',
      check('org-1', null, null),
      'the API did not say which workspace it served',
    ],
    [
      'the API serves another workspace',
      check('org-1', 'wrkspc_b', null),
      'but envsync works in workspace wrkspc_b',
    ],
    [
      'the project file names another workspace',
      check('org-1', 'wrkspc_a', 'wrkspc_b'),
      'but envsync works in workspace wrkspc_b',
    ],
  ])('refuses when %s', (_what, run, message) => {
    expect(run).toThrow(message);
    try {
      run();
    } catch (e) {
      expect(e).toMatchObject({ code: 'ant_origin_mismatch', hint: expect.any(String) });
    }
  });
});
