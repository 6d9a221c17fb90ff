// history, show and resolve against a history built by real applies: creates, updates, a recreate, an archive, drift.

import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configHash, shortHash } from '../../src/hash/config-hash.js';
import type { ChangelogEntry } from '../../src/model.js';
import { shippedSchemaFrom } from '../helpers/cli.js';
import { envFile, pipEnv, Workspace } from '../helpers/workspace.js';

const RECREATE = 'lifecycle: {on_config_change: recreate}\n';
const pipHash = (...packages: string[]) => configHash({ type: 'cloud', packages: { pip: packages } });
const justBefore = (at: string) => new Date(Date.parse(at) - 1).toISOString();

/** Writes text as the only file of a fresh environments folder and validates it there. */
async function validateText(ws: Workspace, folder: string, text: string) {
  const dir = path.join(ws.dir, folder);
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'restored.yaml'), text);
  const r = await ws.cli(['validate', folder, '--format', 'json']);
  const doc = JSON.parse(r.stdout) as {
    valid: boolean;
    environments: { name: string; config_hash: string }[];
  };
  return { code: r.code, ...doc };
}

describe('history, show and resolve over real applies', () => {
  let ws: Workspace;
  let log: ChangelogEntry[];
  const ids: Record<string, string> = {};
  let consoleEditAt = '';
  const find = (op: string, id: string) => log.find((e) => e.op === op && e.env_id === id) as ChangelogEntry;

  beforeAll(async () => {
    ws = await Workspace.start();
    const apply = async () => expect((await ws.cli(['apply', '--auto-approve'])).code).toBe(0);
    ws.files({
      'a.yaml': pipEnv('a', ['pandas==2.2.0'], 'description: A v1\nmetadata: {team: x}\n'),
      'r.yaml': pipEnv('r', ['numpy==2.1.3'], RECREATE),
      'z.yaml': envFile('z'),
    });
    await apply();
    for (const e of await ws.live()) ids[e.name] = e.id;
    ws.files({
      'a.yaml': pipEnv('a', ['pandas==2.2.1'], 'description: A v2\nmetadata: {team: x}\n'),
      'r.yaml': pipEnv('r', ['numpy==2.2.0'], RECREATE),
    });
    await apply();
    ids.r2 = (await ws.live()).find((e) => e.name === 'r')?.id as string;
    ws.files({ 'z.yaml': null });
    await apply();
    const edited = await ws.sdk().beta.environments.update(ids.a as string, {
      config: { type: 'cloud', packages: { pip: ['pandas==2.2.1', 'requests==2.32.0'] } },
    });
    consoleEditAt = edited.updated_at;
    await apply();
    log = ws.entries();
  });
  afterAll(() => ws.close());

  it('history NAME shows every step of an in-place environment with its field changes, drift included', async () => {
    const r = await ws.cli(['history', 'a']);
    expect(r.code, r.stderr).toBe(0);
    const at = (op: string, n = 0) => log.filter((e) => e.op === op && e.env_id === ids.a)[n]?.at;
    const head = (when: string | undefined, mark: string, hash: string) =>
      `  ${when}  ${mark}  ${ids.a}  ${shortHash(hash)}  by tester  no commit`;
    expect(r.stdout).toBe(
      [
        `a  (env ID: ${ids.a})`,
        head(at('create'), '  + create     ', pipHash('pandas==2.2.0')),
        '        from environments/a.yaml:1',
        '        + description: "A v1"',
        '        + metadata.team: "x"',
        '        + config.type: "cloud"',
        '        + config.packages.pip: "pandas==2.2.0"',
        '        + config.networking.type: "unrestricted"',
        head(at('update'), '  ~ update     ', pipHash('pandas==2.2.1')),
        '        from environments/a.yaml:1',
        '        ~ description: "A v1" → "A v2"',
        '        ~ config.packages.pip: "pandas==2.2.0" → "pandas==2.2.1"',
        head(at('drift'), '  ! drift found', pipHash('pandas==2.2.1', 'requests==2.32.0')),
        `        live config ${shortHash(pipHash('pandas==2.2.1', 'requests==2.32.0'))} no longer matches the envsync_config_hash tag ${shortHash(pipHash('pandas==2.2.1'))} (found ${find('drift', ids.a as string).detail?.match(/found (\S+) by/)?.[1]} by tester)`,
        '        + config.packages.pip: "requests==2.32.0"',
        head(at('update', 1), '  ~ update     ', pipHash('pandas==2.2.1')),
        '        from environments/a.yaml:1',
        '        - config.packages.pip: "requests==2.32.0"',
        '',
      ].join('\n'),
    );
    // A console edit of packages is dated when it happened (live's updated_at), not when apply found it.
    expect(at('drift')).toBe(consoleEditAt);
    expect(find('drift', ids.a as string).detail).toMatch(/\(found \S+ by tester\)$/);
  });

  it('history NAME follows a recreate to the new ID and the old one archived under <name>~<hash8>', async () => {
    const r = await ws.cli(['history', 'r']);
    expect(r.stdout).toContain(`r  (env IDs: ${ids.r}, ${ids.r2})`);
    expect(r.stdout).toMatch(
      new RegExp(`-/\\+ recreate {5}${ids.r2}  ${shortHash(pipHash('numpy==2.2.0'))}`),
    );
    expect(r.stdout).toContain(`replaces ${ids.r}\n`);
    expect(r.stdout).toContain('~ config.packages.pip: "numpy==2.1.3" → "numpy==2.2.0"');
    expect(r.stdout).toContain(`~ name: "r" → "r~${shortHash(pipHash('numpy==2.1.3'))}"`);
    const all = await ws.cli(['history']);
    expect(all.stdout.match(/^\S.*$/gm)).toEqual([
      `a  (env ID: ${ids.a})`,
      `r  (env IDs: ${ids.r}, ${ids.r2})`,
      `z  (env ID: ${ids.z})`,
    ]);
    expect(all.stdout).toMatch(new RegExp(`- archive {6}${ids.z}`));
  });

  it('history --format json holds every field of every step, with its changes, and no begin/end', async () => {
    const doc = JSON.parse((await ws.cli(['history', '--format', 'json'])).stdout) as {
      format_version: number;
      entries: Array<ChangelogEntry & { environment: string; changes: unknown[] }>;
    };
    expect(doc.format_version).toBe(1);
    const steps = log.filter((e) => e.op !== 'begin' && e.op !== 'end');
    expect(doc.entries).toHaveLength(steps.length);
    for (const e of doc.entries) {
      const { environment, changes, ...entry } = e;
      expect(entry).toEqual(log.find((l) => l.hash === e.hash));
      expect([environment, Array.isArray(changes)]).toEqual([e.name?.replace(/~.*/, ''), true]);
    }
    const recreate = doc.entries.find((e) => e.op === 'recreate');
    expect(recreate?.changes).toEqual([
      { op: 'set', path: 'config.packages.pip', before: 'numpy==2.1.3', after: 'numpy==2.2.0' },
    ]);
    const unknown = await ws.cli(['history', 'b']);
    expect([unknown.code, unknown.stderr]).toEqual([
      1,
      expect.stringContaining(
        'error[unknown_name]: the changelog has no entries for b\n  hint: did you mean a?',
      ),
    ]);
  });

  it('show ENV_ID prints its latest config as a file that validates to the same hash; --at goes back', async () => {
    const r = await ws.cli(['show', ids.a as string]);
    const last = log.filter((e) => e.env_id === ids.a).at(-1) as ChangelogEntry;
    expect(r.stdout).toBe(
      [
        `# yaml-language-server: $schema=${shippedSchemaFrom(path.join(ws.dir, 'environments'))}`,
        `# ${ids.a} (a) as recorded by update, seq ${last.seq}, at ${last.at}.`,
        `# Config hash ${pipHash('pandas==2.2.1')}. Copy into environments/ to restore this config.`,
        'name: a',
        'description: A v2',
        'metadata:',
        '  team: x',
        'config:',
        '  type: cloud',
        '  packages:',
        '    pip:',
        '      - pandas==2.2.1',
        '  networking:',
        '    type: unrestricted',
        '',
      ].join('\n'),
    );
    const old = await ws.cli([
      'show',
      ids.a as string,
      '--at',
      justBefore(find('update', ids.a as string).at),
    ]);
    expect(old.stdout).toContain('description: A v1\n');
    expect(await validateText(ws, 'v1', old.stdout)).toMatchObject({
      code: 0,
      environments: [{ name: 'a', config_hash: pipHash('pandas==2.2.0') }],
    });
  });

  it('show HASH (full or an 8-digit prefix) restores a retired config under its name, round-tripping its hash', async () => {
    const hash = pipHash('numpy==2.1.3');
    const byPrefix = await ws.cli(['show', shortHash(hash)]);
    expect(byPrefix.code, byPrefix.stderr).toBe(0);
    expect(byPrefix.stdout).toContain(`# ${ids.r} (r~${shortHash(hash)}) as recorded by archive`);
    expect((await ws.cli(['show', hash])).stdout).toBe(byPrefix.stdout);
    expect(await validateText(ws, 'restore', byPrefix.stdout)).toMatchObject({
      code: 0,
      environments: [{ name: 'r', config_hash: hash }],
    });
    const json = JSON.parse((await ws.cli(['show', hash, '--format', 'json'])).stdout);
    expect(json).toMatchObject({
      format_version: 1,
      config_hash: hash,
      recorded: { op: 'archive', env_id: ids.r },
      environment: { name: 'r', config: { type: 'cloud', packages: { pip: ['numpy==2.1.3'] } } },
    });
  });

  it('show refuses unknown IDs and hashes with a hint, exit 1', async () => {
    const id = await ws.cli(['show', 'env_unknown']);
    expect([id.code, id.stderr]).toEqual([
      1,
      'error[unknown_env_id]: the changelog has no entry for env_unknown\n  hint: run `envsync history` to see the env IDs it recorded, or pass a config hash\n',
    ]);
    const hash = await ws.cli(['show', '00000000']);
    expect([hash.code, hash.stderr]).toEqual([
      1,
      'error[unknown_hash]: the changelog has no config with hash 00000000\n  hint: run `envsync history` to see the hashes it recorded\n',
    ]);
    const both = await ws.cli(['show', shortHash(pipHash('numpy==2.1.3')), '--at', '2026-01-01']);
    expect([both.code, both.stderr]).toEqual([
      1,
      expect.stringContaining('error[at_with_hash]: --at applies to an env ID, not to a config hash'),
    ]);
  });

  it('resolve gives the env ID and hash serving a name before, between and after changes', async () => {
    const resolve = async (name: string, at: string) => {
      const r = await ws.cli(['resolve', name, '--at', at, '--format', 'json']);
      return r.code === 0
        ? [(JSON.parse(r.stdout) as { env_id: string }).env_id, JSON.parse(r.stdout).config_hash]
        : [r.code, r.stderr];
    };
    const created = find('create', ids.r as string).at;
    const recreated = find('recreate', ids.r2 as string).at;
    expect(await resolve('r', justBefore(created))).toEqual([
      1,
      `error[not_serving]: r did not exist at ${justBefore(created)}\n  hint: its first entry is create at ${created}; run \`envsync history r\`\n`,
    ]);
    expect(await resolve('r', created)).toEqual([ids.r, pipHash('numpy==2.1.3')]);
    expect(await resolve('r', justBefore(recreated))).toEqual([ids.r, pipHash('numpy==2.1.3')]);
    expect(await resolve('r', recreated)).toEqual([ids.r2, pipHash('numpy==2.2.0')]);
    // The drift found and the update that undid it land in one run; within the same millisecond the update wins.
    const drift = find('drift', ids.a as string);
    const undone = log.find((e) => e.seq === drift.seq + 1) as ChangelogEntry;
    expect(await resolve('a', drift.at)).toEqual([
      ids.a,
      undone.at === drift.at ? pipHash('pandas==2.2.1') : pipHash('pandas==2.2.1', 'requests==2.32.0'),
    ]);
    expect(await resolve('a', new Date(Date.now() + 60_000).toISOString())).toEqual([
      ids.a,
      pipHash('pandas==2.2.1'),
    ]);
    const archived = find('archive', ids.z as string);
    expect(await resolve('z', justBefore(archived.at))).toEqual([ids.z, configHash({})]);
    const gone = await resolve('z', archived.at);
    expect(gone).toEqual([
      1,
      expect.stringContaining(
        `error[not_serving]: z had no environment at ${archived.at}; the last change before then: archive of ${ids.z}`,
      ),
    ]);
  });

  it('resolve with a date gives the state at the end of that day (UTC) and lists the changes of that day', async () => {
    const day = log.at(-1)?.at.slice(0, 10) as string;
    const r = await ws.cli(['resolve', 'r', '--at', day]);
    expect(r.stdout).toMatch(
      new RegExp(
        `^r at the end of ${day} \\(UTC\\)\n  env ID       ${ids.r2}\n  config hash  ${pipHash('numpy==2.2.0')}\n  since        \\S+ \\(recreate, seq \\d+, by tester\\)\n\nChanges on ${day}:\n`,
      ),
    );
    const json = JSON.parse((await ws.cli(['resolve', 'r', '--at', day, '--format', 'json'])).stdout);
    const sameDay = log.filter((e) => [ids.r, ids.r2].includes(e.env_id as string) && e.at.startsWith(day));
    expect(json).toMatchObject({
      format_version: 1,
      name: 'r',
      day,
      at: `${day}T23:59:59.999Z`,
      env_id: ids.r2,
    });
    expect(json.during.map((e: ChangelogEntry) => e.seq)).toEqual(sameDay.map((e) => e.seq));
    const bad = await ws.cli(['resolve', 'r', '--at', '2026-10-03T10:00']);
    expect([bad.code, bad.stderr]).toEqual([
      1,
      expect.stringContaining('error[bad_time]: cannot read the time "2026-10-03T10:00"'),
    ]);
  });
});
