// `envsync fmt`: rewrites the project's environment files in their canonical layout, or (--check) lists those that are not.

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ANT_ENVIRONMENT_SCHEMA, hasAntModeline } from '../config/ant.js';
import { discoverFiles } from '../config/files.js';
import { wrapFsError } from '../errors.js';
import { schemaRefFor } from '../export/environment-file.js';
import { formatEnvironmentText } from '../export/format-file.js';
import { writeFileAtomic } from '../fs/atomic.js';
import type { Diagnostic } from '../model.js';

export interface FormatOptions {
  /** The folders of environment files (absolute). */
  dirs: readonly string[];
  /** Paths are reported relative to this folder. */
  cwd: string;
  /** Only say which files are not formatted; write nothing. */
  check: boolean;
}

export interface FormatReport {
  /** Files rewritten (or, with check, that would be), relative to cwd. */
  changed: string[];
  /** Files already in their canonical layout. */
  unchanged: number;
  /** Files left alone: not YAML envsync can read, not a regular file (links are never written through), or not
   * read by the walk (an error for a folder it could not list, a warning for a linked folder or a `.YAML` file). */
  skipped: Diagnostic[];
}

/**
 * Formats every environment file under the folders. A file that does not parse is never rewritten (the
 * problem is reported with its place); a symbolic link or special file is left alone. Writes are atomic.
 */
export async function formatFiles(o: FormatOptions): Promise<FormatReport> {
  const report: FormatReport = { changed: [], unchanged: 0, skipped: [] };
  const seen = new Set<string>();
  for (const dir of o.dirs) {
    for (const found of discoverFiles(dir, path.relative(o.cwd, dir) || '.')) {
      if (seen.has(found.path)) continue;
      seen.add(found.path);
      const file = path.relative(o.cwd, found.path) || found.path;
      const skip = (message: string, line = 1, column = 1) =>
        report.skipped.push({ severity: 'error', file, line, column, path: '', message });
      if (found.notice) {
        const { severity, message, hint } = found.notice;
        report.skipped.push({ severity, file, line: 1, column: 1, path: '', message, hint });
        continue;
      }
      if (found.special || found.symlink) {
        skip(
          found.special
            ? `not a regular file: ${found.special}`
            : 'a symbolic link: fmt never writes through one',
        );
        continue;
      }
      let text: string;
      try {
        text = readFileSync(found.path, 'utf8');
      } catch (e) {
        throw wrapFsError(e, file, 'read');
      }
      // A file written for ant apply keeps pointing at ant's schema: it is still ant's file to its editor.
      const schemaRef = hasAntModeline(text)
        ? ANT_ENVIRONMENT_SCHEMA
        : schemaRefFor(path.dirname(found.path));
      const formatted = formatEnvironmentText(text, schemaRef);
      if (!formatted.ok) {
        skip(`not formatted: ${formatted.message}`, formatted.line, formatted.column);
        continue;
      }
      if (formatted.text === text) {
        report.unchanged++;
        continue;
      }
      report.changed.push(file);
      if (!o.check) {
        try {
          await writeFileAtomic(found.path, formatted.text);
        } catch (e) {
          throw wrapFsError(e, file, 'write');
        }
      }
    }
  }
  return report;
}
