// The text and markdown renderers: Terraform marks, field lines, widening, drift and blocked sections, summary.

import { describe, expect, it } from 'vitest';
import { paint } from '../../../src/cli/io.js';
import { configHash } from '../../../src/hash/config-hash.js';
import type { Paint, Plan } from '../../../src/model.js';
import { renderPlanMarkdown } from '../../../src/plan/render-markdown.js';
import { renderPlanText } from '../../../src/plan/render-text.js';
import {
  desiredEnv,
  LIMITED,
  liveEnv,
  PANDAS,
  planFor,
  planOptions,
  recordedEnv,
  SELF_HOSTED,
} from './factories.js';

const plain = paint(false);
const WEB_AFTER = {
  ...LIMITED,
  networking: {
    type: 'limited' as const,
    allowed_hosts: ['api.example.com', 'b.example'],
    allow_package_managers: true,
  },
};

/** One plan with every kind of action, drift of both kinds, and blocked items. */
function busyPlan(): Plan {
  return planFor(
    [
      desiredEnv('data', {
        config: { packages: { pip: ['pandas==2.2.0', 'polars==1.0.0'] } },
        description: 'new',
      }),
      desiredEnv('web', { config: WEB_AFTER }),
      desiredEnv('runner', { config: SELF_HOSTED }),
      desiredEnv('hand', { config: PANDAS }),
      desiredEnv('same', { config: PANDAS }),
      desiredEnv('fresh'),
      desiredEnv('taken'),
    ],
    [
      liveEnv('data', 'env_1', { config: PANDAS, tag: configHash({}) }),
      liveEnv('web', 'env_2', { config: LIMITED }),
      liveEnv('runner', 'env_3', { config: PANDAS }),
      liveEnv('old', 'env_4'),
      liveEnv('hand', 'env_5', { managed: false }),
      liveEnv('same', 'env_6', { config: PANDAS }),
      liveEnv('taken', 'env_7', { managed: false }),
      liveEnv('taken', 'env_8', { managed: false }),
    ],
    [recordedEnv('lost', 'env_9')],
    planOptions({ adopt: true, maxArchive: 1 }),
  );
}

const noopPlan = () =>
  planFor(
    [desiredEnv('same', { config: PANDAS })],
    [liveEnv('same', 'env_6', { config: PANDAS })],
    [],
    planOptions(),
  );

describe('renderPlanText', () => {
  // Below the length at which the summary is repeated at the top (tested in render-large).
  const text = renderPlanText(busyPlan(), plain, { longPlanLines: 100 });
  const lines = text.split('\n');

  it('marks each action the Terraform way, with (drift) on drifted ones', () => {
    expect(lines).toContain('  + fresh');
    expect(lines).toContain('  ~ data (env_1) (drift)');
    expect(lines).toContain('  ~ web (env_2)');
    expect(lines).toContain('  -/+ runner (env_3)');
    expect(lines).toContain('  - old (env_4)');
    expect(lines).toContain('  <= hand (env_5)');
  });

  it('prints field-level lines under each action', () => {
    expect(lines).toContain('      ~ description: "data env" → "new"');
    expect(lines).toContain('      + config.packages.pip: "polars==1.0.0"');
    expect(lines).toContain('      - config.packages.pip: "pandas==2.2.0"');
    expect(lines).toContain('      + config.networking.allowed_hosts: "b.example"');
    expect(lines.some((l) => l.startsWith('      # config.type changes') && l.includes('runner~'))).toBe(
      true,
    );
  });

  it('puts a widening line under each widening action', () => {
    const web = lines.indexOf('  ~ web (env_2)');
    expect(lines.slice(web).find((l) => l.includes('⚠'))).toBe(
      '      ⚠ widens network access: new allowed host b.example',
    );
    expect(lines.filter((l) => l.includes('⚠ widens network access'))).toHaveLength(2);
  });

  it('does not list noops', () => {
    expect(text).not.toContain('same');
  });

  it('lists drift in its own section before the changes', () => {
    const drift = lines.indexOf('Drift detected (changed outside envsync):');
    expect(drift).toBeGreaterThanOrEqual(0);
    expect(drift).toBeLessThan(lines.indexOf('envsync will perform the following actions:'));
    expect(lines.some((l) => l.startsWith('  ! data (env_1) [config changed]:'))).toBe(true);
    expect(lines.some((l) => l.startsWith('  ! lost (env_9) [missing]:'))).toBe(true);
  });

  it('lists blocked items with their hints', () => {
    const at = lines.indexOf('Blocked:');
    expect(at).toBeGreaterThan(0);
    expect(lines[at + 1]).toMatch(/^ {2}✗ taken \[unmanaged_conflict\]: 2 live environments are named taken/);
    expect(lines[at + 2]).toMatch(/^ {6}hint: /);
    expect(lines[at + 3]).toMatch(/^ {2}✗ \[max_archive\]: the plan archives 2 environments/);
  });

  it('closes with exactly one summary line', () => {
    expect(lines.at(-1)).toBe(
      'Plan: 1 to create, 2 to update, 1 to recreate, 1 to archive, 1 to adopt, 2 blocked.',
    );
    expect(lines.filter((l) => l.startsWith('Plan: '))).toHaveLength(1);
  });

  it('says only No changes. when nothing changes', () => {
    expect(renderPlanText(noopPlan(), plain)).toBe('No changes.');
  });

  it('colours only through paint', () => {
    expect(text).not.toContain('\u001b');
    const tag = (t: string) => (s: string) => `<${t}>${s}</${t}>`;
    const tagged: Paint = {
      red: tag('r'),
      green: tag('g'),
      yellow: tag('y'),
      cyan: tag('c'),
      bold: tag('b'),
      dim: tag('d'),
    };
    const coloured = renderPlanText(busyPlan(), tagged);
    expect(coloured).toContain('  <g>+</g> <b>fresh</b>');
    expect(coloured).toContain('  <r>-/+</r> <b>runner (env_3)</b>');
    expect(coloured).toContain('<y>⚠ widens network access: new allowed host b.example</y>');
    expect(renderPlanText(busyPlan(), paint(true))).toContain('\u001b[32m+\u001b[39m');
  });
});

describe('renderPlanMarkdown', () => {
  const md = renderPlanMarkdown(busyPlan());
  const lines = md.split('\n');

  it('starts with the title and the widening warnings, before the table', () => {
    expect(lines[0]).toMatch(/^## envsync plan · project <code>[^<]+<\/code>$/);
    expect(
      renderPlanMarkdown({ ...busyPlan(), project: 'agents', workspace: 'staging' }).split('\n')[0],
    ).toBe('## envsync plan · project <code>agents</code> · workspace <code>staging</code>');
    const warning = lines.indexOf('> [!WARNING]');
    expect(warning).toBe(2);
    expect(lines).toContain('> - <code>web</code> (update): new allowed host b.example');
    expect(lines).toContain('> - <code>fresh</code> (create): networking is unrestricted');
    expect(warning).toBeLessThan(lines.indexOf('| action | count |'));
  });

  it('has a summary table of counts', () => {
    const table = lines.indexOf('| action | count |');
    expect(lines.slice(table, table + 8)).toEqual([
      '| action | count |',
      '| --- | ---: |',
      '| create | 1 |',
      '| update | 2 |',
      '| recreate | 1 |',
      '| archive | 1 |',
      '| adopt | 1 |',
      '| unchanged | 1 |',
    ]);
  });

  it('gives each changed environment a collapsible section with a diff block', () => {
    expect(lines.filter((l) => l.startsWith('<details><summary>'))).toHaveLength(6);
    expect(lines.filter((l) => l === '</details>')).toHaveLength(6);
    const data = lines.findIndex((l) => l.startsWith('<details><summary><code>~ data</code>'));
    expect(lines[data]).toContain('drift');
    expect(lines.slice(data, data + 7)).toEqual(
      expect.arrayContaining(['```diff', '- description: "data env"', '+ description: "new"', '```']),
    );
    expect(md).not.toContain('<code>  same</code>');
  });

  it('has drift and blocked sections and the same closing summary line', () => {
    expect(lines).toContain('### Drift detected (changed outside envsync)');
    expect(lines).toContain('### Blocked');
    expect(lines).toContain(
      'Plan: 1 to create, 2 to update, 1 to recreate, 1 to archive, 1 to adopt, 2 blocked.',
    );
  });

  it('is deterministic and has no warning block without widening', () => {
    expect(renderPlanMarkdown(busyPlan())).toBe(md);
    const quiet = renderPlanMarkdown(noopPlan());
    expect(quiet).not.toContain('[!WARNING]');
    expect(quiet).not.toContain('<details>');
    expect(quiet).toContain('\nNo changes.\n');
  });

  it('keeps a value with backticks inside its diff block', () => {
    const plan = planFor([desiredEnv('x', { description: 'has ``` inside' })], [], [], planOptions());
    const out = renderPlanMarkdown(plan);
    expect(out).toContain('````diff');
    expect(out).toContain('+ description: "has ``` inside"');
  });
});
