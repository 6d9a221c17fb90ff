// One way to compile a JSON Schema: the same Ajv options for every schema envsync ships.

import { Ajv2020, type AnySchema, type ValidateFunction } from 'ajv/dist/2020.js';

/**
 * Compiles a 2020-12 schema in strict mode (an unknown keyword or a schema mistake fails at once, not
 * silently), collecting every error, with the data in each error so messages can show what was found.
 * Patterns are compiled with the `u` flag (Ajv's default), so `\p{…}` classes work.
 */
export function compileSchema<T = unknown>(schema: AnySchema): ValidateFunction<T> {
  return new Ajv2020({ allErrors: true, verbose: true, strict: true }).compile<T>(schema);
}

/** A validator compiled on first use, so loading a module costs nothing until it validates. */
export function lazySchema<T = unknown>(schema: AnySchema): () => ValidateFunction<T> {
  let compiled: ValidateFunction<T> | undefined;
  return () => {
    compiled ??= compileSchema<T>(schema);
    return compiled;
  };
}
