// Honest drift: a console edit of the description alone is drift in plan, status and history, dated when it was made.

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { envFile, Workspace } from '../helpers/workspace.js';

describe('a description edited in the console', () => {
  let ws: Workspace;
  beforeEach(async () => {
    ws = await Workspace.start();
  });
  afterEach(() => ws.close());

  it('is drift in plan, status and history, and the drift entry is dated by updated_at', async () => {
    ws.files({ 'a.yaml': envFile('a', 'description: from the file\n') });
    expect((await ws.cli(['apply', '--auto-approve'])).code).toBe(0);
    const [a] = await ws.live();
    const edited = await ws
      .sdk()
      .beta.environments.update(a?.id as string, { description: 'edited in the console' });

    const plan = await ws.cli(['plan', '--detailed-exitcode']);
    expect(plan.code).toBe(2);
    expect(plan.stdout).toMatch(/~ a .*\(drift\)/);
    expect(plan.stdout).toContain('changed outside envsync');
    const json = JSON.parse((await ws.cli(['plan', '--format', 'json'])).stdout);
    expect(json.actions[0].drift).toMatchObject({ kind: 'changed_outside', env_id: a?.id });
    expect(json.summary.drift).toBe(1);
    const status = JSON.parse((await ws.cli(['status', '--format', 'json'])).stdout);
    expect(status.environments[0]).toMatchObject({ name: 'a', state: 'drift' });

    const apply = await ws.cli(['apply', '--auto-approve']);
    expect(apply.code, apply.stderr).toBe(0);
    const history = JSON.parse((await ws.cli(['history', 'a', '--format', 'json'])).stdout) as {
      entries: {
        op: string;
        at: string;
        description: string;
        detail: string | null;
        git_dirty: boolean | null;
      }[];
    };
    expect(history.entries.map((e) => [e.op, e.description])).toEqual([
      ['create', 'from the file'],
      ['drift', 'edited in the console'],
      ['update', 'from the file'],
    ]);
    const drift = history.entries[1];
    expect(drift?.at).toBe(edited.updated_at);
    expect(drift?.detail).toMatch(
      /^found \d{4}-\d\d-\d\dT[\d:.]+Z by tester \(not made by envsync\): live differs from the record: description$/,
    );
    const text = await ws.cli(['history', 'a']);
    expect(text.stdout).toContain(`${edited.updated_at}    ! drift found`);
    expect((await ws.cli(['verify', '--live'])).code).toBe(0);
  });
});
