// `ant apply`'s claude-lock.json read at the edge: typed, with every problem at its line and column, unknown
// fields kept in the text (a hand-over rewrites only the entries it removes).

import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { EnvsyncError, wrapFsError } from '../errors.js';
import type { AntOrigin, AntTrackedEnvironment, SourceLocation } from '../model.js';
import { type JsonMember, type JsonNode, JsonTextError, parseJsonText, positionAt } from './json-text.js';

export const ANT_LOCK_NAME = 'claude-lock.json';

/** Far above any real lock (a few hundred bytes per resource). */
const MAX_LOCK_BYTES = 16 * 1024 * 1024;

/** One entry of `resources`, as far as envsync needs it; the rest of it stays in the text as written. */
export interface AntLockResource {
  /** The key as ant wrote it (`./environments/x.yaml`), relative to the lock's folder. */
  key: string;
  kind: string;
  id: string;
  /** The file the key names (absolute). */
  abs: string;
  /** Where the entry's key is written. */
  location: SourceLocation;
  /** Its place among the members of `resources`. */
  index: number;
}

export interface AntLock {
  /** The lock as shown in messages (relative to the folder it was read from). */
  shown: string;
  abs: string;
  text: string;
  version: 1;
  origin: AntOrigin;
  resources: AntLockResource[];
  /** The `resources` object as read, for a hand-over to rewrite. */
  resourcesNode: JsonNode & { type: 'object' };
}

type Fail = (offset: number, message: string, hint?: string) => never;

function member(node: JsonNode & { type: 'object' }, key: string): JsonMember | undefined {
  return node.members.find((m) => m.key === key);
}

function requireObject(
  fail: Fail,
  parent: JsonNode & { type: 'object' },
  key: string,
  where: string,
): JsonNode & { type: 'object' } {
  const m = member(parent, key);
  if (m === undefined) return fail(parent.start, `${where} has no "${key}"`);
  if (m.value.type !== 'object')
    return fail(m.value.start, `"${key}" must be an object, not ${m.value.type}`);
  return m.value;
}

function requireString(
  fail: Fail,
  parent: JsonNode & { type: 'object' },
  key: string,
  where: string,
): string {
  const m = member(parent, key);
  if (m === undefined) return fail(parent.start, `${where} has no "${key}"`);
  if (m.value.type !== 'string') return fail(m.value.start, `"${key}" must be a string, not ${m.value.type}`);
  if (m.value.value.trim() === '') return fail(m.value.start, `"${key}" is empty`);
  return m.value.value;
}

/** Parses the text of a claude-lock.json; `shown` names it in errors, `abs` resolves its keys. */
export function parseAntLock(text: string, shown: string, abs: string): AntLock {
  const fail: Fail = (offset, message, hint) => {
    throw new EnvsyncError('invalid_ant_lock', `${shown}: ${message}`, {
      location: { file: shown, ...positionAt(text, offset) },
      hint:
        hint ??
        'claude-lock.json is written by `ant apply`; restore it from git (`git checkout -- claude-lock.json`) rather than edit it by hand',
    });
  };
  let root: JsonNode;
  try {
    root = parseJsonText(text);
  } catch (e) {
    if (e instanceof JsonTextError) return fail(e.offset, `not valid JSON: ${e.message}`);
    throw e;
  }
  if (root.type !== 'object') return fail(root.start, `must be a JSON object, not ${root.type}`);
  const version = member(root, 'version');
  if (version === undefined) return fail(root.start, 'has no "version"');
  if (version.value.type !== 'number' || version.value.value !== 1)
    return fail(
      version.value.start,
      `version ${text.slice(version.value.start, version.value.end)} is not one envsync reads (it reads version 1)`,
      'upgrade envsync, or check the file was written by `ant apply`',
    );
  const originNode = requireObject(fail, root, 'origin', 'the lock');
  const origin: AntOrigin = {
    base_url: requireString(fail, originNode, 'base_url', '"origin"'),
    organization_id: requireString(fail, originNode, 'organization_id', '"origin"'),
    workspace_id: requireString(fail, originNode, 'workspace_id', '"origin"'),
  };
  const resourcesNode = requireObject(fail, root, 'resources', 'the lock');
  const dir = path.dirname(abs);
  const resources = resourcesNode.members.map((m, index): AntLockResource => {
    if (m.value.type !== 'object')
      return fail(
        m.value.start,
        `the entry for ${JSON.stringify(m.key)} must be an object, not ${m.value.type}`,
      );
    if (m.key.trim() === '' || path.isAbsolute(m.key))
      return fail(m.keyStart, `${JSON.stringify(m.key)} is not a path relative to the lock's folder`);
    const where = `the entry for ${JSON.stringify(m.key)}`;
    return {
      key: m.key,
      kind: requireString(fail, m.value, 'kind', where),
      id: requireString(fail, m.value, 'id', where),
      abs: path.resolve(dir, m.key),
      location: { file: shown, ...positionAt(text, m.keyStart) },
      index,
    };
  });
  return { shown, abs, text, version: 1, origin, resources, resourcesNode };
}

/** Reads and parses a lock file; a missing or unreadable file is named with its path. */
export function readAntLock(abs: string, shown: string): AntLock {
  let bytes: Buffer;
  try {
    if (statSync(abs).size > MAX_LOCK_BYTES)
      throw new EnvsyncError(
        'invalid_ant_lock',
        `${shown} is larger than ${MAX_LOCK_BYTES / 1024 / 1024} MiB`,
        {
          hint: 'check that it is the claude-lock.json `ant apply` writes',
        },
      );
    bytes = readFileSync(abs);
  } catch (e) {
    throw wrapFsError(e, shown, 'read');
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new EnvsyncError('invalid_ant_lock', `${shown} is not valid UTF-8`, {
      location: { file: shown, line: 1, column: 1 },
      hint: 'claude-lock.json is JSON text; restore it from git',
    });
  }
  return parseAntLock(text, shown, abs);
}

function exists(file: string): boolean {
  try {
    statSync(file);
    return true;
  } catch {
    return false;
  }
}

/**
 * Where a lock search stops: the repository root (the nearest folder above `from` with a `.git`), or the
 * project root when the project is not in a git checkout, so nothing outside the work is ever read.
 */
export function searchBoundary(projectRoot: string): string {
  for (let dir = path.resolve(projectRoot); ; dir = path.dirname(dir)) {
    if (exists(path.join(dir, '.git'))) return dir;
    if (path.dirname(dir) === dir) return path.resolve(projectRoot);
  }
}

/** The folders from `from` up to `boundary` (both included); none when `from` is not inside it. */
function foldersUp(from: string, boundary: string): string[] {
  const out: string[] = [];
  const stop = path.resolve(boundary);
  for (let dir = path.resolve(from); ; dir = path.dirname(dir)) {
    const rel = path.relative(stop, dir);
    if (rel.startsWith('..') || path.isAbsolute(rel)) return [];
    out.push(dir);
    if (dir === stop) return out;
  }
}

/** The claude-lock.json `ant apply` would use from `from`: the nearest one up to the boundary, or null. */
export function findAntLock(from: string, boundary: string): string | null {
  for (const dir of foldersUp(from, boundary)) {
    const candidate = path.join(dir, ANT_LOCK_NAME);
    if (exists(candidate)) return candidate;
  }
  return null;
}

/**
 * Every environment a claude-lock.json still tracks, for the files of this project: each lock between a
 * file's folder and the repository root is read once. A lock that does not read is an error: envsync
 * cannot tell what it tracks, so it plans nothing rather than fight `ant apply`.
 */
export function antTrackedEnvironments(
  projectRoot: string,
  files: readonly string[],
): AntTrackedEnvironment[] {
  const boundary = searchBoundary(projectRoot);
  const locks = new Set<string>();
  const visited = new Set<string>();
  // Each folder once (a project's files share a few): resolving 50,000 paths one by one cost 0.2 s.
  const folders = new Set(files.map((file) => path.dirname(file)));
  for (const folder of folders) {
    for (const dir of foldersUp(path.resolve(projectRoot, folder), boundary)) {
      if (visited.has(dir)) break;
      visited.add(dir);
      const candidate = path.join(dir, ANT_LOCK_NAME);
      if (exists(candidate)) locks.add(candidate);
    }
  }
  const tracked: AntTrackedEnvironment[] = [];
  for (const abs of [...locks].sort()) {
    const shown = path.relative(projectRoot, abs) || ANT_LOCK_NAME;
    const lock = readAntLock(abs, shown);
    for (const r of lock.resources) {
      if (r.kind !== 'environment') continue;
      tracked.push({ lock: shown, key: r.key, file: path.relative(projectRoot, r.abs), env_id: r.id });
    }
  }
  return tracked;
}
