// State files: survive a restart, coalesce concurrent writes, and load cleanly after a kill -9 mid-burst.

import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import Anthropic from '@anthropic-ai/sdk';
import pLimit from 'p-limit';
import { describe, expect, it } from 'vitest';
import { GroupCommit } from '../../src/emulator/persist.js';
import { EnvsyncError } from '../../src/errors.js';
import { tempDir } from '../helpers/cli.js';
import { closeEmulatorsAfterEach, createMany, emulator, listAll, sdk } from '../helpers/emulator-harness.js';
import { spawnEmulator } from '../helpers/emulator-process.js';

closeEmulatorsAfterEach();

describe('emulator: persistence across a restart', () => {
  it('reloads every environment exactly as it was, archived and deleted ones included', async () => {
    const statePath = path.join(tempDir(), 'state.json');
    const first = await emulator({ statePath });
    const client = sdk(first);
    const made = await createMany(client, 30, 'p', 4);
    const [a, b, c] = made as [
      Anthropic.Beta.BetaEnvironment,
      Anthropic.Beta.BetaEnvironment,
      Anthropic.Beta.BetaEnvironment,
    ];
    await client.beta.environments.update(a.id, {
      metadata: { k: 'v' },
      config: { type: 'cloud', packages: { pip: ['x'] } },
    });
    await client.beta.environments.archive(b.id);
    await client.beta.environments.delete(c.id);
    const before = await listAll(client, { include_archived: true, limit: 7 });
    const page = await client.beta.environments.list({ limit: 10 });
    const afterCursor = await client.beta.environments.list({ limit: 10, page: page.next_page as string });
    await first.close();

    const second = await emulator({ statePath });
    const again = sdk(second);
    expect(await listAll(again, { include_archived: true, limit: 7 })).toEqual(before);
    // A cursor handed out before the restart still continues in the same place.
    const resumed = await again.beta.environments.list({ limit: 10, page: page.next_page as string });
    expect(resumed.data).toEqual(afterCursor.data);
    // The name of the archived environment is still taken; the deleted one's is free.
    await expect(
      sdk(second, { maxRetries: 0 }).beta.environments.create({ name: b.name }),
    ).rejects.toMatchObject({
      status: 409,
    });
    expect((await again.beta.environments.create({ name: c.name })).name).toBe(c.name);
  });

  it('never hands out an id twice when a seeded emulator restarts on its own state', async () => {
    const statePath = path.join(tempDir(), 'state.json');
    const first = await emulator({ statePath, seed: 5 });
    const old = await sdk(first).beta.environments.create({ name: 'old' });
    await first.close();
    const second = await emulator({ statePath, seed: 5 });
    const fresh = await sdk(second).beta.environments.create({ name: 'new' });
    expect(fresh.id).not.toBe(old.id);
    expect((await listAll(sdk(second))).map((e) => e.name).sort()).toEqual(['new', 'old']);
  });

  it('refuses a state file it cannot read, and leaves it alone', async () => {
    const statePath = path.join(tempDir(), 'state.json');
    writeFileSync(statePath, '{"not": "a state file"}');
    const err = await emulator({ statePath }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EnvsyncError);
    expect((err as EnvsyncError).code).toBe('emulator_state_invalid');
    expect((err as EnvsyncError).hint).toBeTruthy();
    expect(readFileSync(statePath, 'utf8')).toBe('{"not": "a state file"}');
  });

  it('removes temp files a crash left behind', async () => {
    const dir = tempDir();
    const statePath = path.join(dir, 'state.json');
    writeFileSync(path.join(dir, 'state.json.tmp-abc123'), '{"half": ');
    const emu = await emulator({ statePath });
    await sdk(emu).beta.environments.create({ name: 'x' });
    expect(readdirSync(dir)).toEqual(['state.json']);
  });
});

describe('emulator: group commit', () => {
  it('a burst of parallel writes is all on disk once answered', async () => {
    const statePath = path.join(tempDir(), 'state.json');
    const emu = await emulator({ statePath });
    const made = await createMany(sdk(emu), 200, 'burst', 50);
    const onDisk = JSON.parse(readFileSync(statePath, 'utf8')) as {
      workspaces: Record<string, { environments: { items: Array<{ value: { id: string } }> } }>;
    };
    const items = onDisk.workspaces.wrkspc_default?.environments.items ?? [];
    expect(new Set(items.map((e) => e.value.id))).toEqual(new Set(made.map((e) => e.id)));
  });

  it('shares one write among every commit made while a write is in flight', async () => {
    let state = 0;
    const written: number[] = [];
    const releases: Array<() => void> = [];
    const commits = new GroupCommit(
      () => String(state),
      (text) =>
        new Promise<void>((resolve) => {
          written.push(Number(text));
          releases.push(resolve);
        }),
    );
    state = 1;
    const first = commits.commit();
    const later: Array<Promise<void>> = [];
    for (let i = 0; i < 20; i++) {
      state++;
      later.push(commits.commit());
    }
    expect(written).toEqual([1]); // the first write took the state as it was when it started
    releases.shift()?.();
    await first;
    await new Promise((r) => setImmediate(r));
    expect(written).toEqual([1, 21]); // every later change rides on one second write
    releases.shift()?.();
    await Promise.all(later);
    expect(commits.rounds).toBe(2);
    await commits.idle();
  });

  it('fails the commits of a write that fails, and the next commit writes again', async () => {
    let fail = true;
    const commits = new GroupCommit(
      () => 'x',
      async () => {
        if (fail) throw new Error('disk full');
      },
    );
    await expect(commits.commit()).rejects.toThrow('disk full');
    fail = false;
    await expect(commits.commit()).resolves.toBeUndefined();
    expect(commits.rounds).toBe(2);
  });
});

describe('emulator: kill -9 during a burst of writes', () => {
  it.each([15, 60, 150])(
    'after %i acknowledged creates, the state file loads and holds every acknowledged one',
    async (acknowledgedBeforeKill) => {
      const statePath = path.join(tempDir(), 'state.json');
      const proc = await spawnEmulator(['--port', '0', '--state', statePath]);
      const client = new Anthropic({ apiKey: 'test-key', baseURL: proc.url, maxRetries: 0 });
      const acknowledged: string[] = [];
      let killed = false;
      const limit = pLimit(8);
      const burst = Array.from({ length: 1000 }, (_, i) =>
        limit(async () => {
          if (killed) return;
          try {
            const env = await client.beta.environments.create({
              name: `crash-${i}`,
              metadata: { i: String(i) },
              config: { type: 'cloud', packages: { pip: [`pkg-${i}==1.0.0`] } },
            });
            acknowledged.push(env.id);
            if (acknowledged.length >= acknowledgedBeforeKill && !killed) {
              killed = true;
              proc.child.kill('SIGKILL');
            }
          } catch {
            // Requests in flight when the process died fail: they were never acknowledged.
          }
        }),
      );
      await Promise.all(burst);
      expect(await proc.exited).toBe('SIGKILL');
      expect(existsSync(statePath)).toBe(true);
      const emu = await emulator({ statePath });
      const ids = new Set((await listAll(sdk(emu), { limit: 1000 })).map((e) => e.id));
      expect(acknowledged.length).toBeGreaterThanOrEqual(acknowledgedBeforeKill);
      expect(acknowledged.length).toBeLessThan(1000);
      for (const id of acknowledged) expect(ids.has(id)).toBe(true);
    },
  );
});
