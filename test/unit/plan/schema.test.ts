// schema/plan.schema.json validates every plan the planner makes, and rejects what is not a plan.

import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import type { Plan } from '../../../src/model.js';
import { runScenario, scenarioNamed, scenarios } from './scenarios.js';

const schema = JSON.parse(readFileSync(new URL('../../../schema/plan.schema.json', import.meta.url), 'utf8'));
const validate = new Ajv2020({ strict: true, allErrors: true }).compile(schema);

/** A plan round-tripped through JSON, as `--format json` prints it. */
const asJson = (plan: Plan): unknown => JSON.parse(JSON.stringify(plan));

describe('schema/plan.schema.json', () => {
  it('is a 2020-12 schema with an $id', () => {
    expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(schema.$id).toMatch(/plan\.schema\.json$/);
  });

  it.each(scenarios)('validates the plan of: $name', (s) => {
    const ok = validate(asJson(runScenario(s)));
    expect(validate.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
  });

  it('validates a plan with files filled in by the caller', () => {
    const plan = {
      ...runScenario(scenarioNamed('desired, nothing live')),
      files: [{ file: 'environments/a.yaml', sha256: 'a'.repeat(64) }],
    };
    expect(validate(asJson(plan))).toBe(true);
  });

  it('rejects unknown fields, other format versions and unknown kinds', () => {
    const plan = asJson(runScenario(scenarioNamed('desired, nothing live'))) as Record<string, unknown> & {
      actions: object[];
    };
    expect(validate({ ...plan, extra: 1 })).toBe(false);
    expect(validate({ ...plan, format_version: 2 })).toBe(false);
    expect(validate({ ...plan, actions: [{ ...plan.actions[0], kind: 'delete' }] })).toBe(false);
    expect(validate({ ...plan, actions: [{ ...plan.actions[0], surprise: true }] })).toBe(false);
  });
});
