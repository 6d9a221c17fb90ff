// The files envsync reads: finding them under a directory, reading each safely, and parsing each once.

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
import { sha256Hex } from '../hash/config-hash.js';
import type { Diagnostic, FileFingerprint } from '../model.js';
import { compareCodeUnits } from '../util/order.js';
import { MAX_FILE_BYTES, type ParsedDocument, parseYamlFile } from './parse.js';

export function isInside(child: string, parent: string): boolean {
  const rel = path.relative(parent, child);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

/** What a file system entry is, in words, when it is neither a regular file nor a directory. */
export function specialKind(
  entry: Pick<Stats, 'isFIFO' | 'isSocket' | 'isBlockDevice' | 'isCharacterDevice'>,
) {
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
export function symlinkProblem(link: string, root: string): string | undefined {
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

function at(file: string, line: number, column: number, message: string, hint?: string): Diagnostic {
  return { severity: 'error', file, line, column, path: '', message, ...(hint ? { hint } : {}) };
}

/** A file as read: its name as shown, and its documents (none when it could not be read or parsed). */
export interface Source {
  file: string;
  documents: ParsedDocument[];
  /** Where each document whose content could not be read starts: it still declares an environment. */
  refused: Array<{ line: number; column: number }>;
  /** Whether the file had problems of its own (unreadable, too big, a YAML error): they are reported already. */
  broken: boolean;
}

/**
 * Every file a load reads, each read and parsed once however many environments extend it, its problems
 * reported once, and the sha256 of its bytes kept for plan fingerprints.
 */
export class SourceFiles {
  readonly diagnostics: Diagnostic[] = [];
  readonly files: FileFingerprint[] = [];
  private readonly read = new Map<string, Source>();

  /** Paths in diagnostics are shown relative to cwd. */
  constructor(private readonly cwd: string) {}

  shown(abs: string): string {
    return path.relative(this.cwd, abs) || abs;
  }

  /** The parsed file at abs (an absolute path to a regular file, or a link already checked). */
  get(abs: string): Source {
    const known = this.read.get(abs);
    if (known) return known;
    const source = this.parse(abs);
    this.read.set(abs, source);
    return source;
  }

  private parse(abs: string): Source {
    const file = this.shown(abs);
    const broken = (message: string, hint: string): Source => {
      this.diagnostics.push(at(file, 1, 1, message, hint));
      return { file, documents: [], refused: [], broken: true };
    };
    const bytes = readCapped(abs);
    if (typeof bytes === 'string')
      return broken(`not a regular file: ${bytes}`, 'envsync reads only regular files');
    if (typeof bytes === 'number')
      return broken(
        `file is ${bytes} bytes, over the 1 MiB limit`,
        'split it; an environment file is a few hundred bytes',
      );
    this.files.push({ file, sha256: sha256Hex(bytes) });
    const parsed = parseYamlFile(file, bytes);
    this.diagnostics.push(...parsed.diagnostics);
    return {
      file,
      documents: parsed.documents,
      refused: parsed.refused,
      broken: parsed.diagnostics.length > 0,
    };
  }

  /** A problem with a file that is not read (a special file, a link out of the directory). */
  refuse(abs: string, message: string, hint: string): void {
    this.diagnostics.push(at(this.shown(abs), 1, 1, message, hint));
  }
}
