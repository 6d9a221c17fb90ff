// The validators compiled ahead of time are exactly what the shipped schemas compile to, in strict mode.

import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { ajvOptions, generate, generatedPath, SCHEMAS } from '../../../scripts/build-validators.mjs';
import { validate as environment } from '../../../src/config/generated/environment.validator.js';

describe('generated validators', () => {
  it.each(SCHEMAS)('src/config/generated/%s.validator.ts matches schema/%s.schema.json', (name) => {
    expect(readFileSync(generatedPath(name), 'utf8')).toBe(generate(name));
  });

  it('are compiled in strict mode: a schema with an unknown keyword fails the build instead of being ignored', () => {
    expect(() => new Ajv2020(ajvOptions()).compile({ type: 'string', patern: '^a$' })).toThrow(
      /unknown keyword/,
    );
  });

  it('validate as the schema says, with the data in each error', () => {
    expect(environment({ name: 'ok' })).toBe(true);
    expect(environment({ name: 'ok', colour: 'red' })).toBe(false);
    expect(environment.errors?.[0]).toMatchObject({
      keyword: 'additionalProperties',
      data: { colour: 'red' },
    });
  });
});
