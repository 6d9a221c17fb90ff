// Go module versions: `v` + semantic version, pseudo-versions and `+incompatible`, ordered as `go` orders them.

import semver from 'semver';

const GO_VERSION = /^v\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?(?:\+incompatible)?$/;

export function isGoVersion(v: string): boolean {
  return GO_VERSION.test(v) && semver.valid(v.slice(1)) !== null;
}

/** Ascending, as semantic versions (build metadata such as `+incompatible` does not order). */
export function compareGo(a: string, b: string): number {
  return semver.compare(a.slice(1), b.slice(1)) || (a < b ? -1 : a > b ? 1 : 0);
}

/** A release: no pre-release part (pseudo-versions are pre-releases). */
export function isGoRelease(v: string): boolean {
  return isGoVersion(v) && semver.prerelease(v.slice(1)) === null;
}

/** `v1` or `v1.2`: a version prefix query, matching releases in that line. */
export function matchesGoPrefix(version: string, prefix: string): boolean {
  return /^v\d+(\.\d+)?$/.test(prefix) && (version === prefix || version.startsWith(`${prefix}.`));
}
