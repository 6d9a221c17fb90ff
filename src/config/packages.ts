// Package specs per manager: why one is refused, whether it is pinned, and how to pin it.
// The grammar itself is the schema's pattern for each manager; this file explains a refusal and judges pins.

import { PIP_NAME } from '../domain/package-spec.js';
import type { PackageManager } from '../model.js';
import { describeChar, findChar, firstInvisible, quote } from './text.js';

interface Syntax {
  /** Every character the manager's grammar uses; anything else is named in the refusal. */
  allowed: RegExp;
  /** What the accepted forms look like, for the hint. */
  forms: string;
  /** A spec pinned to one version (checked only on specs the grammar accepted). */
  pinned: (spec: string) => boolean;
}

const SYNTAX: Record<PackageManager, Syntax> = {
  apt: {
    allowed: /[A-Za-z0-9+.~:=/-]/,
    forms: 'name, name=version, name:arch, name:arch=version or name/release (names in lower case)',
    pinned: (spec) => spec.includes('='),
  },
  cargo: {
    allowed: /[A-Za-z0-9_+.@=^~-]/,
    forms: 'name, name@1.2.3, name@=1.2.3 or name@^1.2',
    pinned: (spec) => /@=?\d+\.\d+\.\d+(?:[-+][0-9A-Za-z.+-]*)?$/.test(spec),
  },
  gem: {
    allowed: /[A-Za-z0-9_.:-]/,
    forms: 'name or name:version',
    pinned: (spec) => spec.includes(':'),
  },
  go: {
    allowed: /[A-Za-z0-9._~+/@-]/,
    forms: 'module/path, module/path@v1.2.3 or module/path@latest',
    pinned: (spec) => /@(?:v\d+\.\d+\.\d+(?:[-+][0-9A-Za-z.+-]*)?|[0-9a-f]{12,40})$/.test(spec),
  },
  npm: {
    allowed: /[A-Za-z0-9._~@/^<>=*+-]/,
    forms: 'name, @scope/name, name@1.2.3, name@^1.2.0 or name@tag',
    pinned: (spec) => /.@=?v?\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$/.test(spec),
  },
  pip: {
    allowed: /[A-Za-z0-9._\-[\],=<>!~*+]/,
    forms: 'name, name[extra], name==1.2.3 or name>=1.0,<2',
    pinned: (spec) =>
      spec
        .replace(PIP_NAME, '')
        .split(',')
        .some((clause) => /^===.+$/.test(clause) || /^==[^*]+$/.test(clause)),
  },
};

export interface Problem {
  message: string;
  hint: string;
}

/** Why a spec fails its manager's grammar, in the words a reviewer needs. Called after the schema refused it. */
export function packageProblem(manager: PackageManager, spec: string): Problem {
  const syntax = SYNTAX[manager];
  const shown = quote(spec);
  if (spec.startsWith('-')) {
    return {
      message: `${shown} is a command-line option, not a package`,
      hint: 'list packages only; registries and installer options are not part of an environment',
    };
  }
  const hidden = firstInvisible(spec) ?? findChar(spec, (ch) => /\s/u.test(ch));
  if (hidden) {
    return {
      message: `${shown} contains ${describeChar(hidden.ch)} at position ${hidden.position}`,
      hint: 'list one package per entry, with no spaces or invisible characters',
    };
  }
  if (manager === 'pip') {
    const marker = findChar(spec, (ch) => ch === ';');
    if (marker) {
      return {
        message: `${shown} has an environment marker (";" at position ${marker.position}): envsync installs every listed package`,
        hint: 'remove the marker; list the package in the environments that need it',
      };
    }
  }
  const bad = findChar(spec, (ch) => !syntax.allowed.test(ch));
  if (bad) {
    return {
      message: `${shown} contains ${describeChar(bad.ch)} at position ${bad.position}, which is not part of ${manager}'s package syntax`,
      hint: `write it as ${syntax.forms}`,
    };
  }
  return {
    message: `${shown} is not a valid ${manager} package reference`,
    hint: `write it as ${syntax.forms}`,
  };
}

export function isPinned(manager: PackageManager, spec: string): boolean {
  return SYNTAX[manager].pinned(spec);
}

/** The path `go list -m` needs: the module, which for the common hosts is the first three elements (+ /vN). */
function goModule(path: string): string {
  const parts = path.split('/');
  const hosted = /^(github\.com|gitlab\.com|bitbucket\.org|golang\.org)$/.test(parts[0] ?? '');
  if (!hosted) return path;
  const major = /^v\d+$/.test(parts[3] ?? '') ? 4 : 3;
  return parts.slice(0, major).join('/');
}

/** How to pin this package, in its manager's syntax, and where its current version can be looked up. */
export function pinHint(manager: PackageManager, spec: string): string {
  switch (manager) {
    case 'apt': {
      const ref = spec.replace(/[=/].*$/, '');
      return `pin it as ${ref}=<version>; \`apt-cache policy ${ref.replace(/:.*$/, '')}\` lists the versions`;
    }
    case 'cargo': {
      const name = spec.replace(/@.*$/, '');
      return `pin it as ${name}@<version>; \`cargo search ${name} --limit 1\` shows the latest`;
    }
    case 'gem': {
      const name = spec.replace(/:.*$/, '');
      return `pin it as ${name}:<version>; \`gem list --remote --exact ${name}\` shows the latest`;
    }
    case 'go': {
      const path = spec.replace(/@.*$/, '');
      return `pin it as ${path}@<version>; \`go list -m -versions ${goModule(path)}\` lists the versions`;
    }
    case 'npm': {
      const name = spec.replace(/(.)@.*$/, '$1');
      return `pin it as ${name}@<version>; \`npm view ${name} version\` shows the latest`;
    }
    case 'pip': {
      const ref = PIP_NAME.exec(spec)?.[0] ?? spec;
      const name = ref.replace(/\[.*$/, '');
      return `pin it as ${ref}==<version>; \`pip index versions ${name}\` lists the versions`;
    }
  }
}
