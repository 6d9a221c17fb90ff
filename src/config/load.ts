// Loads the desired state: discover the files, parse, validate, and normalize them into DesiredEnvironments.

import { realpathSync } from 'node:fs';
import path from 'node:path';
import { EnvsyncError } from '../errors.js';
import { configHash, normalizeConfig } from '../hash/config-hash.js';
import type {
  DesiredEnvironment,
  Diagnostic,
  EnvironmentFile,
  LoadResult,
  PackageSource,
  Policy,
  Provenance,
  SourceLocation,
} from '../model.js';
import { PACKAGE_MANAGERS } from '../model.js';
import { antConstructs } from './ant.js';
import { BaseResolver, isBaseDocument } from './bases.js';
import { discoverFiles, type FoundFile, SourceFiles, symlinkProblem } from './files.js';
import { InheritedDiagnostics } from './inherited.js';
import { readableParts } from './lenient.js';
import { capPerFile } from './limits.js';
import { mergedDocument } from './merge.js';
import { duplicateNames, type NamedPlace } from './names.js';
import type { ParsedDocument } from './parse.js';
import { checkEnvironmentCount, checkPolicies } from './policies.js';
import { checkPreviousNames, type PreviousNameClaim } from './previous-names.js';
import { provenanceOf } from './provenance.js';
import { checkRules } from './rules.js';
import { checkSchema } from './schema-check.js';

export interface LoadOptions {
  /** Paths in diagnostics and sources are written relative to this directory. */
  cwd: string;
  /** Warnings become errors. */
  strict: boolean;
  /** The project's (and workspace's) policies; each violation is an error at the line that breaks it. */
  policies?: readonly Policy[];
  /** The project root: bases may sit anywhere under it, as well as under the loaded folders. Default: cwd. */
  root?: string;
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
  provenance: Provenance | undefined,
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
    ...(provenance ? { provenance } : {}),
    package_sources,
  };
}

function at(file: string, line: number, column: number, message: string, hint?: string): Diagnostic {
  return { severity: 'error', file, line, column, path: '', message, ...(hint ? { hint } : {}) };
}

/**
 * Reads and validates every environment file under dirs. A problem in or with a file (its content, a folder
 * that cannot be listed, a linked folder, a `.YAML` name) is a diagnostic, never a throw; only a folder that
 * is missing, is not a folder, or holds nothing to read is an EnvsyncError (an empty load would archive all).
 */
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
  // A load with nothing to read and nothing wrong would plan to archive everything: refused, whatever the walk
  // skipped with a warning (a `.YAML` file, a linked folder) is named in the hint.
  if (!found.some((f) => f.notice === undefined || f.notice.severity === 'error')) {
    const skipped = found.map((f) => `${path.relative(options.cwd, f.path) || f.path} (${f.notice?.hint})`);
    throw new EnvsyncError('no_files', `no .yaml or .yml files under ${shown}`, {
      hint:
        skipped.length > 0
          ? `not read: ${skipped.join('; ')}`
          : 'an empty directory would plan to archive every managed environment; run `envsync init` to start one',
    });
  }
  return loadFound(found, list, options);
}

/**
 * Reads and validates the environments of one file (with the bases it extends, which may sit under the
 * project root or dirs): what `show --merged FILE` prints. Never throws on bad input.
 */
export function loadFile(file: string, dirs: readonly string[], options: LoadOptions): LoadResult {
  const root = realpathSync(path.dirname(file));
  return loadFound([{ path: file, symlink: false, root }], dirs, options);
}

type Found = FoundFile & { root: string };

function loadFound(found: readonly Found[], dirs: readonly string[], options: LoadOptions): LoadResult {
  const sources = new SourceFiles(options.cwd);
  const allowed = [options.root ?? options.cwd, ...dirs].map((d) => realpathSync(d));
  const bases = new BaseResolver(sources, allowed);
  const load = new Loader(bases, options.policies ?? []);
  const read: Array<{
    abs: string;
    documents: ParsedDocument[];
    refused: Array<{ line: number; column: number }>;
    file: string;
    broken: boolean;
  }> = [];
  for (const { path: abs, symlink, special, notice, root } of found) {
    if (notice) {
      sources.refuse(abs, notice.message, notice.hint, notice.severity);
      continue;
    }
    if (special) {
      sources.refuse(abs, `not a regular file: ${special}`, 'envsync reads only regular files');
      continue;
    }
    const problem = symlink ? symlinkProblem(abs, root) : undefined;
    if (problem) {
      sources.refuse(abs, problem, 'envsync reads only files inside DIR');
      continue;
    }
    const source = sources.get(abs);
    if (source.documents.some(isBaseDocument)) bases.noteBase(abs);
    read.push({ abs, ...source });
  }
  // Every file is read before any is checked, so an extends entry can name a base found later in the walk.
  for (const source of read) load.file(source);

  const diagnostics = [...sources.diagnostics, ...bases.diagnostics, ...load.diagnostics()];
  diagnostics.push(...duplicateNames(load.names));
  diagnostics.push(...checkPreviousNames(load.claims, load.environments));
  diagnostics.push(...checkEnvironmentCount(load.environments, options.policies ?? []));
  const final = capPerFile(diagnostics);
  return {
    environments: load.environments,
    declared: load.declared,
    diagnostics: options.strict ? final.map(strictly) : final,
    files: sources.files,
  };
}

/**
 * A rule's finding about a field the schema already refused a part of (its path, or a path inside it) says
 * the same thing twice; findings elsewhere in the document stay.
 */
function withoutOverlap(found: readonly Diagnostic[], schema: readonly Diagnostic[]): Diagnostic[] {
  const inside = (path: string, container: string) =>
    path === container || path.startsWith(`${container}.`) || path.startsWith(`${container}[`);
  return found.filter((d) => d.path === '' || !schema.some((p) => p.path !== '' && inside(p.path, d.path)));
}

/** What one load gathers from the documents of every file. */
class Loader {
  readonly environments: DesiredEnvironment[] = [];
  readonly names: NamedPlace[] = [];
  readonly claims: PreviousNameClaim[] = [];
  /** Documents that hold an environment (a mapping), valid or not: what the summary counts. */
  readonly declared: SourceLocation[] = [];
  private readonly own: Diagnostic[] = [];
  private readonly inherited = new InheritedDiagnostics();

  constructor(
    private readonly bases: BaseResolver,
    private readonly policies: readonly Policy[],
  ) {}

  diagnostics(): Diagnostic[] {
    return [...this.own, ...this.inherited.diagnostics()];
  }

  file({
    abs,
    file,
    documents,
    refused,
    broken,
  }: {
    abs: string;
    file: string;
    documents: ParsedDocument[];
    refused: Array<{ line: number; column: number }>;
    broken: boolean;
  }) {
    for (const start of refused) this.declared.push({ file, ...start });
    if (documents.length === 0 && !broken)
      this.own.push({ ...at(file, 1, 1, 'file holds no environment'), severity: 'warning' });
    for (const doc of documents) {
      const { line, column } = doc.start;
      if (doc.value === null || doc.value === undefined) {
        if (documents.length === 1)
          this.own.push({ ...at(file, line, column, 'file holds no environment'), severity: 'warning' });
        continue;
      }
      if (typeof doc.value !== 'object' || Array.isArray(doc.value)) {
        const what = Array.isArray(doc.value) ? 'a list' : `a ${typeof doc.value}`;
        this.own.push(
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
      if (isBaseDocument(doc)) {
        if (documents.length > 1)
          this.own.push(
            at(
              file,
              line,
              column,
              'a base file holds one document, and no environments',
              'split it: one base per file',
            ),
          );
        else this.bases.checkedBase(file, abs, doc);
        continue;
      }
      this.environment(file, abs, doc);
    }
  }

  private environment(file: string, abs: string, read: ParsedDocument): void {
    // ant apply's own constructs are reported (or its kind marker accepted) before the schema sees the document.
    const ant = antConstructs(file, abs, read);
    this.own.push(...ant.diagnostics);
    const doc = ant.doc;
    const named = doc.locate(['name'], 'value');
    const name = (doc.value as { name?: unknown }).name;
    // Every named document takes part in the duplicate check, valid or not: two copies of one broken
    // environment are two problems to fix.
    if (typeof name === 'string') this.names.push({ name, source: { file, ...named } });
    this.declared.push({ file, line: doc.start.line, column: doc.start.column });
    const problems = checkSchema(file, doc);
    this.own.push(...problems);
    if (problems.length > 0) {
      // Every problem at once: the rules still read what has its type, and say what the schema did not.
      this.own.push(...withoutOverlap(checkRules(file, doc, readableParts(doc.value)), problems));
      return;
    }
    let checked = doc;
    let provenance: Provenance | undefined;
    const value = doc.value as Record<string, unknown>;
    if ('extends' in value || 'remove' in value) {
      const layer = this.bases.layerOf(file, abs, doc);
      // A base with problems has them reported already, at its own lines.
      if (layer === null) return;
      checked = mergedDocument(layer, doc, file);
      provenance = provenanceOf(layer);
      const merged = checkSchema(file, checked);
      this.inherited.add(merged, file, String(name), this.own);
      if (merged.length > 0) return;
    }
    const env = checked.value as EnvironmentFile;
    const found = [...checkRules(file, checked, env), ...checkPolicies(file, checked, env, this.policies)];
    this.inherited.add(found, file, env.name, this.own);
    (env.lifecycle?.previous_names ?? []).forEach((old, i) => {
      this.claims.push({
        old,
        by: env.name,
        source: { file, ...doc.locate(['lifecycle', 'previous_names', i], 'value') },
      });
    });
    // Located in the file that wrote each spec: a base's line for an inherited package.
    this.environments.push(
      toDesired(env, file, named.line, named.column, provenance, packageSources(env, file, checked)),
    );
  }
}

/** Under --strict a warning is an error, and says why. */
function strictly(d: Diagnostic): Diagnostic {
  return d.severity === 'warning' ? { ...d, severity: 'error', message: `${d.message} (--strict)` } : d;
}

export function hasErrors(diagnostics: readonly Diagnostic[]): boolean {
  return diagnostics.some((d) => d.severity === 'error');
}
