// Table-driven planner tests: desired × live × changelog × options → actions, blocked rules, drift.

import { describe, expect, it } from 'vitest';
import { EnvsyncError } from '../../../src/errors.js';
import type { Plan } from '../../../src/model.js';
import { planExitCode, planHasChanges, summaryLine } from '../../../src/plan/planner.js';
import { desiredEnv, liveEnv, PANDAS, planFor, planOptions, recordedEnv } from './factories.js';
import { runScenario, scenarioNamed, scenarios } from './scenarios.js';

function kindsByName(plan: Plan): Record<string, string> {
  const out: Record<string, string> = {};
  for (const a of plan.actions) out[a.name] = out[a.name] === undefined ? a.kind : `${out[a.name]},${a.kind}`;
  return out;
}

describe('planChanges', () => {
  it.each(scenarios)('$name', (s) => {
    const plan = runScenario(s);
    expect(kindsByName(plan)).toEqual(s.actions);
    expect(plan.blocked.map((b) => [b.rule, b.name])).toEqual(s.blocked ?? []);
    expect(plan.actions.filter((a) => a.drift !== null).map((a) => a.name)).toEqual(s.drift ?? []);
    expect(plan.drift.map((d) => d.name)).toEqual(s.looseDrift ?? []);
    for (const [name, changes] of Object.entries(s.changes ?? {})) {
      const action = plan.actions.find((a) => a.name === name);
      expect(action?.changes).toEqual(expect.arrayContaining(changes));
    }
    for (const [name, reasons] of Object.entries(s.widening ?? {})) {
      expect(plan.actions.find((a) => a.name === name)?.widening.map((w) => w.reason)).toEqual(reasons);
    }
    expect(plan.summary.blocked).toBe(plan.blocked.length);
    expect(plan.files).toEqual([]);
    s.check?.(plan);
  });
});

describe('planChanges, beyond the table', () => {
  const desired = [desiredEnv('zeta'), desiredEnv('alpha', { config: PANDAS }), desiredEnv('mid')];
  const live = [
    liveEnv('mid', 'env_2', { description: 'changed' }),
    liveEnv('alpha', 'env_1'),
    liveEnv('beta', 'env_3'),
    liveEnv('hand', 'env_4', { managed: false }),
  ];
  const recorded = [recordedEnv('lost', 'env_9')];

  it('sorts actions by name and fingerprints what they touch', () => {
    const plan = planFor(desired, live, recorded, planOptions());
    expect(plan.actions.map((a) => `${a.kind}:${a.name}`)).toEqual([
      'update:alpha',
      'archive:beta',
      'update:mid',
      'create:zeta',
    ]);
    expect(plan.live.map((f) => f.id)).toEqual(['env_1', 'env_3', 'env_2']);
    expect(plan.summary).toEqual({
      create: 1,
      update: 2,
      recreate: 0,
      archive: 1,
      adopt: 0,
      noop: 0,
      drift: 1,
      blocked: 0,
      widening: 1,
    });
  });

  it('is deterministic: input order does not matter', () => {
    const a = planFor(desired, live, recorded, planOptions());
    const b = planFor([...desired].reverse(), [...live].reverse(), recorded, planOptions());
    expect(JSON.stringify(b)).toBe(JSON.stringify(a));
  });

  it('copies the identity fields from the options', () => {
    const plan = planFor([], [], [], planOptions({ planId: 'p1', createdAt: 'T', target: 'http://x' }));
    expect([plan.format_version, plan.plan_id, plan.created_at, plan.target]).toEqual([
      1,
      'p1',
      'T',
      'http://x',
    ]);
    expect(plan.options).toEqual({ adopt: false, max_archive: 5, allow_referenced: false, targets: [] });
  });

  it('refuses two desired environments with one name', () => {
    expect(() => planFor([desiredEnv('a'), desiredEnv('a')], [], [], planOptions())).toThrow(EnvsyncError);
  });
});

describe('summary line and exit codes', () => {
  const noop = runScenario(scenarioNamed('managed, everything equal'));
  const changes = planFor([desiredEnv('a')], [liveEnv('b', 'env_2')], [], planOptions());
  const blocked = planFor([desiredEnv('a')], [liveEnv('a', 'env_1', { managed: false })], [], planOptions());
  const adopt = planFor(
    [desiredEnv('a')],
    [liveEnv('a', 'env_1', { managed: false })],
    [],
    planOptions({ adopt: true }),
  );

  it('says No changes. when there is nothing to do', () => {
    expect(planHasChanges(noop)).toBe(false);
    expect(summaryLine(noop)).toBe('No changes.');
  });

  it('counts each kind, adopt only when present', () => {
    expect(summaryLine(changes)).toBe('Plan: 1 to create, 0 to update, 0 to recreate, 1 to archive.');
    expect(summaryLine(adopt)).toBe(
      'Plan: 0 to create, 0 to update, 0 to recreate, 0 to archive, 1 to adopt.',
    );
  });

  it('does not say No changes. when something is blocked', () => {
    expect(summaryLine(blocked)).toBe(
      'Plan: 0 to create, 0 to update, 0 to recreate, 0 to archive, 1 blocked.',
    );
  });

  it('maps to the exit codes of DESIGN §11', () => {
    expect([planExitCode(noop, false), planExitCode(noop, true)]).toEqual([0, 0]);
    expect([planExitCode(changes, false), planExitCode(changes, true)]).toEqual([0, 2]);
    expect([planExitCode(blocked, false), planExitCode(blocked, true)]).toEqual([3, 3]);
  });
});
