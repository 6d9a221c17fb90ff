import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { changelogEntries } from '../helpers/changelog.js';
import { envFile, Workspace } from '../helpers/workspace.js';

type Json = Record<string, unknown>;

/** Ways to spoil a good saved plan, and what `apply --plan` must say about each. */
const MALFORMED: Array<{ what: string; spoil: (plan: Json, text: string) => string; says: RegExp }> = [
  {
    what: 'invalid JSON',
    spoil: (_plan, text) => text.slice(0, text.length / 2),
    says: /bad\.json is not JSON: /,
  },
  {
    what: 'a format_version from another envsync',
    spoil: (plan) => JSON.stringify({ ...plan, format_version: 2 }),
    says: /bad\.json has format_version 2; this envsync reads 1/,
  },
  {
    what: 'no format_version at all',
    spoil: ({ format_version: _gone, ...rest }) => JSON.stringify(rest),
    says: /bad\.json has format_version undefined; this envsync reads 1/,
  },
  {
    what: 'a missing required field (the fingerprints)',
    spoil: ({ live: _gone, ...rest }) => JSON.stringify(rest),
    says: /bad\.json is not a valid plan: \/ must have required property 'live'/,
  },
  {
    what: 'an action missing the payload it sends',
    spoil: (plan) =>
      JSON.stringify({
        ...plan,
        actions: (plan.actions as Json[]).map(({ desired: _gone, ...a }) => a),
      }),
    says: /bad\.json is not a valid plan: \/actions\/0 must have required property 'desired'/,
  },
  {
    what: 'an action of a kind this envsync does not know',
    spoil: (plan) =>
      JSON.stringify({
        ...plan,
        actions: (plan.actions as Json[]).map((a) => (a.kind === 'create' ? { ...a, kind: 'delete' } : a)),
      }),
    says: /bad\.json is not a valid plan: \/actions\/\d+\/kind must be equal to constant/,
  },
  {
    what: 'a config edited without its hash (a package slipped into a create)',
    spoil: (plan) =>
      JSON.stringify({
        ...plan,
        actions: (plan.actions as Json[]).map((a) =>
          a.kind === 'create'
            ? {
                ...a,
                desired: {
                  ...(a.desired as Json),
                  config: {
                    ...((a.desired as Json).config as Json),
                    packages: { apt: [], cargo: [], gem: [], go: [], npm: ['evil@1.0.0'], pip: [] },
                  },
                },
              }
            : a,
        ),
      }),
    says: /bad\.json: the config of b hashes to sha256:[0-9a-f]{64}, not to the sha256:[0-9a-f]{64} the plan carries/,
  },
  {
    what: 'a JSON value that is not an object',
    spoil: () => '[1, 2, 3]\n',
    says: /bad\.json has format_version undefined/,
  },
];

describe('apply --plan refuses a saved plan it cannot trust', () => {
  let ws: Workspace;
  let good: string;
  let aId: string;

  beforeEach(async () => {
    ws = await Workspace.start();
    ws.files({ 'a.yaml': envFile('a') });
    expect((await ws.cli(['apply', '--auto-approve'])).code).toBe(0);
    aId = (await ws.live())[0]?.id as string;
    // A plan with an update (so it holds a fingerprint) and a create.
    ws.files({ 'a.yaml': envFile('a', 'description: planned\n'), 'b.yaml': envFile('b') });
    expect((await ws.cli(['plan', '--out', 'good.json'])).code).toBe(0);
    good = readFileSync(path.join(ws.dir, 'good.json'), 'utf8');
  });
  afterEach(() => ws.close());

  /** What the live side looks like: the names and descriptions; unchanged by a refused apply. */
  async function liveView() {
    return (await ws.live(true)).map((e) => [e.id, e.name, e.description, e.updated_at]);
  }

  it.each(MALFORMED)('refuses $what, naming the file, before any API call', async ({ spoil, says }) => {
    writeFileSync(path.join(ws.dir, 'bad.json'), spoil(JSON.parse(good) as Json, good));
    const before = await liveView();
    const entries = changelogEntries(ws.dir).length;
    ws.emu.resetStats();

    const r = await ws.cli(['apply', '--plan', 'bad.json']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/error\[invalid_plan\]: /);
    expect(r.stderr, r.stderr).toMatch(says);
    expect(r.stderr).toContain('hint: ');
    expect(r.stdout).toBe('');
    // Refused while reading the file: not even the list went out.
    expect(ws.emu.stats().requests).toBe(0);
    expect(await liveView()).toEqual(before);
    expect(changelogEntries(ws.dir)).toHaveLength(entries);
  });

  it.each([
    ['updated_at', '2020-01-01T00:00:00.000Z'],
    ['config_hash', `sha256:${'0'.repeat(64)}`],
  ])('refuses a plan whose fingerprint %s was edited, with no API write', async (field, value) => {
    const plan = JSON.parse(good) as Json & { live: Json[] };
    expect(plan.live.map((l) => l.id)).toEqual([aId]);
    plan.live = plan.live.map((l) => ({ ...l, [field]: value }));
    writeFileSync(path.join(ws.dir, 'edited.json'), JSON.stringify(plan));
    const before = await liveView();
    ws.emu.resetStats();

    const r = await ws.cli(['apply', '--plan', 'edited.json']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('error[stale_plan]: stale plan: 1 thing changed since it was made');
    expect(r.stderr).toContain(`a (${aId}) changed at`);
    // It listed to compare, and wrote nothing.
    expect(Object.keys(ws.emu.stats().byRoute)).toEqual(['GET /v1/environments']);
    expect(await liveView()).toEqual(before);
  });

  it('refuses a plan whose fingerprints were removed, so a hand change it never saw is not overwritten', async () => {
    await ws.sdk().beta.environments.update(aId, { description: 'hand edit' });
    const plan = JSON.parse(good) as Json & { live: Json[] };
    plan.live = [];
    writeFileSync(path.join(ws.dir, 'edited.json'), JSON.stringify(plan));
    const r = await ws.cli(['apply', '--plan', 'edited.json']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`a (${aId}) has no fingerprint in the plan (was the plan edited?)`);
    expect((await ws.live()).find((e) => e.id === aId)?.description).toBe('hand edit');
  });

  it('still applies the unspoiled plan it was compared with', async () => {
    // The control for the cases above: the same plan, untouched, goes through.
    const r = await ws.cli(['apply', '--plan', 'good.json']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('Apply complete: 1 created, 1 updated, 0 recreated, 0 archived, 0 failed.');
  });
});
