// The normal form of a config (DESIGN §4) and its hash: the identity of what a container holds.

import { createHash } from 'node:crypto';
import {
  type ConfigHash,
  type LooseConfig,
  type Networking,
  type NormalConfig,
  PACKAGE_MANAGERS,
  type Packages,
} from '../model.js';
import { canonicalJson } from './canonical-json.js';
import { normalizeHost } from './host.js';

/** A set of strings as a sorted, de-duplicated list. */
export function sortedSet(items: readonly string[] | null | undefined): string[] {
  return [...new Set(items ?? [])].sort();
}

function normalizePackages(packages: LooseConfig['packages']): Packages {
  const out = {} as Packages;
  for (const manager of PACKAGE_MANAGERS) out[manager] = sortedSet(packages?.[manager]);
  return out;
}

function normalizeNetworking(networking: LooseConfig['networking']): Networking {
  if (networking?.type !== 'limited') return { type: 'unrestricted' };
  return {
    type: 'limited',
    allowed_hosts: sortedSet(networking.allowed_hosts?.map(normalizeHost)),
    allow_mcp_servers: networking.allow_mcp_servers ?? false,
    allow_package_managers: networking.allow_package_managers ?? false,
  };
}

/**
 * Puts a config, as a file or the API spells it, in normal form: absent → cloud, unrestricted, no
 * packages; all six package lists present; hosts in normal form; sets sorted and de-duplicated;
 * `packages.type` dropped.
 */
export function normalizeConfig(config: LooseConfig | null | undefined): NormalConfig {
  if (config?.type === 'self_hosted') return { type: 'self_hosted' };
  return {
    type: 'cloud',
    packages: normalizePackages(config?.packages),
    networking: normalizeNetworking(config?.networking),
  };
}

export function sha256Hex(text: string | Uint8Array): string {
  return createHash('sha256').update(text).digest('hex');
}

/** `sha256:` + hex SHA-256 of the RFC 8785 canonical JSON of the normalized config. */
export function configHash(config: LooseConfig | null | undefined): ConfigHash {
  return `sha256:${sha256Hex(canonicalJson(normalizeConfig(config)))}`;
}

/** The first 8 hex digits of a hash, for names and short displays. */
export function shortHash(hash: ConfigHash): string {
  return hash.replace(/^sha256:/, '').slice(0, 8);
}
