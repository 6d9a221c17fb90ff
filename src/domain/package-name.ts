// The package a spec names, per manager: what policies list, what `remove:` names, and what bases merge by.

import type { PackageManager } from '../model.js';

/** A pip requirement's name and extras (`requests[socks]`), before any version clause. */
export const PIP_NAME = /^[A-Za-z0-9._-]+(\[[^\]]*\])?/;

/**
 * The package a spec names, without version, extras or architecture: `pandas==2.2.0` → `pandas`,
 * `@scope/pkg@1` → `@scope/pkg`, `rails:7.1.0` → `rails`, `serde@1` → `serde`,
 * `golang.org/x/tools/cmd/goimports@v0.1.0` → the package path. Pip names are compared as PEP 503 says
 * (case-insensitive, runs of `-_.` as one), so `Scikit_Learn` and `scikit-learn` are one package.
 */
export function packageName(manager: PackageManager, spec: string): string {
  switch (manager) {
    case 'apt':
      return spec.replace(/[=/:].*$/, '');
    case 'cargo':
    case 'go':
      return spec.replace(/@.*$/, '');
    case 'gem':
      return spec.replace(/:.*$/, '');
    case 'npm':
      return spec.replace(/(.)@.*$/, '$1');
    case 'pip':
      return (PIP_NAME.exec(spec)?.[0] ?? spec)
        .replace(/\[.*$/, '')
        .toLowerCase()
        .replace(/[-_.]+/g, '-');
  }
}
