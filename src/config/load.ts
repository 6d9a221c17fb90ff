// Loads the desired state: discover the files, parse, validate, and normalize them into DesiredEnvironments.

import { closeSync, fstatSync, openSync, readFileSync, realpathSync, statSync } from 'node:fs';
import path from 'node:path';
import fg from 'fast-glob';
import { EnvsyncError } from '../errors.js';
import { configHash, normalizeConfig, sha256Hex } from '../hash/config-hash.js';
import type {
  DesiredEnvironment,
  Diagnostic,
  EnvironmentFile,
  FileFingerprint,
  LoadResult,
} from '../model.js';
import { MAX_FILE_BYTES, parseYamlFile } from './parse.js';
import { checkRules } from './rules.js';
import { checkSchema } from './schema-check.js';

export interface LoadOptions {
  /** Paths in diagnostics and sources are written relative to this directory. */
  cwd: string;
  /** Warnings become errors. */
  strict: boolean;
}

function isInside(child: string, parent: string): boolean {
  const rel = path.relative(parent, child);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

/**
 * Every `*.yaml`/`*.yml` file under dir, sorted; dot-folders and node_modules skipped. Symbolic links are
 * listed but not traversed, so the caller can refuse the ones that lead outside dir.
 */
export function discoverFiles(dir: string, shown = dir): Array<{ path: string; symlink: boolean }> {
  let stat: ReturnType<typeof statSync>;
  try {
    stat = statSync(dir);
  } catch {
    throw new EnvsyncError('no_such_dir', `directory not found: ${shown}`, {
      hint: 'pass the folder that holds your environment files, or run `envsync init` to make one',
    });
  }
  if (!stat.isDirectory()) throw new EnvsyncError('not_a_dir', `not a directory: ${shown}`);
  return fg
    .sync('**/*.{yaml,yml}', {
      cwd: dir,
      absolute: true,
      dot: false,
      onlyFiles: false,
      objectMode: true,
      followSymbolicLinks: false,
      ignore: ['**/node_modules/**'],
    })
    .filter((entry) => entry.dirent.isFile() || entry.dirent.isSymbolicLink())
    .map((entry) => ({ path: entry.path, symlink: entry.dirent.isSymbolicLink() }))
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
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
  return statSync(real).isFile() ? undefined : 'skip';
}

/** The file's bytes, or its size when it is over the cap (without reading it). */
function readCapped(file: string): Uint8Array | number {
  const fd = openSync(file, 'r');
  try {
    const { size } = fstatSync(fd);
    return size > MAX_FILE_BYTES ? size : readFileSync(fd);
  } finally {
    closeSync(fd);
  }
}

function toDesired(env: EnvironmentFile, file: string, line: number, column: number): DesiredEnvironment {
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
    },
    source: { file, line, column },
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
  if (found.length === 0) {
    throw new EnvsyncError('no_files', `no .yaml or .yml files under ${shown}`, {
      hint: 'an empty directory would plan to archive every managed environment; run `envsync init` to start one',
    });
  }

  for (const { path: abs, symlink, root } of found) {
    const file = path.relative(options.cwd, abs) || abs;
    const problem = symlink ? symlinkProblem(abs, root) : undefined;
    if (problem) {
      if (problem !== 'skip')
        diagnostics.push(at(file, 1, 1, problem, 'envsync reads only files inside DIR'));
      continue;
    }
    const bytes = readCapped(abs);
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
      const problems = checkSchema(file, doc);
      diagnostics.push(...problems);
      if (problems.length > 0) continue;
      const env = doc.value as EnvironmentFile;
      diagnostics.push(...checkRules(file, doc, env));
      const named = doc.locate(['name'], 'value');
      environments.push(toDesired(env, file, named.line, named.column));
    }
  }

  diagnostics.push(...duplicateNames(environments));
  const final = options.strict
    ? diagnostics.map((d) =>
        d.severity === 'warning'
          ? { ...d, severity: 'error' as const, message: `${d.message} (--strict)` }
          : d,
      )
    : diagnostics;
  return { environments, diagnostics: final, files };
}

function duplicateNames(environments: DesiredEnvironment[]): Diagnostic[] {
  const byName = new Map<string, DesiredEnvironment[]>();
  for (const env of environments) byName.set(env.name, [...(byName.get(env.name) ?? []), env]);
  const out: Diagnostic[] = [];
  for (const [name, envs] of byName) {
    if (envs.length < 2) continue;
    const places = envs.map((e) => `${e.source.file}:${e.source.line}:${e.source.column}`);
    for (const env of envs) {
      out.push({
        ...at(
          env.source.file,
          env.source.line,
          env.source.column,
          `duplicate name "${name}", defined at ${places.join(', ')}`,
          'names are unique within an organization: rename or remove all but one',
        ),
        path: 'name',
      });
    }
  }
  return out;
}

export function hasErrors(diagnostics: readonly Diagnostic[]): boolean {
  return diagnostics.some((d) => d.severity === 'error');
}
