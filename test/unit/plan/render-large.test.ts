// Large plans: creates fold their defaults, many creates go one line each, --compact, and PR comments that fit.

import { describe, expect, it } from 'vitest';
import { paint } from '../../../src/cli/io.js';
import type { LooseConfig, Plan } from '../../../src/model.js';
import { renderPlanMarkdown } from '../../../src/plan/render-markdown.js';
import { renderPlanText } from '../../../src/plan/render-text.js';
import { desiredEnv, liveEnv, planFor, planOptions, recordedEnv } from './factories.js';

const plain = paint(false);
const SUMMARY_200 = 'Plan: 200 to create, 0 to update, 0 to recreate, 0 to archive.';

/** What a real file sets (as in bench/): packages of three managers and limited networking. */
const REALISTIC: LooseConfig = {
  type: 'cloud',
  packages: { pip: ['pandas==2.2.0', 'numpy==2.1.3', 'requests==2.32.3'], npm: ['typescript@5.6.0'] },
  networking: { type: 'limited', allowed_hosts: ['api.example.com'], allow_package_managers: true },
};

const name = (i: number) => `analytics-pipeline-team-${String(i).padStart(4, '0')}-env`;

function creates(n: number, config: LooseConfig = REALISTIC): Plan {
  const desired = Array.from({ length: n }, (_, i) =>
    desiredEnv(name(i), { config, metadata: { team: 'data', tier: String(i % 3) } }),
  );
  return planFor(desired, [], [], planOptions());
}

describe('creates in text', () => {
  it('list what the file sets and fold the defaults into one line', () => {
    const lines = renderPlanText(creates(1, {}), plain).split('\n');
    expect(lines.slice(2, 8)).toEqual([
      `  + ${name(0)}`,
      `      + description: "${name(0)} env"`,
      '      + metadata.team: "data"',
      '      + metadata.tier: "0"',
      '      (defaults: cloud, no packages, networking unrestricted)',
      '      ⚠ widens network access: networking is unrestricted',
    ]);
  });

  it('show limited networking as set, and its flags left false as defaults', () => {
    const lines = renderPlanText(creates(1, { networking: { type: 'limited' } }), plain).split('\n');
    expect(lines).toContain('      + config.networking.type: "limited"');
    expect(lines).toContain('      (defaults: cloud, no packages, no MCP servers, no package managers)');
    expect(lines.join('\n')).not.toMatch(/config\.type|allow_mcp_servers|allow_package_managers/);
  });

  it('show a self-hosted type and no defaults line', () => {
    const lines = renderPlanText(creates(1, { type: 'self_hosted' }), plain).split('\n');
    expect(lines).toContain('      + config.type: "self_hosted"');
    expect(lines.some((l) => l.includes('(defaults:'))).toBe(false);
  });

  it('keep every field a realistic file sets', () => {
    const text = renderPlanText(creates(1), plain);
    for (const line of [
      '+ config.packages.pip: "numpy==2.1.3"',
      '+ config.packages.npm: "typescript@5.6.0"',
      '+ config.networking.allowed_hosts: "api.example.com"',
      '+ config.networking.allow_package_managers: true',
      '(defaults: cloud, no MCP servers)',
      '⚠ widens network access: package managers allowed',
    ])
      expect(text).toContain(line);
  });
});

describe('a 200-create plan in text', () => {
  const plan = creates(200);
  const lines = renderPlanText(plan, plain).split('\n');

  it('is not a wall: under 400 lines, one per create, every name once', () => {
    expect(lines.length).toBeLessThan(400);
    for (let i = 0; i < 200; i++)
      expect(lines.filter((l) => l.startsWith(`  + ${name(i)}  `))).toHaveLength(1);
    expect(lines).toContain('  # 200 creates, one line each (over 20); `--format json` has every field');
    expect(lines).toContain(
      `  + ${name(0)}  description, metadata (2), packages (+4), networking (3)  ⚠ package managers allowed`,
    );
  });

  it('starts and ends with the summary line', () => {
    expect(lines[0]).toBe(SUMMARY_200);
    expect(lines.at(-1)).toBe(SUMMARY_200);
    expect(lines.filter((l) => l === SUMMARY_200)).toHaveLength(2);
  });

  it('keeps the field diff of an update among many creates', () => {
    const desired = [
      ...Array.from({ length: 30 }, (_, i) => desiredEnv(name(i))),
      desiredEnv('zz-web', { description: 'new' }),
    ];
    const text = renderPlanText(planFor(desired, [liveEnv('zz-web', 'env_1')], [], planOptions()), plain);
    expect(text).toContain('  ~ zz-web (env_1)\n      ~ description: "zz-web env" → "new"');
    const oneLine = (i: number) => `  + ${name(i)}  description, metadata  ⚠ networking is unrestricted`;
    expect(text).toContain(`\n${oneLine(0)}\n${oneLine(1)}\n`);
  });

  it('keeps details for as many creates as createDetailLimit allows', () => {
    const text = renderPlanText(creates(3), plain, { createDetailLimit: 2 });
    expect(text).toContain('  # 3 creates, one line each (over 2)');
    expect(renderPlanText(creates(3), plain, { createDetailLimit: 3 })).not.toContain('one line each');
  });
});

describe('--compact', () => {
  it('prints one line per action and the summary', () => {
    const lines = renderPlanText(creates(200), plain, { compact: true }).split('\n');
    expect(lines.filter((l) => l !== '')).toEqual([
      SUMMARY_200,
      'envsync will perform the following actions:',
      ...Array.from({ length: 200 }, (_, i) => expect.stringMatching(new RegExp(`^ {2}\\+ ${name(i)} `))),
      SUMMARY_200,
    ]);
  });

  it('gives every kind of action one line, with drift and widening on it', () => {
    const plan = planFor(
      [desiredEnv('data', { config: { packages: { pip: ['x==1'] } } }), desiredEnv('fresh')],
      [liveEnv('data', 'env_1', { tag: 'sha256:0' }), liveEnv('old', 'env_4')],
      [],
      planOptions(),
    );
    const lines = renderPlanText(plan, plain, { compact: true }).split('\n');
    expect(lines).toEqual([
      'Drift detected (changed outside envsync):',
      expect.stringMatching(/^ {2}! data \(env_1\) \[config changed\]: /),
      '',
      'envsync will perform the following actions:',
      '',
      '  ~ data (env_1) (drift)  packages (+1)',
      '  + fresh  description, metadata  ⚠ networking is unrestricted',
      '  - old (env_4)  name',
      '',
      'Plan: 1 to create, 1 to update, 0 to recreate, 1 to archive.',
    ]);
  });
});

describe('a markdown plan too long for a PR comment', () => {
  const plan = creates(400, {});
  const full = renderPlanMarkdown(plan, { maxChars: Number.POSITIVE_INFINITY });

  it('is cut to the limit, keeping the warning, the table and every name', () => {
    expect(full.length).toBeGreaterThan(60_000);
    const md = renderPlanMarkdown(plan);
    expect(md.length).toBeLessThanOrEqual(60_000);
    expect(md).toContain('> [!WARNING]');
    expect(md).toContain('| create | 400 |');
    expect(md).toContain('listed by name only');
    expect(md).toContain("The full plan is in the workflow's artifacts");
    expect(md).not.toContain('<details>');
    for (let i = 0; i < 400; i++) expect(md).toContain(`\n+ ${name(i)} ⚠\n`);
    expect(md).toMatch(/\nPlan: 400 to create, 0 to update, 0 to recreate, 0 to archive\.\n/);
  });

  it('is whole when it fits', () => {
    expect(renderPlanMarkdown(creates(3, {}))).toBe(
      renderPlanMarkdown(creates(3, {}), { maxChars: Number.POSITIVE_INFINITY }),
    );
    expect(full).toContain('<details>');
  });

  it('lists as many names as fit and says how many more, with the note it is given', () => {
    const note = 'See the `plan.md` artifact of this run.';
    const md = renderPlanMarkdown(plan, { maxChars: 20_000, fullPlanNote: note });
    expect(md.length).toBeLessThanOrEqual(20_000);
    expect(md).toContain(`\n${note}\n`);
    const listed = md.split('\n').filter((l) => /^\+ analytics-/.test(l)).length;
    const warned = md.split('\n').filter((l) => l.startsWith('> - <code>analytics-')).length;
    expect(warned).toBeGreaterThan(0);
    expect(md).toContain(`> - and ${400 - warned} more`);
    expect(md).toContain(`  … and ${400 - listed} more`);
  });

  it('keeps blocked and drift before names when room is short', () => {
    const busy = planFor(
      Array.from({ length: 400 }, (_, i) => desiredEnv(name(i))).concat(desiredEnv('taken')),
      [liveEnv('taken', 'env_7', { managed: false })],
      [recordedEnv('lost', 'env_9')],
      planOptions(),
    );
    const md = renderPlanMarkdown(busy, { maxChars: 8_000 });
    expect(md.length).toBeLessThanOrEqual(8_000);
    expect(md).toMatch(/### Blocked\n\n- \*\*unmanaged&#95;conflict\*\* <code>taken<\/code>/);
    expect(md).toMatch(/### Drift detected \(changed outside envsync\)\n\n- <code>lost<\/code>/);
    expect(md).toMatch(/ {2}… and \d+ more\n/);
  });
});
