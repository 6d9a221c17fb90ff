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
import { wrapFsError } from '../errors/fs.js';
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
  /** Set for an entry the walk did not read (a folder it could not list, a linked folder, a `.YAML` file). */
  notice?: WalkNotice;
}

/** Why the walk did not read an entry: an error stops the load, a warning only tells the user. */
export interface WalkNotice {
  severity: 'error' | 'warning';
  message: string;
  hint: string;
}

/**
 * Every `*.yaml`/`*.yml` entry under dir, sorted; dot-files, dot-folders and node_modules skipped. Symbolic
 * links to files are listed but not traversed, so the caller can refuse the ones that lead outside dir;
 * FIFOs, sockets and devices are listed with their kind, so the caller can refuse them by name. What the
 * walk did not read is listed with a notice: a folder it could not list (an error: a file in it might
 * have said something), a linked folder (a warning: never followed), a wrong-case `.YAML`/`.Yml` file (a
 * warning: not read, so a rename is all it takes).
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
  const shownOf = (full: string) => path.join(shown, path.relative(dir, full));
  return walk(dir, shownOf, []).sort((a, b) => compareCodeUnits(a.path, b.path));
}

const YAML_NAME = /\.ya?ml$/;
const YAML_NAME_ANY_CASE = /\.ya?ml$/i;

/**
 * Every `*.yaml`/`*.yml` entry below dir, skipping dot-files, dot-folders and node_modules, never entering
 * a linked folder. A plain walk rather than a glob library: it is all envsync needs (one tree, two
 * extensions, links never entered), and what it could not read becomes a notice instead of a thrown error.
 */
function walk(dir: string, shownOf: (full: string) => string, out: FoundFile[]): FoundFile[] {
  let dirents: Dirent[];
  try {
    dirents = readdirSync(dir, { withFileTypes: true });
  } catch (e) {
    const error = wrapFsError(e, shownOf(dir), 'list the folder');
    out.push({
      path: dir,
      symlink: false,
      notice: { severity: 'error', message: error.message, hint: error.hint ?? '' },
    });
    return out;
  }
  for (const dirent of dirents) {
    if (dirent.name.startsWith('.')) continue;
    const full = path.join(dir, dirent.name);
    if (dirent.isDirectory()) {
      if (dirent.name !== 'node_modules') walk(full, shownOf, out);
      continue;
    }
    const special = specialKind(dirent);
    if (YAML_NAME.test(dirent.name)) {
      if (special) out.push({ path: full, symlink: false, special });
      else if (dirent.isSymbolicLink() && leadsToFolder(full))
        out.push({ path: full, symlink: true, notice: LINKED_FOLDER });
      else if (dirent.isFile() || dirent.isSymbolicLink())
        out.push({ path: full, symlink: dirent.isSymbolicLink() });
    } else if (YAML_NAME_ANY_CASE.test(dirent.name) && (dirent.isFile() || dirent.isSymbolicLink())) {
      const lower = dirent.name.replace(/\.(ya?ml)$/i, (_m, ext: string) => `.${ext.toLowerCase()}`);
      out.push({
        path: full,
        symlink: dirent.isSymbolicLink(),
        notice: {
          severity: 'warning',
          message: `not read: the extension is not lower-case .yaml or .yml`,
          hint: `rename it to ${lower} if it is an environment file`,
        },
      });
    } else if (dirent.isSymbolicLink() && dirent.name !== 'node_modules' && leadsToFolder(full)) {
      out.push({ path: full, symlink: true, notice: LINKED_FOLDER });
    }
  }
  return out;
}

const LINKED_FOLDER: WalkNotice = {
  severity: 'warning',
  message: 'a linked folder: not followed, its files are not read',
  hint: 'envsync never enters a symbolic link to a folder; list the real folder in envsync.yaml, or move the files here',
};

/** Whether a symbolic link leads to a folder (a link that leads nowhere is not one). */
function leadsToFolder(link: string): boolean {
  try {
    return statSync(link).isDirectory();
  } catch {
    return false;
  }
}

/** Why a symbolic link to a file is not read: it leads outside root or nowhere, or to a special file. */
export function symlinkProblem(link: string, root: string): string | undefined {
  let real: string;
  try {
    real = realpathSync(link);
  } catch {
    return 'symbolic link leads nowhere';
  }
  if (!isInside(real, root)) return 'symbolic link leads outside the directory';
  let target: Stats;
  try {
    target = statSync(real);
  } catch (e) {
    return wrapFsError(e, link, 'follow the symbolic link').message;
  }
  const special = specialKind(target);
  if (special) return `symbolic link leads to ${special}, not a regular file`;
  return target.isFile() ? undefined : 'symbolic link leads to something that is not a regular file';
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
    let bytes: ReturnType<typeof readCapped>;
    try {
      bytes = readCapped(abs);
    } catch (e) {
      const error = wrapFsError(e, file, 'read');
      return broken(error.message, error.hint ?? 'check the file and the disk it is on');
    }
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
  refuse(abs: string, message: string, hint: string, severity: 'error' | 'warning' = 'error'): void {
    this.diagnostics.push({ ...at(this.shown(abs), 1, 1, message, hint), severity });
  }
}
