import { appendFileSync, readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { foldRecorded } from '../../src/changelog/state.js';
import { verifyHistory } from '../../src/changelog/verify.js';
import { configHash } from '../../src/hash/config-hash.js';
import { envFile, pipEnv, Workspace } from '../helpers/workspace.js';

const pipHash = (...packages: string[]) => configHash({ type: 'cloud', packages: { pip: packages } });

describe('nothing that reached the API stays out of the changelog', () => {
  let ws: Workspace;
  beforeEach(async () => {
    ws = await Workspace.start();
  });
  afterEach(() => ws.close());

  it('records an update whose response was lost on the next apply', async () => {
    ws.files({ 'a.yaml': pipEnv('a', ['x==1'], 'description: first\n') });
    expect((await ws.cli(['apply', '--auto-approve'])).code).toBe(0);
    const [a] = await ws.live();

    // Every write is committed, then its answer is lost.
    await ws.restart({ dropRate: 1 });
    ws.files({ 'a.yaml': pipEnv('a', ['x==2'], 'description: second\n') });
    const lost = await ws.cli(['apply', '--auto-approve']);
    expect(lost.code).toBe(1);
    expect((await ws.live())[0]).toMatchObject({ id: a?.id, description: 'second' });

    await ws.restart();
    const next = await ws.cli(['apply', '--auto-approve']);
    expect(next.code, next.stderr).toBe(0);
    expect(next.stderr).toMatch(/recorded 1 change\(s\) the changelog did not know yet: update a/);
    const recorded = foldRecorded(ws.entries()).find((r) => r.env_id === a?.id);
    expect(recorded).toMatchObject({ config_hash: pipHash('x==2'), description: 'second', archived: false });
    expect(verifyHistory(ws.changelog).problems).toEqual([]);
    expect((await ws.cli(['verify', '--live'])).code).toBe(0);
    const history = await ws.cli(['history', 'a', '--format', 'json']);
    const ops = (JSON.parse(history.stdout) as { entries: { op: string }[] }).entries.map((e) => e.op);
    expect(ops).toEqual(['create', 'update']);
  });

  it('records an environment deleted behind its back even when there is nothing to change', async () => {
    ws.files({ 'a.yaml': envFile('a'), 'b.yaml': envFile('b') });
    await ws.cli(['apply', '--auto-approve']);
    const b = (await ws.live()).find((e) => e.name === 'b');
    await ws.sdk().beta.environments.delete(b?.id as string);
    ws.files({ 'b.yaml': null });

    const plan = await ws.cli(['plan']);
    expect(plan.stdout).toMatch(/Drift detected/);
    const apply = await ws.cli(['apply', '--auto-approve']);
    expect(apply.code).toBe(0);
    const drift = ws.entries().filter((e) => e.op === 'drift');
    expect(drift).toEqual([expect.objectContaining({ env_id: b?.id, config: null })]);
    expect((await ws.cli(['plan'])).stdout.trim()).toBe('No changes.');
  });

  it('sets aside a last line torn in the middle of a multi-byte character without touching the line before', async () => {
    ws.files({ 'a.yaml': envFile('a', 'description: café crème\n') });
    await ws.cli(['apply', '--auto-approve']);
    const run = ws.runFiles().at(-1) as string;
    const before = readFileSync(run);
    // A crash cut a line just after the first byte of the "é" (0xC3 0xA9) in the create entry's description.
    const e = before.indexOf(0xc3);
    expect(e).toBeGreaterThan(0);
    const torn = before.subarray(before.lastIndexOf(0x0a, e) + 1, e + 1);
    appendFileSync(run, torn);

    ws.files({ 'b.yaml': envFile('b') });
    const r = await ws.cli(['apply', '--auto-approve']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('kept it aside in');
    const after = readFileSync(run);
    expect(after.subarray(0, before.length).equals(before)).toBe(true);
    expect(readFileSync(`${run}.torn-1`).equals(torn)).toBe(true);
    expect(verifyHistory(ws.changelog).problems).toEqual([]);
  });

  it('keeps guarding an environment with prevent_archive after its file is removed', async () => {
    ws.files({ 'prod.yaml': envFile('prod', 'lifecycle: {prevent_archive: true}\n') });
    await ws.cli(['apply', '--auto-approve']);
    ws.files({ 'prod.yaml': null, 'other.yaml': envFile('other') });
    const blocked = await ws.cli(['plan']);
    expect(blocked.code).toBe(3);
    expect(blocked.stdout).toContain('its file last applied prevent_archive: true');

    // The way out, as with Terraform's prevent_destroy: turn it off, apply, then remove the file.
    ws.files({ 'prod.yaml': envFile('prod', 'lifecycle: {prevent_archive: false}\n') });
    const release = await ws.cli(['apply', '--auto-approve']);
    expect(release.stdout).toContain('~ lifecycle.prevent_archive: true → false');
    ws.files({ 'prod.yaml': null });
    const archive = await ws.cli(['apply', '--auto-approve']);
    expect(archive.code, archive.stderr).toBe(0);
    expect(archive.stdout).toContain('1 archived');
  });
});
