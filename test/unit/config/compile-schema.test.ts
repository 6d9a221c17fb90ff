import { describe, expect, it } from 'vitest';
import environmentSchema from '../../../schema/environment.schema.json' with { type: 'json' };
import planSchema from '../../../schema/plan.schema.json' with { type: 'json' };
import { compileSchema } from '../../../src/config/compile-schema.js';

describe('compileSchema', () => {
  it.each([
    ['environment', environmentSchema],
    ['plan', planSchema],
  ])('compiles the shipped %s schema in strict mode', (_name, schema) => {
    expect(compileSchema(schema)).toBeTypeOf('function');
  });

  it('refuses a schema with an unknown keyword instead of ignoring it', () => {
    expect(() => compileSchema({ type: 'string', patern: '^a$' })).toThrow(/unknown keyword/);
  });
});
