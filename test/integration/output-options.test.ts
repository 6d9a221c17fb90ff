// What plan and apply print under --quiet, --compact and --max-bytes.

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { envFile, pipEnv, Workspace } from '../helpers/workspace.js';

describe('plan and apply output options', () => {
  let ws: Workspace;
  beforeEach(async () => {
    ws = await Workspace.start();
    for (let i = 1; i <= 12; i++) ws.files({ [`e${i}.yaml`]: pipEnv(`env-${i}`, ['pandas==2.2.0']) });
  });
  afterEach(() => ws.close());

  it('apply --quiet prints the one-line plan summary and the result, not the plan', async () => {
    const r = await ws.cli(['--quiet', 'apply', '--auto-approve']);
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n').filter(Boolean);
    expect(lines).toEqual([
      'Plan: 12 to create, 0 to update, 0 to recreate, 0 to archive.',
      'Apply complete: 12 created, 0 updated, 0 recreated, 0 archived, 0 failed.',
    ]);
    expect(r.stdout).not.toContain('pandas');
  });

  it('plan prints the warnings it found in the files, with their place', async () => {
    ws.files({ 'loose.yaml': pipEnv('loose', ['requests']) });
    const r = await ws.cli(['plan']);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/warning\s+environments\/loose\.yaml:\d+:\d+\s+config\.packages\.pip\[0\]/);
    expect(r.stderr).toContain('requests');
  });

  it('plan --compact prints one line per environment, in natural order', async () => {
    const r = await ws.cli(['plan', '--compact']);
    expect(r.code).toBe(0);
    const names = r.stdout
      .split('\n')
      .filter((l) => l.startsWith('  + '))
      .map((l) => l.slice(4).split(/\s/)[0]);
    expect(names).toEqual(Array.from({ length: 12 }, (_, i) => `env-${i + 1}`));
  });

  it('plan --format markdown --max-bytes cuts the comment to the limit and says what it left out', async () => {
    for (let i = 13; i <= 60; i++) ws.files({ [`e${i}.yaml`]: envFile(`env-${i}`, 'description: x\n') });
    const full = await ws.cli(['plan', '--format', 'markdown']);
    for (let i = 1; i <= 60; i++) expect(full.stdout).toMatch(new RegExp(`env-${i}(?!\\d)`));
    const cut = await ws.cli(['plan', '--format', 'markdown', '--max-bytes', '3000']);
    expect(cut.code).toBe(0);
    expect(cut.stdout.length).toBeLessThanOrEqual(3000);
    expect(cut.stdout).toContain('Plan: 60 to create');
    expect(cut.stdout).toMatch(/and \d+ more/);
  });
});
