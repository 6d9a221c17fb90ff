// Set fields (package lists, allowed_hosts): which member is which, so bases merge and plans explain by it.

import { normalizeHost } from '../hash/host.js';
import { PACKAGE_MANAGERS, type PackageManager } from '../model.js';
import { packageName } from './package-spec.js';

export const HOSTS_FIELD = 'config.networking.allowed_hosts';

/**
 * How members of a set field are told apart, by the path plans use: packages by name (`config.packages.pip`),
 * hosts in normal form; undefined for a field that is not a set.
 */
export function memberKey(field: string): ((member: string) => string) | undefined {
  if (field === HOSTS_FIELD) return normalizeHost;
  const manager = /^config\.packages\.(\w+)$/.exec(field)?.[1];
  if (manager && (PACKAGE_MANAGERS as readonly string[]).includes(manager))
    return (spec) => packageName(manager as PackageManager, spec);
  return undefined;
}
