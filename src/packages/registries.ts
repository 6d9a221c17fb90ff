// Which registry each manager asks: envsync.yaml's `registries:`, else the public one (apt has none).

import type { PackageManager, RegistrySetting, RegistrySettings } from '../model.js';
import { aptIndex } from './registries/apt.js';
import { crates } from './registries/crates.js';
import { goProxy } from './registries/goproxy.js';
import { npm } from './registries/npm.js';
import { pypi } from './registries/pypi.js';
import type { RegistryProtocol } from './registries/record.js';
import { rubygems } from './registries/rubygems.js';

export const PUBLIC_REGISTRIES: Record<Exclude<PackageManager, 'apt'>, string> = {
  cargo: 'https://index.crates.io',
  gem: 'https://rubygems.org',
  go: 'https://proxy.golang.org',
  npm: 'https://registry.npmjs.org',
  pip: 'https://pypi.org',
};

export const PROTOCOLS: Record<PackageManager, RegistryProtocol> = {
  apt: aptIndex,
  cargo: crates,
  gem: rubygems,
  go: goProxy(PUBLIC_REGISTRIES.go),
  npm,
  pip: pypi,
};

/** The registry a manager's versions come from: the configured one, else the public default; apt: none. */
export function registryFor(manager: PackageManager, configured: RegistrySettings): RegistrySetting | null {
  const own = configured[manager];
  if (own) return own;
  if (manager === 'apt') return null;
  return { url: PUBLIC_REGISTRIES[manager], token_env: null, checksum_db: null, setAt: null };
}

/**
 * Whether a registry may be asked over the network in this run. A local run (`--local`, or an API on this
 * machine: a test, a demo) asks only the registries envsync.yaml names, never a public one: trying envsync
 * must not reach out.
 */
export function mayAsk(registry: RegistrySetting, local: boolean): boolean {
  return !local || registry.setAt !== null;
}
