// Reads a saved plan (`plan --out`) back, refusing anything that is not a plan this version can run.

import { validate as planValidator } from '../config/generated/plan.validator.js';
import { EnvsyncError } from '../errors.js';
import { configHash } from '../hash/config-hash.js';
import type { Plan } from '../model.js';

// Compiled ahead of time (scripts/build-validators.mjs): nothing is compiled at start-up.
const validator = () => planValidator;

export function parsePlanFile(text: string, file: string): Plan {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new EnvsyncError('invalid_plan', `${file} is not JSON: ${(e as Error).message}`, {
      hint: 'make a plan file with `envsync plan --out FILE`',
    });
  }
  const version = (value as { format_version?: unknown } | null)?.format_version;
  if (version !== 1) {
    throw new EnvsyncError(
      'invalid_plan',
      `${file} has format_version ${JSON.stringify(version)}; this envsync reads 1`,
      {
        hint: 'plan again with this version of envsync',
      },
    );
  }
  const compiled = validator();
  if (!compiled(value)) {
    const first = compiled.errors?.[0];
    throw new EnvsyncError(
      'invalid_plan',
      `${file} is not a valid plan: ${first?.instancePath || '/'} ${first?.message ?? ''}`.trim(),
      {
        hint: 'a saved plan must be used as `plan --out` wrote it',
      },
    );
  }
  // The schema says the plan has the shape of one; it does not say its configs are what it claims.
  // Plans saved before the supply-chain gate carry no findings: none were judged.
  const saved = value as Omit<Plan, 'findings'> & { findings?: Plan['findings'] };
  const plan: Plan = { ...saved, findings: saved.findings ?? [] };
  for (const action of plan.actions) {
    if (!('desired' in action)) continue;
    const actual = configHash(action.desired.config);
    if (actual !== action.desired.config_hash) {
      throw new EnvsyncError(
        'invalid_plan',
        `${file}: the config of ${action.name} hashes to ${actual}, not to the ${action.desired.config_hash} the plan carries`,
        {
          hint: 'a saved plan must be used as `plan --out` wrote it: make a new one with `envsync plan --out FILE`',
        },
      );
    }
  }
  return plan;
}
