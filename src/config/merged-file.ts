// `show --merged FILE`: the environments of one file with their bases merged in, as envsync plans them.

import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { EnvsyncError, ValidationError } from '../errors.js';
import type { DesiredEnvironment, Diagnostic, Policy } from '../model.js';
import { hasErrors, loadFile } from './load.js';

export interface MergedFileOptions {
  /** Paths are shown relative to it. */
  cwd: string;
  /** The project root and the project's folders: where bases may sit. */
  root: string;
  dirs: readonly string[];
  policies: readonly Policy[];
}

/**
 * The environments one file declares, each merged with its bases and checked as validate checks it (the
 * project's policies included). Bad input throws a ValidationError with every problem; a base file or a
 * file with no environment is refused: only environments are merged into something to print.
 */
export function mergedEnvironments(
  file: string,
  o: MergedFileOptions,
): { environments: DesiredEnvironment[]; warnings: Diagnostic[] } {
  const abs = path.resolve(o.cwd, file);
  if (!existsSync(abs) || !statSync(abs).isFile())
    throw new EnvsyncError('no_such_file', `${file}: no such file`, {
      hint: 'pass the path of an environment file',
    });
  const result = loadFile(abs, o.dirs, { cwd: o.cwd, root: o.root, strict: false, policies: o.policies });
  if (hasErrors(result.diagnostics)) throw new ValidationError(result.diagnostics);
  if (result.environments.length === 0)
    throw new EnvsyncError('no_environment', `${file} declares no environment`, {
      hint: 'a base (base: true) is merged into the environments that extend it: show one of those',
    });
  return { environments: result.environments, warnings: result.diagnostics };
}
