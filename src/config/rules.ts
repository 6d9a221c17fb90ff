// The rules a JSON Schema cannot say: cross-field checks, reserved keys, and warnings about unpinned packages.

import {
  type Diagnostic,
  type DiagnosticCode,
  isReservedKey,
  PACKAGE_MANAGERS,
  type PackageManager,
  RESERVED_PREFIX,
} from '../model.js';
import { isPinned, pinHint } from './packages.js';
import type { ParsedDocument, PathSegment } from './parse.js';
import { dottedPath } from './schema-check.js';
import { quote } from './text.js';

/**
 * What the rules read of a document: a schema-valid EnvironmentFile fits, and so does what `readableParts`
 * keeps of one the schema refused (fields of the wrong type left out, list items that are not strings null).
 */
export interface RulesInput {
  metadata?: Record<string, unknown>;
  scope?: unknown;
  config?: {
    type?: 'cloud' | 'self_hosted';
    packages?: Partial<Record<PackageManager, ReadonlyArray<string | null>>> | undefined;
    networking?: { type?: string | undefined; allow_package_managers?: boolean | undefined };
  };
  lifecycle?: { keep_superseded?: boolean | undefined; on_config_change?: string | undefined };
}

/** Cross-field errors and warnings for one document (schema-valid, or as much of it as reads). */
export function checkRules(file: string, doc: ParsedDocument, env: RulesInput): Diagnostic[] {
  const out: Diagnostic[] = [];
  const add = (
    severity: Diagnostic['severity'],
    path: PathSegment[],
    at: 'key' | 'value',
    message: string,
    hint?: string,
    code?: DiagnosticCode,
  ) => {
    const { line, column, file: where = file, path: written = path } = doc.locate(path, at);
    out.push({
      severity,
      file: where,
      line,
      column,
      path: dottedPath(written),
      message,
      ...(hint ? { hint } : {}),
      ...(code ? { code } : {}),
    });
  };

  for (const key of Object.keys(env.metadata ?? {})) {
    if (isReservedKey(key)) {
      add(
        'error',
        ['metadata', key],
        'key',
        `metadata key ${quote(key)} is reserved: keys starting with "${RESERVED_PREFIX}" belong to envsync`,
        'rename the key',
      );
    }
  }

  const config = env.config;
  // A config whose type the schema refused says nothing about where scope applies.
  const cloud = !config || config.type === 'cloud';
  if (env.scope !== undefined && cloud) {
    add(
      'warning',
      ['scope'],
      'key',
      'scope only applies to self-hosted environments',
      'remove it, or set config.type: self_hosted',
    );
  }

  const packages = config?.packages ?? {};
  const hasPackages = PACKAGE_MANAGERS.some((m) => (packages[m]?.length ?? 0) > 0);
  const networking = config?.networking;
  if (hasPackages && networking?.type === 'limited' && networking.allow_package_managers !== true) {
    const hasFlag = networking.allow_package_managers !== undefined;
    add(
      'error',
      hasFlag ? ['config', 'networking', 'allow_package_managers'] : ['config', 'networking'],
      'value',
      'packages under limited networking need allow_package_managers: true',
      'set config.networking.allow_package_managers: true, or remove the packages',
    );
  }

  for (const manager of PACKAGE_MANAGERS) {
    const seen = new Set<string>();
    (packages[manager] ?? []).forEach((spec, i) => {
      if (spec === null) return; // not a string: the schema's error says so
      if (seen.has(spec))
        add('warning', ['config', 'packages', manager, i], 'value', `${quote(spec)} is listed twice`);
      seen.add(spec);
      if (!isPinned(manager, spec)) {
        add(
          'warning',
          ['config', 'packages', manager, i],
          'value',
          `${quote(spec)} is not pinned to a version: the same file could build a different container tomorrow`,
          pinHint(manager, spec),
          // envsync.lock pins it for plan and apply: they drop this warning for a locked spec.
          'unpinned_package',
        );
      }
    });
  }

  const lifecycle = env.lifecycle;
  if (lifecycle?.keep_superseded && lifecycle.on_config_change !== 'recreate') {
    add(
      'warning',
      ['lifecycle', 'keep_superseded'],
      'key',
      'keep_superseded only applies with on_config_change: recreate',
      'set lifecycle.on_config_change: recreate, or remove it',
    );
  }
  return out;
}
