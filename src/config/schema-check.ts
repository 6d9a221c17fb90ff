// Checks a document against schema/environment.schema.json and turns ajv's errors into located diagnostics.

import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import schema from '../../schema/environment.schema.json' with { type: 'json' };
import type { Diagnostic } from '../model.js';
import type { ParsedDocument, PathSegment } from './parse.js';
import { closest } from './suggest.js';

let compiled: ValidateFunction | undefined;

function validator(): ValidateFunction {
  compiled ??= new Ajv2020({ allErrors: true, verbose: true, strict: true }).compile(schema);
  return compiled;
}

export const environmentSchema = schema;

function pointerToPath(pointer: string): PathSegment[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
}

export function dottedPath(path: readonly PathSegment[]): string {
  return path.reduce<string>(
    (out, s) => (typeof s === 'number' ? `${out}[${s}]` : out ? `${out}.${s}` : s),
    '',
  );
}

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string')
    return `the string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`;
  return `${typeof value === 'number' ? 'the number' : 'the boolean'} ${String(value)}`;
}

const TYPE_WORDS: Record<string, string> = {
  string: 'a string',
  boolean: 'true or false',
  object: 'a mapping',
  array: 'a list',
  null: 'null',
};

function hostProblem(host: string): { message: string; hint: string } {
  if (/^http:\/\//i.test(host)) {
    return {
      message: `"${host}" uses plain http://`,
      hint: 'use a host name (api.example.com) or an https:// origin',
    };
  }
  if (/[?#]/.test(host))
    return { message: `"${host}" has a query or fragment`, hint: 'give only the host name' };
  if (/^[a-z][a-z0-9+.-]*:\/\/[^/]+\/./i.test(host) || /^[^/:]+(:\d+)?\/./.test(host)) {
    return {
      message: `"${host}" has a path`,
      hint: 'allowed_hosts takes host names or origins, not URLs with paths',
    };
  }
  return {
    message: `"${host}" is not a host name or https:// origin`,
    hint: 'write it as api.example.com or https://api.example.com',
  };
}

interface Problem {
  path: PathSegment[];
  at: 'key' | 'value';
  message: string;
  hint?: string;
}

/** What a value that fails a `pattern` means, in words: each schema says it its own way. */
export type PatternProblem = (
  path: readonly PathSegment[],
  value: string,
) => { message: string; hint?: string };

function environmentPattern(path: readonly PathSegment[], value: string): { message: string; hint?: string } {
  if (path[0] === 'name') {
    return { message: 'must not contain "~"', hint: 'envsync names superseded environments <name>~<hash>' };
  }
  if (path.includes('allowed_hosts')) return hostProblem(value);
  return { message: `"${value}" must not contain spaces`, hint: 'list one package per entry' };
}

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
        message: `unknown key "${key}"`,
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
      const guess = typeof e.data === 'string' ? closest(e.data, allowed) : undefined;
      return {
        path,
        at: 'value',
        message: `must be one of ${allowed.join(', ')}, not ${typeName(e.data)}`,
        ...(guess ? { hint: `did you mean "${guess}"?` } : {}),
      };
    }
    case 'const':
      return { path, at: 'value', message: `must be ${JSON.stringify(e.params.allowedValue)}` };
    case 'false schema': {
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
      return { path, at: 'value', ...patternProblem(path, String(e.data)) };
    default:
      return { path, at: 'value', message: e.message ?? `fails ${e.keyword}` };
  }
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
    const { line, column } = doc.locate(problem.path, problem.at);
    out.push({
      severity: 'error',
      file,
      line,
      column,
      path: dottedPath(problem.path),
      message: problem.message,
      ...(problem.hint ? { hint: problem.hint } : {}),
    });
  }
  return out;
}
