// What the cross-field rules can still read of a document the schema refused: each part that has its type.

import { PACKAGE_MANAGERS, type PackageManager } from '../model.js';
import type { RulesInput } from './rules.js';

type Mapping = Record<string, unknown>;

function mapping(value: unknown): Mapping | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Mapping)
    : undefined;
}

const text = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);
const flag = (value: unknown): boolean | undefined => (typeof value === 'boolean' ? value : undefined);

/** A list keeps its positions (diagnostics point at them): an item that is not a string becomes null. */
function strings(value: unknown): Array<string | null> | undefined {
  return Array.isArray(value) ? value.map((v) => (typeof v === 'string' ? v : null)) : undefined;
}

function packagesOf(value: unknown): NonNullable<RulesInput['config']>['packages'] {
  const m = mapping(value);
  if (!m) return undefined;
  const out: Partial<Record<PackageManager, Array<string | null>>> = {};
  for (const manager of PACKAGE_MANAGERS) {
    const list = strings(m[manager]);
    if (list) out[manager] = list;
  }
  return out;
}

/**
 * The parts of a document the rules read, each only when it has the type the rules expect; the rest is left
 * out, so a schema error in one field never hides a rule's finding in another ("every problem at once").
 */
export function readableParts(value: unknown): RulesInput {
  const doc = mapping(value) ?? {};
  const metadata = mapping(doc.metadata);
  const config = mapping(doc.config);
  const networking = mapping(config?.networking);
  const lifecycle = mapping(doc.lifecycle);
  const type = text(config?.type);
  const onChange = text(lifecycle?.on_config_change);
  return {
    ...(metadata ? { metadata } : {}),
    ...(doc.scope !== undefined ? { scope: doc.scope } : {}),
    ...(config
      ? {
          config: {
            ...(type === 'cloud' || type === 'self_hosted' ? { type } : {}),
            packages: packagesOf(config.packages),
            ...(networking
              ? {
                  networking: {
                    type: text(networking.type),
                    allow_package_managers: flag(networking.allow_package_managers),
                  },
                }
              : {}),
          },
        }
      : {}),
    ...(lifecycle
      ? {
          lifecycle: {
            keep_superseded: flag(lifecycle.keep_superseded),
            on_config_change: onChange,
          },
        }
      : {}),
  };
}
