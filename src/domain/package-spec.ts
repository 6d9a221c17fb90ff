// A package spec's parts in its manager's own syntax: the package, the version query, and the exact spelling of a version.

import type { PackageManager } from '../model.js';

/** A spec split into what names the package and what asks for a version, as the manager reads it. */
export interface SpecParts {
  /** The package as written (pip: without extras; apt: without architecture). */
  name: string;
  /** What stays with the name in an exact spelling: pip's `[extras]`, apt's `:arch`; '' when none. */
  qualifier: string;
  /**
   * The version asked for, in the manager's syntax without its separator: pip `>=2,<3`, npm `^1.2.0` or a
   * dist-tag, cargo `=1.2.3`, gem `7.1.0`, go `v1.2.3` or `latest`, apt `1.2-3` (`=`) or a release (`/`);
   * null when the spec names no version.
   */
  query: string | null;
  /** apt only: `/release` rather than `=version`. */
  release?: boolean;
}

const PIP = /^([A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)(\[[^\]]*\])?(.*)$/;

/** A pip requirement's name and extras (`requests[socks]`), before any version clause. */
export const PIP_NAME = /^[A-Za-z0-9._-]+(\[[^\]]*\])?/;
const APT = /^([^:=/]+)(:[^=/]+)?(?:(=)(.+)|(\/)(.+))?$/;

/** The parts of a spec the schema accepted; each manager's separator as its installer reads it. */
export function specParts(manager: PackageManager, spec: string): SpecParts {
  switch (manager) {
    case 'pip': {
      const m = PIP.exec(spec);
      const rest = m?.[3] ?? '';
      return { name: m?.[1] ?? spec, qualifier: m?.[2] ?? '', query: rest === '' ? null : rest };
    }
    case 'npm': {
      // `@scope/name@range`: the version separator is the last `@` that is not the scope's.
      const at = spec.indexOf('@', 1);
      return at < 0
        ? { name: spec, qualifier: '', query: null }
        : { name: spec.slice(0, at), qualifier: '', query: spec.slice(at + 1) };
    }
    case 'cargo':
    case 'go': {
      const at = spec.indexOf('@');
      return at < 0
        ? { name: spec, qualifier: '', query: null }
        : { name: spec.slice(0, at), qualifier: '', query: spec.slice(at + 1) };
    }
    case 'gem': {
      const colon = spec.indexOf(':');
      return colon < 0
        ? { name: spec, qualifier: '', query: null }
        : { name: spec.slice(0, colon), qualifier: '', query: spec.slice(colon + 1) };
    }
    case 'apt': {
      const m = APT.exec(spec);
      if (!m) return { name: spec, qualifier: '', query: null };
      const release = m[5] !== undefined;
      return {
        name: m[1] ?? spec,
        qualifier: m[2] ?? '',
        query: m[4] ?? m[6] ?? null,
        ...(release ? { release } : {}),
      };
    }
  }
}

/** The spec that asks for exactly `version`, in the manager's own spelling (DESIGN §1). */
export function exactSpec(manager: PackageManager, spec: string, version: string): string {
  const { name, qualifier } = specParts(manager, spec);
  switch (manager) {
    case 'pip':
      return `${name}${qualifier}==${version}`;
    case 'npm':
    case 'cargo':
    case 'go':
      return `${name}@${version}`;
    case 'gem':
      return `${name}:${version}`;
    case 'apt':
      return `${name}${qualifier}=${version}`;
  }
}

/** PEP 503: pip names compare case-insensitively, with runs of `-`, `_` and `.` as one. */
export function normalizePipName(name: string): string {
  return name.toLowerCase().replace(/[-_.]+/g, '-');
}

/** The package a spec names, without version, extras or architecture: what a policy lists (`requests`, `@scope/x`). */
export function packageName(manager: PackageManager, spec: string): string {
  const { name } = specParts(manager, spec);
  return manager === 'pip' ? normalizePipName(name) : name;
}

/**
 * Which package (with its extras or architecture) a spec installs, whatever version it asks for: two specs
 * with one identity in one list are the same package at two versions, which a diff shows as one change.
 */
export function packageIdentity(manager: PackageManager, spec: string): string {
  return `${packageName(manager, spec)}${specParts(manager, spec).qualifier}`;
}
