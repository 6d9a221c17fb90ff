// Cursor pagination over thousands of environments: complete, no repeats, stable while others change mid-iteration.

import type Anthropic from '@anthropic-ai/sdk';
import type { BetaEnvironment } from '@anthropic-ai/sdk/resources/beta/environments/environments';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningEmulator } from '../../src/emulator/index.js';
import { closeEmulatorsAfterEach, createMany, emulator, listAll, sdk } from '../helpers/emulator-harness.js';

const TOTAL = 2500;

/** Walks the pages by hand, calling `between` after each page; returns every id seen, in order, and the page sizes. */
async function walk(
  client: Anthropic,
  query: { limit: number; include_archived?: boolean },
  between: (page: number, seen: readonly string[]) => Promise<void> = async () => {},
): Promise<{ ids: string[]; sizes: number[] }> {
  const ids: string[] = [];
  const sizes: number[] = [];
  let page = await client.beta.environments.list(query);
  for (let n = 0; ; n++) {
    ids.push(...page.data.map((e) => e.id));
    sizes.push(page.data.length);
    if (!page.hasNextPage()) break;
    await between(n, ids);
    page = await page.getNextPage();
  }
  return { ids, sizes };
}

describe('emulator: pagination over 2,500 environments', () => {
  let emu: RunningEmulator;
  let client: Anthropic;
  let created: BetaEnvironment[];

  beforeAll(async () => {
    emu = await emulator();
    client = sdk(emu);
    created = await createMany(client, TOTAL, 'env');
  });
  afterAll(() => emu.close());

  it('limit 1000: three pages, every environment exactly once', async () => {
    const { ids, sizes } = await walk(client, { limit: 1000 });
    expect(sizes).toEqual([1000, 1000, 500]);
    expect(new Set(ids).size).toBe(TOTAL);
    expect([...ids].sort()).toEqual(created.map((e) => e.id).sort());
  });

  it('limit 7: every environment exactly once, through the SDK auto-pagination', async () => {
    const { sizes } = await walk(client, { limit: 7 });
    expect(sizes).toHaveLength(Math.ceil(TOTAL / 7));
    const ids = (await listAll(client, { limit: 7 })).map((e) => e.id);
    expect(ids).toHaveLength(TOTAL);
    expect(new Set(ids)).toEqual(new Set(created.map((e) => e.id)));
  });

  it('a cursor can be replayed and gives the same page', async () => {
    const first = await client.beta.environments.list({ limit: 50 });
    const cursor = first.next_page as string;
    const a = await client.beta.environments.list({ limit: 50, page: cursor });
    const b = await client.beta.environments.list({ limit: 50, page: cursor });
    expect(a.data.map((e) => e.id)).toEqual(b.data.map((e) => e.id));
    expect(a.data.map((e) => e.id)).not.toContain(first.data[0]?.id);
  });
});

describe('emulator: pagination while environments change', () => {
  closeEmulatorsAfterEach();

  it('neither skips nor repeats while others are created, archived and deleted between pages', async () => {
    const emu = await emulator({ seed: 11 });
    const client = sdk(emu);
    const initial = await createMany(client, 700, 'live');
    let seen = new Set<string>();
    const archivedUnseen = new Set<string>();
    const changedSeen = new Set<string>();
    let extra = 0;
    const { ids } = await walk(client, { limit: 7 }, async (page, sofar) => {
      seen = new Set(sofar);
      await client.beta.environments.create({ name: `new-${extra++}` });
      // Archive one the walk has not reached yet and one it has; delete another it has seen.
      const ahead = initial.find((e) => !seen.has(e.id) && !archivedUnseen.has(e.id));
      if (ahead && page % 2 === 0) {
        await client.beta.environments.archive(ahead.id);
        archivedUnseen.add(ahead.id);
      }
      const behind = initial.find((e) => seen.has(e.id) && !changedSeen.has(e.id));
      if (behind) {
        changedSeen.add(behind.id);
        await (page % 2 === 0
          ? client.beta.environments.archive(behind.id)
          : client.beta.environments.delete(behind.id));
      }
    });
    expect(new Set(ids).size).toBe(ids.length);
    const expected = initial.map((e) => e.id).filter((id) => !archivedUnseen.has(id));
    expect(new Set(ids)).toEqual(new Set(expected));
    expect(archivedUnseen.size).toBeGreaterThan(20);
    expect(changedSeen.size).toBeGreaterThan(20);
  });

  it('with include_archived, every environment present at the start is seen once despite archives', async () => {
    const emu = await emulator();
    const client = sdk(emu);
    const initial = await createMany(client, 300, 'arch');
    let next = 0;
    const { ids } = await walk(client, { limit: 7, include_archived: true }, async () => {
      await client.beta.environments.archive((initial[next++ * 3] as BetaEnvironment).id);
      await client.beta.environments.create({ name: `late-${next}` });
    });
    expect(ids).toHaveLength(300);
    expect(new Set(ids)).toEqual(new Set(initial.map((e) => e.id)));
  });
});
