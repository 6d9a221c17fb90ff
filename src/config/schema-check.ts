// Checks a document against schema/environment.schema.json and turns ajv's errors into located diagnostics.

import type { ErrorObject, ValidateFunction } from 'ajv/dist/2020.js';
import schema from '../../schema/environment.schema.json' with { type: 'json' };
import { type Diagnostic, PACKAGE_MANAGERS, type PackageManager } from '../model.js';
import { validate as environmentValidator } from './generated/environment.validator.js';
import { hostProblem } from './hosts.js';
import { packageProblem } from './packages.js';
import type { ParsedDocument, PathSegment } from './parse.js';
import { closest } from './suggest.js';
import { escapeQuoted, quote, visibleTextProblem } from './text.js';

// Compiled ahead of time (scripts/build-validators.mjs): nothing is compiled at start-up.
const validator = () => environmentValidator;

export const environmentSchema = schema;

function pointerToPath(pointer: string): PathSegment[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
}

/** `config.packages.pip[0]`; keys escaped, since a path is printed and keys come from the file. */
export function dottedPath(path: readonly PathSegment[]): string {
  return path.reduce<string>((out, s) => {
    if (typeof s === 'number') return `${out}[${s}]`;
    const key = escapeQuoted(s);
    return out ? `${out}.${key}` : key;
  }, '');
}

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return `the string ${quote(value)}`;
  return `${typeof value === 'number' ? 'the number' : 'the boolean'} ${String(value)}`;
}

const TYPE_WORDS: Record<string, string> = {
  string: 'a string',
  boolean: 'true or false',
  object: 'a mapping',
  array: 'a list',
  null: 'null',
};

export interface Problem {
  path: PathSegment[];
  at: 'key' | 'value';
  message: string;
  hint?: string;
}

/** What a value that fails a `pattern` means, in words: each schema says it its own way. */
export type PatternProblem = (path: PathSegment[], e: ErrorObject) => Problem;

function describe(e: ErrorObject, data: unknown, patternProblem: PatternProblem): Problem | undefined {
  const path = pointerToPath(e.instancePath);
  const last = path[path.length - 1];
  const parent = path[path.length - 2];
  switch (e.keyword) {
    case 'if':
    case 'propertyNames':
      return undefined; // Reported by the errors they wrap.
    case 'additionalProperties': {
      const key = String(e.params.additionalProperty);
      const known = Object.keys((e.parentSchema as { properties?: object } | undefined)?.properties ?? {});
      const guess = closest(key, known);
      return {
        path: [...path, key],
        at: 'key',
        message: `unknown key ${quote(key)}`,
        hint: guess ? `did you mean "${guess}"?` : `allowed here: ${known.join(', ')}`,
      };
    }
    case 'required':
      return {
        path,
        at: 'value',
        message: `missing required key "${e.params.missingProperty}"`,
      };
    case 'type': {
      const expected = String(e.params.type)
        .split(',')
        .map((t) => TYPE_WORDS[t] ?? t)
        .join(' or ');
      return { path, at: 'value', message: `must be ${expected}, not ${typeName(e.data)}` };
    }
    case 'enum': {
      const allowed = (e.params.allowedValues as unknown[]).map(String);
      const guess = typeof e.data === 'string' ? closest(e.data.slice(0, 64), allowed) : undefined;
      return {
        path,
        at: 'value',
        message: `must be one of ${allowed.join(', ')}, not ${typeName(e.data)}`,
        ...(guess ? { hint: `did you mean "${guess}"?` } : {}),
      };
    }
    case 'const':
      if (path.length === 1 && last === 'base')
        return {
          path,
          at: 'value',
          message: 'must be true',
          hint: 'base: true makes the file a base; an environment file leaves base out',
        };
      return { path, at: 'value', message: `must be ${JSON.stringify(e.params.allowedValue)}` };
    case 'false schema': {
      if (path[0] !== 'config')
        return {
          path,
          at: 'key',
          message: `a base has no ${last === 'name' ? 'name' : 'previous_names'}: it is never an environment itself`,
          hint: 'name the environments that extend it, in their own files',
        };
      const configType = (data as { config?: { type?: unknown } })?.config?.type;
      if (parent === 'config') {
        return {
          path,
          at: 'key',
          message: `"${String(last)}" is not allowed in a ${String(configType)} environment`,
          hint: 'self-hosted environments have no packages or networking: remove it, or use type: cloud',
        };
      }
      return {
        path,
        at: 'key',
        message: `"${String(last)}" only applies to limited networking`,
        hint: 'remove it, or set networking.type: limited',
      };
    }
    case 'minLength':
      if (e.propertyName !== undefined)
        return { path: [...path, e.propertyName], at: 'key', message: 'key must not be empty' };
      return { path, at: 'value', message: 'must not be empty' };
    case 'maxLength': {
      const length = String(e.propertyName ?? e.data).length;
      if (e.propertyName !== undefined) {
        return {
          path: [...path, e.propertyName],
          at: 'key',
          message: `key is ${length} characters, over the limit of ${e.params.limit}`,
        };
      }
      return { path, at: 'value', message: `is ${length} characters, over the limit of ${e.params.limit}` };
    }
    case 'maxProperties': {
      const count = Object.keys(e.data as object).length;
      return {
        path,
        at: 'value',
        message: `has ${count} keys, over the limit of ${e.params.limit}`,
        hint: 'the API allows 16 metadata keys and envsync keeps 2 for its ownership tags',
      };
    }
    case 'pattern':
      return patternProblem(path, e);
    default:
      return { path, at: 'value', message: e.message ?? `fails ${e.keyword}` };
  }
}

const isManager = (s: PathSegment | undefined): s is PackageManager =>
  PACKAGE_MANAGERS.includes(s as PackageManager);

/** A pattern failure explained: the schema says what is allowed, the code says what is wrong. */
function environmentPattern(path: PathSegment[], e: ErrorObject): Problem {
  if (e.propertyName !== undefined) {
    const key = e.propertyName;
    return {
      path: [...path, key],
      at: 'key',
      message: `key ${quote(key)} ${visibleTextProblem(key) ?? 'is not allowed'}`,
      hint: 'keys may not hold invisible characters or start or end with whitespace; retype the key',
    };
  }
  const value = String(e.data);
  if (path.length === 1 && path[0] === 'name') {
    const problem = visibleTextProblem(value);
    if (problem)
      return {
        path,
        at: 'value',
        message: `name ${quote(value)} ${problem}`,
        hint: 'retype the name; it holds a character a reviewer cannot see',
      };
    return {
      path,
      at: 'value',
      message: 'must not contain "~"',
      hint: 'envsync names superseded environments <name>~<hash>',
    };
  }
  if (path.includes('allowed_hosts')) return { path, at: 'value', ...hostProblem(value) };
  const manager = path[path.length - 2];
  if (path[1] === 'packages' && isManager(manager))
    return { path, at: 'value', ...packageProblem(manager, value) };
  return { path, at: 'value', message: `${quote(value)} does not match ${e.params.pattern}` };
}

/** Every schema problem in a document, each located at the node it is about. */
export function checkSchema(file: string, doc: ParsedDocument): Diagnostic[] {
  return checkAgainst(validator(), file, doc, environmentPattern);
}

/** Every problem a compiled schema finds in a document, located and worded as envsync words them. */
export function checkAgainst(
  validate: ValidateFunction,
  file: string,
  doc: ParsedDocument,
  patternProblem: PatternProblem,
): Diagnostic[] {
  if (validate(doc.value)) return [];
  const seen = new Set<string>();
  const out: Diagnostic[] = [];
  for (const e of validate.errors ?? []) {
    const problem = describe(e, doc.value, patternProblem);
    if (!problem) continue;
    const key = `${dottedPath(problem.path)}\0${problem.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const { line, column, file: where = file, path = problem.path } = doc.locate(problem.path, problem.at);
    out.push({
      severity: 'error',
      file: where,
      line,
      column,
      path: dottedPath(path),
      message: problem.message,
      ...(problem.hint ? { hint: problem.hint } : {}),
    });
  }
  return out;
}
