// One registry lookup per distinct package and registry, however many specs and environments name it.

import pLimit from 'p-limit';
import type { PackageManager, RegistrySetting } from '../model.js';
import type { RegistryFetcher } from './fetcher.js';
import type { Need } from './needs.js';
import type { Lookup } from './registries/record.js';
import { mayAsk, PROTOCOLS } from './registries.js';

/** Packages looked up at once; each registry paces its own requests below this. */
const LOOKUPS_IN_FLIGHT = 64;

/** What was learnt of a need's package: the registry's answer, or that it was not asked (local run, apt). */
export type Learnt = Lookup | { kind: 'not_asked' };

function keyOf(registry: RegistrySetting, manager: PackageManager, lookup: string): string {
  return `${manager}\0${registry.url}\0${lookup}`;
}

export class Lookups {
  private readonly answers = new Map<string, Lookup>();

  constructor(
    readonly fetcher: RegistryFetcher,
    /** A local run asks only the registries envsync.yaml names. */
    private readonly local: boolean,
  ) {}

  /** The registry a need is asked of in this run, or null (apt without an index; a public one in a local run). */
  registryOf(need: Need): RegistrySetting | null {
    return this.asks(need.registry) ? need.registry : null;
  }

  /** Whether this run may ask the registry (none: apt without an index). */
  asks(registry: RegistrySetting | null): registry is RegistrySetting {
    return registry !== null && mayAsk(registry, this.local);
  }

  /** Looks up every distinct package the needs name (each once), with at most LOOKUPS_IN_FLIGHT at a time. */
  async load(needs: readonly Need[]): Promise<void> {
    const todo = new Map<string, { need: Need; registry: RegistrySetting }>();
    for (const need of needs) {
      const registry = this.registryOf(need);
      if (registry === null) continue;
      const key = keyOf(registry, need.manager, need.lookup);
      if (!this.answers.has(key) && !todo.has(key)) todo.set(key, { need, registry });
    }
    const limit = pLimit(LOOKUPS_IN_FLIGHT);
    await Promise.all(
      [...todo].map(([key, { need, registry }]) =>
        limit(async () => {
          this.answers.set(key, await PROTOCOLS[need.manager].lookup(this.fetcher, registry, need.lookup));
        }),
      ),
    );
  }

  of(need: Need): Learnt {
    const registry = this.registryOf(need);
    if (registry === null) return { kind: 'not_asked' };
    return this.answers.get(keyOf(registry, need.manager, need.lookup)) ?? { kind: 'not_asked' };
  }
}
