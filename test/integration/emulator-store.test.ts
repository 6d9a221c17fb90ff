// The store under a frozen clock: updated_at still moves on every write, which envsync's compare-and-swap needs.

import { describe, expect, it } from 'vitest';
import { EnvironmentStore } from '../../src/emulator/store.js';
import type { LiveEnvironment } from '../../src/model.js';

function frozenStore(): EnvironmentStore {
  let n = 0;
  return new EnvironmentStore({
    nameScope: 'all',
    newId: () => `env_${String(n++).padStart(24, '0')}`,
    now: () => Date.parse('2026-01-01T00:00:00.000Z'),
  });
}

const parse = (json: string) => JSON.parse(json) as LiveEnvironment;

describe('emulator store with a clock that does not move', () => {
  it('bumps updated_at by a millisecond per update and archive', () => {
    const store = frozenStore();
    const env = parse(
      store.create({ name: 'a', description: null, metadata: {}, config: null, scope: null }),
    );
    expect(env.updated_at).toBe('2026-01-01T00:00:00.000Z');
    const first = parse(store.update(env.id, { description: 'x' }));
    const second = parse(store.update(env.id, {}));
    const archived = parse(store.archive(env.id).json);
    expect([first.updated_at, second.updated_at, archived.updated_at]).toEqual([
      '2026-01-01T00:00:00.001Z',
      '2026-01-01T00:00:00.002Z',
      '2026-01-01T00:00:00.003Z',
    ]);
    expect(archived.archived_at).toBe(archived.updated_at);
    expect(archived.created_at).toBe('2026-01-01T00:00:00.000Z');
  });

  it('keeps bumping after a reload, even when the clock is behind the stored stamps', () => {
    const store = frozenStore();
    const env = parse(
      store.create({ name: 'a', description: null, metadata: {}, config: null, scope: null }),
    );
    for (let i = 0; i < 5; i++) store.update(env.id, {});
    const reloaded = new EnvironmentStore({
      nameScope: 'all',
      newId: () => 'env_unused',
      now: () => Date.parse('2025-01-01T00:00:00.000Z'),
    });
    reloaded.load(JSON.parse(store.toState()), 'test');
    expect(parse(reloaded.update(env.id, {})).updated_at).toBe('2026-01-01T00:00:00.006Z');
  });
});
