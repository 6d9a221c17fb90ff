// `extends:` — finds, checks and merges the base files a document builds on, each once, with located errors.

import { existsSync, realpathSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Diagnostic } from '../model.js';
import { isInside, type SourceFiles, specialKind } from './files.js';
import { applyRemove, type Layer, mergeLayers, type Node, nodeOf, type Origin } from './merge.js';
import type { ParsedDocument } from './parse.js';
import { checkSchema, dottedPath } from './schema-check.js';
import { closest } from './suggest.js';
import { quote } from './text.js';

/** Whether a parsed document is a base: a mapping that says `base` (true, or wrongly anything else). */
export function isBaseDocument(doc: ParsedDocument): boolean {
  return (
    typeof doc.value === 'object' && doc.value !== null && !Array.isArray(doc.value) && 'base' in doc.value
  );
}

function extendsOf(doc: ParsedDocument): string[] {
  const value = (doc.value as { extends?: unknown }).extends;
  return typeof value === 'string' ? [value] : Array.isArray(value) ? (value as string[]) : [];
}

/** Where a document's `extends` entry i is written (a single string: the value of `extends`). */
function extendsEntry(file: string, doc: ParsedDocument, i: number): Origin {
  const single = typeof (doc.value as { extends?: unknown }).extends === 'string';
  return { file, doc, path: single ? ['extends'] : ['extends', i] };
}

function entryError(origin: Origin, message: string, hint: string): Diagnostic {
  const { line, column, file = origin.file } = origin.doc.locate(origin.path, 'value');
  return { severity: 'error', file, line, column, path: dottedPath(origin.path), message, hint };
}

/**
 * Resolves bases for one load: every base file is read, checked and merged once (a base shared by forty
 * environments costs one read), and its problems are reported once, at the line that has them.
 */
export class BaseResolver {
  readonly diagnostics: Diagnostic[] = [];
  /** Merged base layers by real path; null for a base with problems (already reported). */
  private readonly done = new Map<string, Layer | null>();
  /** Base files seen anywhere, for "did you mean". */
  private readonly known = new Set<string>();
  /** Files that are not bases (an environment file, no `base: true`), by real path: said at every entry naming them. */
  private readonly refused = new Map<string, { message: string; hint: string }>();
  /** What each extends entry, by folder and text, leads to: a checked file or a problem. */
  private readonly located = new Map<
    string,
    { abs: string; real: string } | { message: string; hint: string }
  >();

  /**
   * @param sources the load's files, shared with the environments' own reading
   * @param allowed real paths of the folders bases may sit in: the project root and the loaded folders
   */
  constructor(
    private readonly sources: SourceFiles,
    private readonly allowed: readonly string[],
  ) {}

  /** Remembers a base file found while walking the folders, so a mistyped path can suggest it. */
  noteBase(abs: string): void {
    this.known.add(abs);
  }

  /**
   * The layer a document's own values make on top of its bases, or null when a base it needs has problems
   * (reported, at the `extends` entry or in the base). `trail` holds the real paths of the bases being
   * resolved, this one's last when it is a base, for cycles; an environment is never in it, since nothing
   * can extend an environment.
   */
  layerOf(file: string, abs: string, doc: ParsedDocument, trail: readonly string[] = []): Layer | null {
    const parents: Layer[] = [];
    const files: string[] = [];
    let failed = false;
    extendsOf(doc).forEach((entry, i) => {
      const found = this.base(entry, extendsEntry(file, doc, i), abs, trail);
      if (found === null) failed = true;
      else {
        parents.push(found.layer);
        files.push(...found.layer.bases, found.file);
      }
    });
    if (failed) return null;
    const bases = [...new Set(files)];
    const parent = parents.reduce<Layer | null>(
      (acc, p) => (acc === null ? p : mergeLayers(acc, p.root, p.removals, [])),
      null,
    );
    const own = nodeOf(doc.value, file, doc);
    const remove = (doc.value as { remove?: unknown }).remove;
    const inherited: Node = parent?.root ?? {
      kind: 'map',
      entries: new Map(),
      origin: { file, doc, path: [] },
    };
    const removed = applyRemove(inherited, remove, file, doc);
    for (const origin of removed.unmatched) {
      const { line, column, file: at = origin.file } = origin.doc.locate(origin.path, 'value');
      this.diagnostics.push({
        severity: 'warning',
        file: at,
        line,
        column,
        path: dottedPath(origin.path),
        message: `removes ${quote(String(pathValue(origin)))}, which no base of this document provides`,
        hint:
          parents.length === 0 ? 'remove only works with extends: drop it' : 'check the spelling, or drop it',
      });
    }
    const base = parent === null ? null : { ...parent, root: removed.root };
    return mergeLayers(base, own, removed.removals, bases);
  }

  /** The merged layer of the base an `extends` entry names, and its file; null when it has problems (reported). */
  private base(
    entry: string,
    at: Origin,
    fromAbs: string,
    trail: readonly string[],
  ): { layer: Layer; file: string } | null {
    const found = this.locateBase(entry, at, fromAbs);
    if (found === null) return null;
    const { abs, real } = found;
    if (trail.includes(real)) {
      const loop = [...trail.slice(trail.indexOf(real)), real].map((p) => this.sources.shown(p));
      this.diagnostics.push(
        entryError(
          at,
          `base cycle: ${loop.join(' → ')}`,
          'a base cannot extend itself, directly or through other bases',
        ),
      );
      return null;
    }
    const refused = this.refused.get(real);
    if (refused) {
      this.diagnostics.push(entryError(at, refused.message, refused.hint));
      return null;
    }
    const layer = this.done.has(real) ? (this.done.get(real) ?? null) : this.readBase(abs, real, at, trail);
    return layer === null ? null : { layer, file: this.sources.shown(real) };
  }

  /**
   * The base file an entry names, checked: relative, inside the project, an existing YAML file. Each entry
   * text is checked once per folder (a thousand files extending one base cost one set of file system calls);
   * a problem is reported at every entry that has it.
   */
  private locateBase(entry: string, at: Origin, fromAbs: string): { abs: string; real: string } | null {
    const key = `${path.dirname(fromAbs)}\0${entry}`;
    let found = this.located.get(key);
    if (found === undefined) {
      found = this.checkEntry(entry, fromAbs);
      this.located.set(key, found);
    }
    if ('abs' in found) return found;
    this.diagnostics.push(entryError(at, found.message, found.hint));
    return null;
  }

  private checkEntry(
    entry: string,
    fromAbs: string,
  ): { abs: string; real: string } | { message: string; hint: string } {
    const refuse = (message: string, hint: string) => ({ message, hint });
    if (path.isAbsolute(entry) || /^[A-Za-z]:[\\/]/.test(entry))
      return refuse(`extends ${quote(entry)} is an absolute path`, 'write the path relative to this file');
    const abs = path.resolve(path.dirname(fromAbs), entry);
    const inside = (p: string) => this.allowed.some((dir) => isInside(p, dir));
    if (!inside(abs))
      return refuse(
        `extends ${quote(entry)} leads outside the project`,
        'bases must sit inside the project folder',
      );
    if (!/\.ya?ml$/.test(entry))
      return refuse(
        `extends ${quote(entry)} is not a .yaml or .yml file`,
        'a base is a YAML file that says base: true',
      );
    if (!existsSync(abs)) {
      const guess = closest(
        entry,
        [...this.known].map((k) => path.relative(path.dirname(fromAbs), k)),
      );
      return refuse(
        `base file not found: ${quote(entry)} (${this.sources.shown(abs)})`,
        guess ? `did you mean "${guess}"?` : 'paths in extends are relative to the file that has them',
      );
    }
    const real = realpathSync(abs);
    if (!inside(real))
      return refuse(
        `extends ${quote(entry)} is a link that leads outside the project`,
        'link only to files inside the project',
      );
    const stat = statSync(real);
    if (!stat.isFile()) {
      const what = specialKind(stat) ?? (stat.isDirectory() ? 'a directory' : 'not a regular file');
      return refuse(`extends ${quote(entry)} is ${what}, not a file`, 'name the base file itself');
    }
    return { abs, real };
  }

  /** Reads a base file and merges it with its own bases; null when it is not a usable base. */
  private readBase(abs: string, real: string, at: Origin, trail: readonly string[]): Layer | null {
    const source = this.sources.get(abs);
    if (source.broken) {
      this.done.set(real, null);
      return null;
    }
    const shown = source.file;
    const docs = source.documents;
    const [doc] = docs;
    if (docs.length !== 1 || doc === undefined || !isBaseDocument(doc)) {
      const named = docs.some((d) => typeof (d.value as { name?: unknown } | null)?.name === 'string');
      const refused =
        docs.length > 1 && docs.some(isBaseDocument)
          ? {
              message: `${shown} holds ${docs.length} documents; a base file holds one`,
              hint: 'split it: one base per file',
            }
          : named
            ? {
                message: `${shown} is an environment file, not a base: an environment cannot extend another`,
                hint: 'move what they share into a base file (base: true, no name) and extend it from both',
              }
            : {
                message: `${shown} is not a base file: it does not say base: true`,
                hint: 'add base: true at its top',
              };
      this.refused.set(real, refused);
      this.diagnostics.push(entryError(at, refused.message, refused.hint));
      return null;
    }
    return this.checkedBase(shown, abs, doc, trail);
  }

  /**
   * A base document checked against the schema, then merged with its own bases, once. `trail` holds the real
   * paths of the bases whose resolving led here, for cycles.
   */
  checkedBase(file: string, abs: string, doc: ParsedDocument, trail: readonly string[] = []): Layer | null {
    const real = realpathSync(abs);
    if (this.done.has(real)) return this.done.get(real) ?? null;
    const problems = checkSchema(file, doc);
    this.diagnostics.push(...problems);
    const layer = problems.length > 0 ? null : this.layerOf(file, abs, doc, [...trail, real]);
    this.done.set(real, layer);
    return layer;
  }
}

/** The text at a `remove:` entry. */
function pathValue(origin: Origin): unknown {
  return origin.path.reduce<unknown>(
    (v, k) => (v as Record<string | number, unknown> | undefined)?.[k],
    origin.doc.value,
  );
}
