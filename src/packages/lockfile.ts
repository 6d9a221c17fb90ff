// envsync.lock on disk: parsed into typed entries at the edge (a bad file is located errors), written canonical.

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { type ParsedDocument, type PathSegment, parseYamlFile } from '../config/parse.js';
import { EnvsyncError, ValidationError, wrapFsError } from '../errors.js';
import { writeFileAtomic } from '../fs/atomic.js';
import {
  type Diagnostic,
  type LockEntry,
  type LockedPackages,
  type LockFile,
  PACKAGE_MANAGERS,
  type PackageManager,
} from '../model.js';
import { compareCodeUnits } from '../util/order.js';

export const LOCK_FILE = 'envsync.lock';
/** A lock of 100,000 specs is about 20 MB; past this it is not one envsync wrote. */
const MAX_LOCK_BYTES = 64 * 1024 * 1024;

export function lockPath(root: string): string {
  return path.join(root, LOCK_FILE);
}

export function emptyLock(): LockFile {
  return { version: 1, packages: {}, workspaces: {} };
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** Reports a problem at a key (an unknown one) or at a value (a wrong one). */
type Problem = (path: PathSegment[], message: string, at?: 'key' | 'value') => void;

const ENTRY_KEYS = new Set(['version', 'digest', 'published', 'registry', 'deprecated']);

/** Reads one package section (`packages` of the file or of a workspace), each problem located. */
function packagesOf(value: unknown, at: PathSegment[], problem: Problem): LockedPackages {
  const out: LockedPackages = {};
  if (!isObject(value)) {
    problem(at, 'must be a mapping of managers');
    return out;
  }
  for (const [manager, specs] of Object.entries(value)) {
    if (!PACKAGE_MANAGERS.includes(manager as PackageManager)) {
      problem(
        [...at, manager],
        `unknown package manager "${manager}" (known: ${PACKAGE_MANAGERS.join(', ')})`,
        'key',
      );
      continue;
    }
    if (!isObject(specs)) {
      problem([...at, manager], 'must be a mapping of specs');
      continue;
    }
    const entries: Record<string, LockEntry> = {};
    for (const [spec, raw] of Object.entries(specs)) {
      const entry = entryOf(raw, [...at, manager, spec], problem);
      if (entry) entries[spec] = entry;
    }
    out[manager as PackageManager] = entries;
  }
  return out;
}

function entryOf(raw: unknown, at: PathSegment[], problem: Problem): LockEntry | null {
  if (!isObject(raw)) {
    problem(at, 'must be a mapping');
    return null;
  }
  if ('unresolved' in raw) {
    if (typeof raw.unresolved !== 'string' || Object.keys(raw).length !== 1) {
      problem(at, 'an unresolved entry holds only "unresolved": "<reason>"', 'key');
      return null;
    }
    return { unresolved: raw.unresolved };
  }
  const unknown = Object.keys(raw).filter((k) => !ENTRY_KEYS.has(k));
  for (const key of unknown) problem([...at, key], `unknown key "${key}"`, 'key');
  const text = (key: string, nullable: boolean): string | null | undefined => {
    const v = raw[key];
    if (typeof v === 'string' && v !== '') return v;
    if (nullable && v === null) return null;
    problem([...at, key], `${key} must be ${nullable ? 'a string or null' : 'a non-empty string'}`);
    return undefined;
  };
  const version = text('version', false);
  const digest = text('digest', true);
  const published = text('published', true);
  const registry = text('registry', false);
  const deprecated = raw.deprecated === undefined ? undefined : text('deprecated', false);
  if (
    unknown.length > 0 ||
    typeof version !== 'string' ||
    digest === undefined ||
    published === undefined ||
    typeof registry !== 'string' ||
    deprecated === null
  )
    return null;
  return { version, digest, published, registry, ...(deprecated === undefined ? {} : { deprecated }) };
}

/** The lock file's text as a typed LockFile; every problem is a located error. */
export function parseLockFile(text: Uint8Array, shown: string): LockFile {
  const parsed = parseYamlFile(shown, text);
  const diagnostics: Diagnostic[] = [...parsed.diagnostics];
  const doc: ParsedDocument | undefined = parsed.documents[0];
  const problem: Problem = (p, message, at = 'value') => {
    const place = doc ? doc.locate(p, at) : { line: 1, column: 1 };
    diagnostics.push({ severity: 'error', file: shown, ...place, path: p.join('.'), message });
  };
  const value: unknown = doc?.value;
  if (diagnostics.length === 0 && (!doc || !isObject(value))) problem([], 'must be a JSON object');
  if (diagnostics.length > 0 || !isObject(value)) throw new ValidationError(diagnostics, 'envsync.lock');
  if (value.version !== 1) problem(['version'], `version must be 1, not ${JSON.stringify(value.version)}`);
  for (const key of Object.keys(value))
    if (!['version', 'packages', 'workspaces'].includes(key)) problem([key], `unknown key "${key}"`, 'key');
  const packages = packagesOf(value.packages ?? {}, ['packages'], problem);
  const workspaces: LockFile['workspaces'] = {};
  const rawWorkspaces = value.workspaces ?? {};
  if (!isObject(rawWorkspaces)) problem(['workspaces'], 'must be a mapping of workspaces');
  else {
    for (const [name, ws] of Object.entries(rawWorkspaces)) {
      if (!isObject(ws) || Object.keys(ws).some((k) => k !== 'packages')) {
        problem(['workspaces', name], 'a workspace holds only "packages"', 'key');
        continue;
      }
      workspaces[name] = {
        packages: packagesOf(ws.packages ?? {}, ['workspaces', name, 'packages'], problem),
      };
    }
  }
  if (diagnostics.length > 0) throw new ValidationError(diagnostics, 'envsync.lock');
  return { version: 1, packages, workspaces };
}

/** The project's lock, or null when it has none. */
export function readLockFile(file: string, cwd: string): LockFile | null {
  const shown = path.relative(cwd, file) || file;
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw wrapFsError(e, shown, 'read');
  }
  if (bytes.length > MAX_LOCK_BYTES) {
    throw new EnvsyncError('lock_file_invalid', `${shown} is ${bytes.length} bytes, over the 64 MiB limit`, {
      hint: 'envsync writes this file: run `envsync lock` to write it again',
    });
  }
  return parseLockFile(bytes, shown);
}

/** JSON with every mapping's keys in code-unit order, two-space indented: the same lock, the same bytes. */
export function canonicalLockText(lock: LockFile): string {
  const sorted = (v: unknown): unknown => {
    if (!isObject(v)) return v;
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(v).sort(compareCodeUnits)) out[key] = sorted(v[key]);
    return out;
  };
  const pruned = (packages: LockedPackages): LockedPackages => {
    const out: LockedPackages = {};
    for (const m of PACKAGE_MANAGERS) {
      const specs = packages[m];
      if (specs && Object.keys(specs).length > 0) out[m] = specs;
    }
    return out;
  };
  const workspaces: Record<string, { packages: LockedPackages }> = {};
  for (const [name, ws] of Object.entries(lock.workspaces)) {
    const packages = pruned(ws.packages);
    if (Object.keys(packages).length > 0) workspaces[name] = { packages };
  }
  const doc = {
    version: 1,
    packages: pruned(lock.packages),
    ...(Object.keys(workspaces).length > 0 ? { workspaces } : {}),
  };
  return `${JSON.stringify(sorted(doc), null, 2)}\n`;
}

export async function writeLockFile(file: string, lock: LockFile, cwd: string): Promise<void> {
  try {
    await writeFileAtomic(file, canonicalLockText(lock));
  } catch (e) {
    throw wrapFsError(e, path.relative(cwd, file) || file, 'write');
  }
}
