// The rules a JSON Schema cannot say: cross-field checks, reserved keys, and warnings about unpinned packages.

import {
  type Diagnostic,
  type DiagnosticCode,
  type EnvironmentFile,
  isReservedKey,
  PACKAGE_MANAGERS,
  RESERVED_PREFIX,
} from '../model.js';
import { isPinned, pinHint } from './packages.js';
import type { ParsedDocument, PathSegment } from './parse.js';
import { dottedPath } from './schema-check.js';
import { quote } from './text.js';

/** Cross-field errors and warnings for one schema-valid document. */
export function checkRules(file: string, doc: ParsedDocument, env: EnvironmentFile): Diagnostic[] {
  const out: Diagnostic[] = [];
  const add = (
    severity: Diagnostic['severity'],
    path: PathSegment[],
    at: 'key' | 'value',
    message: string,
    hint?: string,
    code?: DiagnosticCode,
  ) => {
    const { line, column } = doc.locate(path, at);
    out.push({
      severity,
      file,
      line,
      column,
      path: dottedPath(path),
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
