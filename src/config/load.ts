// Loads the desired state: discover the files, parse, validate, and normalize them into DesiredEnvironments.

import {
  closeSync,
  constants,
  type Dirent,
  fstatSync,
  openSync,
  readdirSync,
  readFileSync,
  realpathSync,
  type Stats,
  statSync,
} from 'node:fs';
import path from 'node:path';
import { EnvsyncError } from '../errors.js';
import { configHash, normalizeConfig, sha256Hex } from '../hash/config-hash.js';
import type {
  DesiredEnvironment,
  Diagnostic,
  EnvironmentFile,
  FileFingerprint,
  LoadResult,
  PackageSource,
  Policy,
} from '../model.js';
import { PACKAGE_MANAGERS } from '../model.js';
import { compareCodeUnits } from '../util/order.js';
import { capPerFile } from './limits.js';
import { duplicateNames, type NamedPlace } from './names.js';
import { MAX_FILE_BYTES, type ParsedDocument, parseYamlFile } from './parse.js';
import { checkEnvironmentCount, checkPolicies } from './policies.js';
import { checkPreviousNames, type PreviousNameClaim } from './previous-names.js';
import { checkRules } from './rules.js';
import { checkSchema } from './schema-check.js';

export interface LoadOptions {
  /** Paths in diagnostics and sources are written relative to this directory. */
  cwd: string;
  /** Warnings become errors. */
  strict: boolean;
  /** The project's (and workspace's) policies; each violation is an error at the line that breaks it. */
  policies?: readonly Policy[];
}

function isInside(child: string, parent: string): boolean {
  const rel = path.relative(parent, child);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

/** What a file system entry is, in words, when it is neither a regular file nor a directory. */
function specialKind(entry: Pick<Stats, 'isFIFO' | 'isSocket' | 'isBlockDevice' | 'isCharacterDevice'>) {
  if (entry.isFIFO()) return 'a named pipe (FIFO)';
  if (entry.isSocket()) return 'a socket';
  if (entry.isBlockDevice()) return 'a block device';
  if (entry.isCharacterDevice()) return 'a character device';
  return undefined;
}

export interface FoundFile {
  path: string;
  symlink: boolean;
  /** Set for a FIFO, socket or device: refused by name, never opened (opening a FIFO would wait forever). */
  special?: string;
}

/**
 * Every `*.yaml`/`*.yml` entry under dir, sorted; dot-folders and node_modules skipped. Symbolic links are
 * listed but not traversed, so the caller can refuse the ones that lead outside dir; FIFOs, sockets and
 * devices are listed with their kind, so the caller can refuse them by name.
 */
export function discoverFiles(dir: string, shown = dir): FoundFile[] {
  let stat: Stats;
  try {
    stat = statSync(dir);
  } catch {
    throw new EnvsyncError('no_such_dir', `directory not found: ${shown}`, {
      hint: 'pass the folder that holds your environment files, or run `envsync init` to make one',
    });
  }
  if (!stat.isDirectory()) {
    const kind = specialKind(stat) ?? (stat.isFile() ? 'a file' : 'something else');
    throw new EnvsyncError('not_a_dir', `${shown} is ${kind}, not a directory`, {
      hint: 'pass the folder that holds your environment files',
    });
  }
  return walk(dir, [])
    .flatMap((entry): FoundFile[] => {
      const special = specialKind(entry.dirent);
      if (special) return [{ path: entry.path, symlink: false, special }];
      if (!entry.dirent.isFile() && !entry.dirent.isSymbolicLink()) return [];
      return [{ path: entry.path, symlink: entry.dirent.isSymbolicLink() }];
    })
    .sort((a, b) => compareCodeUnits(a.path, b.path));
}

/**
 * Every `*.yaml`/`*.yml` entry below dir, skipping dot-files, dot-folders and node_modules, never entering
 * a linked folder. A plain walk rather than a glob library: it is all envsync needs, and it keeps ~130
 * modules out of every command's start-up.
 */
function walk(
  dir: string,
  out: Array<{ path: string; dirent: Dirent }>,
): Array<{ path: string; dirent: Dirent }> {
  for (const dirent of readdirSync(dir, { withFileTypes: true })) {
    if (dirent.name.startsWith('.')) continue;
    const full = path.join(dir, dirent.name);
    if (dirent.isDirectory()) {
      if (dirent.name !== 'node_modules') walk(full, out);
    } else if (/\.ya?ml$/.test(dirent.name)) out.push({ path: full, dirent });
  }
  return out;
}

/** Why a symbolic link is not read: it leads outside root or nowhere; 'skip' for a link to a directory. */
function symlinkProblem(link: string, root: string): string | undefined {
  let real: string;
  try {
    real = realpathSync(link);
  } catch {
    return 'symbolic link leads nowhere';
  }
  if (!isInside(real, root)) return 'symbolic link leads outside the directory';
  const target = statSync(real);
  const special = specialKind(target);
  if (special) return `symbolic link leads to ${special}, not a regular file`;
  return target.isFile() ? undefined : 'skip';
}

/**
 * The file's bytes, its size when it is over the cap (without reading it), or what it is when it turned
 * out not to be a regular file. Opened non-blocking: should a FIFO take the file's place after it was
 * listed, opening it must not wait for a writer.
 */
function readCapped(file: string): Uint8Array | number | string {
  const fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) return specialKind(stat) ?? 'not a regular file';
    return stat.size > MAX_FILE_BYTES ? stat.size : readFileSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Each package spec of a document with its place, in the file's order. */
function packageSources(env: EnvironmentFile, file: string, doc: ParsedDocument): PackageSource[] {
  const packages = env.config?.packages;
  if (!packages) return [];
  return PACKAGE_MANAGERS.flatMap((manager) =>
    (packages[manager] ?? []).map((spec, i) => ({
      manager,
      spec,
      at: { file, ...doc.locate(['config', 'packages', manager, i], 'value') },
    })),
  );
}

function toDesired(
  env: EnvironmentFile,
  file: string,
  line: number,
  column: number,
  package_sources: PackageSource[],
): DesiredEnvironment {
  const config = normalizeConfig(env.config);
  return {
    name: env.name,
    description: env.description ?? null,
    metadata: { ...(env.metadata ?? {}) },
    config,
    config_hash: configHash(config),
    scope: env.scope ?? null,
    lifecycle: {
      on_config_change: env.lifecycle?.on_config_change ?? 'update',
      keep_superseded: env.lifecycle?.keep_superseded ?? false,
      prevent_archive: env.lifecycle?.prevent_archive ?? false,
      repoint_deployments: env.lifecycle?.repoint_deployments ?? false,
      previous_names: [...(env.lifecycle?.previous_names ?? [])],
    },
    source: { file, line, column },
    package_sources,
  };
}

function at(file: string, line: number, column: number, message: string, hint?: string): Diagnostic {
  return { severity: 'error', file, line, column, path: '', message, ...(hint ? { hint } : {}) };
}

/** Reads and validates every environment file under dir. Never throws on bad input: it returns diagnostics. */
export function loadDesired(dirs: string | readonly string[], options: LoadOptions): LoadResult {
  const list = typeof dirs === 'string' ? [dirs] : dirs;
  const shown = list.map((dir) => path.relative(options.cwd, dir) || '.').join(', ');
  // Several dirs (a workspace's shared and own folders) are one desired state: names are unique across them.
  const seen = new Set<string>();
  const found = list.flatMap((dir) => {
    const files = discoverFiles(dir, path.relative(options.cwd, dir) || '.');
    const root = realpathSync(dir);
    return files.filter((f) => !seen.has(f.path) && seen.add(f.path)).map((f) => ({ ...f, root }));
  });
  const diagnostics: Diagnostic[] = [];
  const environments: DesiredEnvironment[] = [];
  const files: FileFingerprint[] = [];
  const names: NamedPlace[] = [];
  const claims: PreviousNameClaim[] = [];
  if (found.length === 0) {
    throw new EnvsyncError('no_files', `no .yaml or .yml files under ${shown}`, {
      hint: 'an empty directory would plan to archive every managed environment; run `envsync init` to start one',
    });
  }

  for (const { path: abs, symlink, special, root } of found) {
    const file = path.relative(options.cwd, abs) || abs;
    if (special) {
      diagnostics.push(at(file, 1, 1, `not a regular file: ${special}`, 'envsync reads only regular files'));
      continue;
    }
    const problem = symlink ? symlinkProblem(abs, root) : undefined;
    if (problem) {
      if (problem !== 'skip')
        diagnostics.push(at(file, 1, 1, problem, 'envsync reads only files inside DIR'));
      continue;
    }
    const bytes = readCapped(abs);
    if (typeof bytes === 'string') {
      diagnostics.push(at(file, 1, 1, `not a regular file: ${bytes}`, 'envsync reads only regular files'));
      continue;
    }
    if (typeof bytes === 'number') {
      diagnostics.push(
        at(
          file,
          1,
          1,
          `file is ${bytes} bytes, over the 1 MiB limit`,
          'split it; an environment file is a few hundred bytes',
        ),
      );
      continue;
    }
    files.push({ file, sha256: sha256Hex(bytes) });
    const parsed = parseYamlFile(file, bytes);
    diagnostics.push(...parsed.diagnostics);
    if (parsed.documents.length === 0 && parsed.diagnostics.length === 0) {
      diagnostics.push({ ...at(file, 1, 1, 'file holds no environment'), severity: 'warning' });
    }
    for (const doc of parsed.documents) {
      const { line, column } = doc.start;
      if (doc.value === null || doc.value === undefined) {
        if (parsed.documents.length === 1)
          diagnostics.push({ ...at(file, line, column, 'file holds no environment'), severity: 'warning' });
        continue;
      }
      if (typeof doc.value !== 'object' || Array.isArray(doc.value)) {
        const what = Array.isArray(doc.value) ? 'a list' : `a ${typeof doc.value}`;
        diagnostics.push(
          at(
            file,
            line,
            column,
            `an environment must be a mapping, not ${what}`,
            'one environment per document; separate documents with ---',
          ),
        );
        continue;
      }
      const named = doc.locate(['name'], 'value');
      const name = (doc.value as { name?: unknown }).name;
      // Every named document takes part in the duplicate check, valid or not: two copies of one broken
      // environment are two problems to fix.
      if (typeof name === 'string') names.push({ name, source: { file, ...named } });
      const problems = checkSchema(file, doc);
      diagnostics.push(...problems);
      if (problems.length > 0) continue;
      const env = doc.value as EnvironmentFile;
      diagnostics.push(...checkRules(file, doc, env));
      diagnostics.push(...checkPolicies(file, doc, env, options.policies ?? []));
      (env.lifecycle?.previous_names ?? []).forEach((old, i) => {
        claims.push({
          old,
          by: env.name,
          source: { file, ...doc.locate(['lifecycle', 'previous_names', i], 'value') },
        });
      });
      environments.push(toDesired(env, file, named.line, named.column, packageSources(env, file, doc)));
    }
  }

  diagnostics.push(...duplicateNames(names));
  diagnostics.push(...checkPreviousNames(claims, environments));
  diagnostics.push(...checkEnvironmentCount(environments, options.policies ?? []));
  const final = capPerFile(diagnostics);
  return { environments, diagnostics: options.strict ? final.map(strictly) : final, files };
}

/** Under --strict a warning is an error, and says why. */
function strictly(d: Diagnostic): Diagnostic {
  return d.severity === 'warning' ? { ...d, severity: 'error', message: `${d.message} (--strict)` } : d;
}

export function hasErrors(diagnostics: readonly Diagnostic[]): boolean {
  return diagnostics.some((d) => d.severity === 'error');
}
