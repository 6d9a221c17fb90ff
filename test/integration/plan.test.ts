import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import planSchema from '../../schema/plan.schema.json' with { type: 'json' };
import type { Plan } from '../../src/model.js';
import { envFile, pipEnv, Workspace } from '../helpers/workspace.js';

const validatePlan = new Ajv2020({ allErrors: true, strict: false }).compile(planSchema);

describe('envsync plan against the emulator', () => {
  let ws: Workspace;
  beforeEach(async () => {
    ws = await Workspace.start();
    ws.files({
      'data.yaml': pipEnv('data', ['pandas==2.2.0'], 'description: data stack\nmetadata: {team: research}\n'),
      'web.yaml': envFile('web'),
    });
  });
  afterEach(() => ws.close());

  it('prints creates in text, then No changes once applied', async () => {
    const first = await ws.cli(['plan']);
    expect(first.code).toBe(0);
    expect(first.stdout).toContain('  + data');
    expect(first.stdout).toContain('+ config.packages.pip: "pandas==2.2.0"');
    expect(first.stdout).toContain('+ metadata.team: "research"');
    expect(first.stdout).toContain('⚠ widens network access');
    expect(first.stdout.trimEnd().split('\n').at(-1)).toBe(
      'Plan: 2 to create, 0 to update, 0 to recreate, 0 to archive.',
    );

    expect((await ws.cli(['apply', '--auto-approve'])).code).toBe(0);
    const second = await ws.cli(['plan', '--detailed-exitcode']);
    expect(second.code).toBe(0);
    expect(second.stdout.trim()).toBe('No changes.');
  });

  it('costs one list request, whatever the number of environments', async () => {
    for (let i = 0; i < 40; i++) ws.files({ [`e${i}.yaml`]: envFile(`e${i}`) });
    expect((await ws.cli(['apply', '--auto-approve'])).code).toBe(0);
    ws.emu.resetStats();
    const r = await ws.cli(['plan']);
    expect(r.code).toBe(0);
    expect(ws.emu.stats().requests).toBe(1);
    expect(ws.emu.stats().byRoute).toEqual({ 'GET /v1/environments': 1 });
  });

  it('shows an in-place update with set changes, and exit 2 with --detailed-exitcode', async () => {
    await ws.cli(['apply', '--auto-approve']);
    ws.files({
      'data.yaml': pipEnv(
        'data',
        ['pandas==2.2.1', 'polars==1.9.0'],
        'description: data stack v2\nmetadata: {team: research}\n',
      ),
    });
    const r = await ws.cli(['plan', '--detailed-exitcode']);
    expect(r.code).toBe(2);
    expect(r.stdout).toMatch(/ {2}~ data \(env_\w+\)/);
    expect(r.stdout).toContain('~ config.packages.pip: "pandas==2.2.0" → "pandas==2.2.1"');
    expect(r.stdout).toContain('+ config.packages.pip: "polars==1.9.0"');
    expect(r.stdout).toContain('~ description: "data stack" → "data stack v2"');
    expect(r.stdout).toContain('Plan: 0 to create, 1 to update, 0 to recreate, 0 to archive.');
  });

  it('prints JSON that validates against schema/plan.schema.json, markdown for PRs', async () => {
    const json = await ws.cli(['plan', '--format', 'json']);
    expect(json.code).toBe(0);
    const plan = JSON.parse(json.stdout) as Plan;
    expect(validatePlan(plan), JSON.stringify(validatePlan.errors)).toBe(true);
    expect(plan.format_version).toBe(1);
    expect(plan.actions.map((a) => [a.kind, a.name])).toEqual([
      ['create', 'data'],
      ['create', 'web'],
    ]);
    expect(plan.files.map((f) => f.file).sort()).toEqual(['environments/data.yaml', 'environments/web.yaml']);
    expect(json.stderr).not.toContain('{');

    const md = await ws.cli(['plan', '--format', 'markdown']);
    expect(md.code).toBe(0);
    expect(md.stdout).toContain('| action | count |\n| --- | ---: |\n| create | 2 |');
    expect(md.stdout).toContain('<details>');
    expect(md.stdout).toContain('> [!WARNING]');
    expect(md.stdout.indexOf('> [!WARNING]')).toBeLessThan(md.stdout.indexOf('<details>'));
  });

  it('saves a plan with fingerprints that apply --plan runs exactly', async () => {
    await ws.cli(['apply', '--auto-approve']);
    ws.files({
      'web.yaml': envFile('web', 'description: now described\n'),
      'data.yaml': null,
      'new.yaml': envFile('new'),
    });
    const out = path.join(ws.dir, 'plan.json');
    const r = await ws.cli(['plan', '--out', out]);
    expect(r.code).toBe(0);
    const saved = JSON.parse(readFileSync(out, 'utf8')) as Plan;
    expect(validatePlan(saved)).toBe(true);
    expect(saved.live.map((l) => l.name).sort()).toEqual(['data', 'web']);
    expect(saved.absent).toContain('new');
    for (const fp of saved.live) expect(fp.updated_at).toMatch(/^\d{4}-\d\d-\d\dT/);

    // The files change again after planning: apply --plan still runs the saved plan, not the files.
    ws.files({ 'web.yaml': envFile('web', 'description: changed after planning\n') });
    const applied = await ws.cli(['apply', '--plan', out]);
    expect(applied.code, applied.stderr).toBe(0);
    expect(applied.stdout).toContain(
      'Apply complete: 1 created, 1 updated, 0 recreated, 1 archived, 0 failed.',
    );
    const names = (await ws.live()).map((e) => [e.name, e.description]).sort();
    expect(names).toEqual([
      ['new', null],
      ['web', 'now described'],
    ]);
  });

  it('is blocked (exit 3) by an unmanaged environment of the same name, and still prints the plan', async () => {
    await ws.sdk().beta.environments.create({ name: 'web', description: 'made by hand' });
    const r = await ws.cli(['plan']);
    expect(r.code).toBe(3);
    expect(r.stdout).toContain('  + data');
    expect(r.stdout).toMatch(/web/);
    expect(r.stdout).toMatch(/not managed by envsync|unmanaged/i);
    expect(r.stdout).toMatch(/--adopt/);
  });

  it('exits 1 on invalid files, before any API call', async () => {
    ws.files({ 'bad.yaml': 'name: bad\nconfig: {type: clod}\n' });
    ws.emu.resetStats();
    const r = await ws.cli(['plan']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('environments/bad.yaml:2:16');
    expect(r.stderr).toMatch(/error\[invalid_config\]: 1 error in the environment files/);
    expect(ws.emu.stats().requests).toBe(0);
  });

  it('exits 1 with a clear message when the API rejects the key', async () => {
    const strict = await Workspace.start({ apiKey: 'the-only-key' });
    try {
      strict.files({ 'a.yaml': envFile('a') });
      const r = await strict.cli(['plan']);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/error\[api_error\]: list environments: 401 authentication_error/);
      expect(r.stderr).toContain('hint: check ANTHROPIC_API_KEY');
    } finally {
      await strict.close();
    }
  });

  it('refuses to send the key over plain http to a non-loopback host, with no request made', async () => {
    const r = await ws.cli(['plan', '--base-url', 'http://example.com']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('refusing to send the API key over plain http:// to example.com');
  });

  it('limits the plan with --target', async () => {
    const r = await ws.cli(['plan', '--target', 'web', '--format', 'json']);
    const plan = JSON.parse(r.stdout) as Plan;
    expect(plan.actions.map((a) => a.name)).toEqual(['web']);
  });

  it('blocks more archives than --max-archive allows', async () => {
    for (let i = 0; i < 3; i++) ws.files({ [`x${i}.yaml`]: envFile(`x${i}`) });
    await ws.cli(['apply', '--auto-approve']);
    for (let i = 0; i < 3; i++) ws.files({ [`x${i}.yaml`]: null });
    expect((await ws.cli(['plan', '--max-archive', '2'])).code).toBe(3);
    expect((await ws.cli(['plan', '--max-archive', '3'])).code).toBe(0);
  });

  it('writes nothing when planning', async () => {
    writeFileSync(path.join(ws.dir, 'marker'), '');
    await ws.cli(['plan']);
    expect(ws.entries()).toEqual([]);
  });

  it('refuses a bad --out or --changelog path with exit 1 and no stack trace, before any API call', async () => {
    ws.emu.resetStats();
    const dirOut = await ws.cli(['plan', '--out', 'environments']);
    expect(dirOut.code).toBe(1);
    expect(dirOut.stderr).toContain('error[invalid_out]: --out environments is a directory');
    expect(ws.emu.stats().requests).toBe(0);
    const missingParent = await ws.cli(['plan', '--out', 'no/such/dir/plan.json']);
    expect(missingParent.stderr).toContain('is in a directory that does not exist');
    // --changelog names the directory of run files: a file there is refused.
    writeFileSync(path.join(ws.dir, 'notadir'), 'x');
    const changelogDir = await ws.cli(['plan', '--changelog', 'notadir']);
    expect(changelogDir.code).toBe(1);
    expect(changelogDir.stderr).toMatch(
      /error\[changelog_unreadable\]: cannot read the changelog: .*notadir is not a directory/,
    );
    expect(ws.emu.stats().requests).toBe(0);
    expect(changelogDir.stderr).not.toContain('internal error');
  });

  it('refuses a --target that matches nothing (plan and apply), with a did-you-mean; nothing is changed', async () => {
    ws.files({ 'data.yaml': envFile('data') });
    const r = await ws.cli(['plan', '--target', 'nosuch']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      'error[unknown_target]: --target nosuch matches no environment file and no live environment',
    );
    expect(r.stdout).not.toContain('No changes');
    const typo = await ws.cli(['apply', '--auto-approve', '--target', 'dat']);
    expect([typo.code, typo.stderr]).toEqual([1, expect.stringContaining('did you mean --target data?')]);
    expect(await ws.live()).toEqual([]);
    // A name live but in no file still counts: targeting it plans its archive.
    expect((await ws.cli(['apply', '--auto-approve'])).code).toBe(0);
    ws.files({ 'data.yaml': null, 'other.yaml': envFile('other') });
    const archive = await ws.cli(['plan', '--target', 'data']);
    expect(archive.code, archive.stderr).toBe(0);
    expect(archive.stdout).toContain('Plan: 0 to create, 0 to update, 0 to recreate, 1 to archive.');
  });
});
