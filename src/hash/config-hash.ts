// The normal form of a config (DESIGN §4) and its hash: the identity of what a container holds.

import * as crypto from 'node:crypto';
import {
  type ConfigHash,
  type LooseConfig,
  type Networking,
  type NormalConfig,
  PACKAGE_MANAGERS,
  type Packages,
} from '../model.js';
import { normalizeHost } from './host.js';

/** A set of strings as a sorted, de-duplicated list (a list that already is one, the usual case, is copied). */
export function sortedSet(items: readonly string[] | null | undefined): string[] {
  if (!items || items.length === 0) return [];
  return strictlyAscending(items) ? items.slice() : [...new Set(items)].sort();
}

/** Texts sorted by UTF-16 code units (as `sort()` sorts them) with no repeats; anything else takes the sort. */
function strictlyAscending(items: readonly string[]): boolean {
  if (typeof items[0] !== 'string') return false;
  for (let i = 1; i < items.length; i++) {
    const item = items[i];
    if (typeof item !== 'string' || !((items[i - 1] as string) < item)) return false;
  }
  return true;
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

/** Node's one-shot hash (20.12 and later) costs a third of a `createHash` object per call; older Nodes use that. */
const oneShot = (
  crypto as { hash?: (algorithm: string, data: string | Uint8Array, encoding: 'hex') => string }
).hash;

export function sha256Hex(text: string | Uint8Array): string {
  return oneShot ? oneShot('sha256', text, 'hex') : crypto.createHash('sha256').update(text).digest('hex');
}

/**
 * The RFC 8785 text of a config in normal form, written from its known shape: members in code-unit order,
 * strings and lists of strings as `JSON.stringify` writes them. It is `canonicalJson` of the same value (the
 * tests hold the two equal) without walking it: a plan hashes every live config.
 */
export function normalJson(config: NormalConfig): string {
  if (config.type === 'self_hosted') return '{"type":"self_hosted"}';
  const n = config.networking;
  const networking =
    n.type === 'limited'
      ? `{"allow_mcp_servers":${JSON.stringify(n.allow_mcp_servers)},"allow_package_managers":${JSON.stringify(n.allow_package_managers)},"allowed_hosts":${JSON.stringify(n.allowed_hosts)},"type":"limited"}`
      : '{"type":"unrestricted"}';
  let packages = '';
  for (const manager of PACKAGE_MANAGERS)
    packages += `${packages === '' ? '' : ','}"${manager}":${JSON.stringify(config.packages[manager])}`;
  return `{"networking":${networking},"packages":{${packages}},"type":"cloud"}`;
}

/** `sha256:` + hex SHA-256 of the RFC 8785 canonical JSON of the normalized config. */
export function configHash(config: LooseConfig | null | undefined): ConfigHash {
  return `sha256:${sha256Hex(normalJson(normalizeConfig(config)))}`;
}

/** The first 8 hex digits of a hash, for names and short displays. */
export function shortHash(hash: ConfigHash): string {
  return hash.replace(/^sha256:/, '').slice(0, 8);
}
