// Turns validated config input into the stored config: the API's defaults on create, field-by-field merge on update.

import {
  type ApiConfig,
  type LooseConfig,
  type Networking,
  PACKAGE_MANAGERS,
  type Packages,
} from '../model.js';
import { invalidRequest } from './errors.js';

type StoredPackages = Packages & { type: 'packages' };
type CloudConfig = Extract<ApiConfig, { type: 'cloud' }>;

function emptyPackages(): StoredPackages {
  return { apt: [], cargo: [], gem: [], go: [], npm: [], pip: [], type: 'packages' };
}

/** Lists keep the order they were sent in: the API does not sort them, so neither does the emulator. */
function mergePackages(base: StoredPackages, patch: LooseConfig['packages']): StoredPackages {
  if (patch === undefined) return base;
  if (patch === null) return emptyPackages();
  const out = { ...base, type: 'packages' as const };
  for (const manager of PACKAGE_MANAGERS) {
    const list = patch[manager];
    if (list !== undefined) out[manager] = list === null ? [] : [...list];
  }
  return out;
}

function mergeNetworking(base: Networking, patch: LooseConfig['networking']): Networking {
  if (patch === undefined) return base;
  if (patch === null || patch.type === 'unrestricted') return { type: 'unrestricted' };
  const from =
    base.type === 'limited'
      ? base
      : { allowed_hosts: [] as string[], allow_mcp_servers: false, allow_package_managers: false };
  return {
    type: 'limited',
    allowed_hosts: patch.allowed_hosts === undefined ? from.allowed_hosts : [...(patch.allowed_hosts ?? [])],
    allow_mcp_servers:
      patch.allow_mcp_servers === undefined ? from.allow_mcp_servers : (patch.allow_mcp_servers ?? false),
    allow_package_managers:
      patch.allow_package_managers === undefined
        ? from.allow_package_managers
        : (patch.allow_package_managers ?? false),
  };
}

function cloud(base: CloudConfig, patch: LooseConfig): CloudConfig {
  return {
    type: 'cloud',
    packages: mergePackages(base.packages as StoredPackages, patch.packages),
    networking: mergeNetworking(base.networking, patch.networking),
  };
}

const DEFAULT_CLOUD: CloudConfig = {
  type: 'cloud',
  packages: emptyPackages(),
  networking: { type: 'unrestricted' },
};

/** The config a create stores: absent → cloud, every package list present, networking filled in. */
export function createConfig(input: LooseConfig | null): ApiConfig {
  if (input?.type === 'self_hosted') return { type: 'self_hosted' };
  const config = cloud(DEFAULT_CLOUD, input ?? {});
  checkPackageManagersAllowed(config);
  return config;
}

/** The config an update stores: omitted parts kept, the type unchangeable. */
export function updateConfig(current: ApiConfig, patch: LooseConfig): ApiConfig {
  const type = patch.type ?? current.type;
  if (type !== current.type) {
    throw invalidRequest(
      `config.type: cannot change from "${current.type}" to "${type}" (create a new environment instead)`,
      'invalid_config_type_change',
    );
  }
  if (current.type === 'self_hosted') return current;
  const config = cloud(current, patch);
  checkPackageManagersAllowed(config);
  return config;
}

/** Checked on the merged result, so an update cannot sneak packages past a limited network in two steps. */
function checkPackageManagersAllowed(config: CloudConfig): void {
  const { networking, packages } = config;
  if (networking.type !== 'limited' || networking.allow_package_managers) return;
  const listed = PACKAGE_MANAGERS.filter((m) => packages[m].length > 0);
  if (listed.length > 0) {
    throw invalidRequest(
      `config.networking.allow_package_managers: must be true when packages are listed under limited networking (${listed.join(', ')})`,
    );
  }
}
