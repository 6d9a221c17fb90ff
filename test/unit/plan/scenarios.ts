// The planner's scenario table: desired × live × changelog × options → expected actions, blocked rules, drift.

import type {
  BlockedRule,
  DesiredEnvironment,
  FieldChange,
  LiveEnvironment,
  Plan,
  PlanOptions,
  RecordedEnvironment,
  WideningReason,
} from '../../../src/model.js';
import { planFor, planOptions } from './factories.js';
import { changeScenarios } from './scenarios-changes.js';
import { safetyScenarios } from './scenarios-safety.js';

export interface Scenario {
  name: string;
  desired: DesiredEnvironment[];
  live: LiveEnvironment[];
  recorded?: RecordedEnvironment[];
  options?: Partial<PlanOptions>;
  /** name → action kinds (comma-joined when one name has several); names not listed have no action. */
  actions: Record<string, string>;
  blocked?: Array<[BlockedRule, string | null]>;
  /** Names whose action carries drift. */
  drift?: string[];
  /** Names of drift findings without an action. */
  looseDrift?: string[];
  /** Field changes each named action must include. */
  changes?: Record<string, FieldChange[]>;
  widening?: Record<string, WideningReason[]>;
  check?: (plan: Plan) => void;
}

export const scenarios: Scenario[] = [...changeScenarios, ...safetyScenarios];

export function runScenario(s: Scenario): Plan {
  return planFor(s.desired, s.live, s.recorded ?? [], planOptions(s.options));
}

/** The scenario whose name starts with prefix. */
export function scenarioNamed(prefix: string): Scenario {
  const found = scenarios.find((s) => s.name.startsWith(prefix));
  if (found === undefined) throw new Error(`no scenario named ${prefix}`);
  return found;
}
