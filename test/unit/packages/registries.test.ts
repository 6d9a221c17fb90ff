// Which registry a spec is asked of: envsync.yaml's, else the public one; a local run never a public one.

import { describe, expect, it } from 'vitest';
import type { DesiredEnvironment, PackageManager } from '../../../src/model.js';
import { RegistryFetcher } from '../../../src/packages/fetcher.js';
import { Lookups } from '../../../src/packages/lookups.js';
import { needsOf } from '../../../src/packages/needs.js';
import { desiredEnv } from '../plan/factories.js';

const at = { file: 'environments/a.yaml', line: 5, column: 11 };
const env = (specs: Array<[PackageManager, string]>, name = 'a'): DesiredEnvironment => ({
  ...desiredEnv(name),
  package_sources: specs.map(([manager, spec]) => ({ manager, spec, at })),
});

const fetcher = new RegistryFetcher({ offline: true, cacheDir: null, env: {}, now: Date.now });

describe('the registry each spec is asked of', () => {
  const configured = {
    url: 'http://127.0.0.1:9/npm',
    token_env: null,
    checksum_db: null,
    setAt: { file: 'envsync.yaml', line: 3, column: 3 },
  };
  const needs = needsOf([
    {
      workspace: null,
      environments: [
        env([
          ['pip', 'pandas'],
          ['npm', 'express'],
          ['apt', 'curl'],
        ]),
      ],
      registries: { npm: configured },
      own: [],
      policies: [],
    },
  ]);

  it('names the public registry where envsync.yaml names none, and none for apt', () => {
    expect(needs.map((n) => [n.manager, n.registry?.url ?? null])).toEqual([
      ['apt', null],
      ['npm', 'http://127.0.0.1:9/npm'],
      ['pip', 'https://pypi.org'],
    ]);
  });

  it('a local run asks only what envsync.yaml names; any other run asks the public one too', () => {
    const local = new Lookups(fetcher, true);
    const remote = new Lookups(fetcher, false);
    expect(needs.map((n) => local.registryOf(n)?.url ?? null)).toEqual([
      null,
      'http://127.0.0.1:9/npm',
      null,
    ]);
    expect(needs.map((n) => remote.registryOf(n)?.url ?? null)).toEqual([
      null,
      'http://127.0.0.1:9/npm',
      'https://pypi.org',
    ]);
  });
});

describe('the environments each need names', () => {
  it('every environment that writes a spec, once each and in name order, with how often it was met again', () => {
    const scope = (environments: DesiredEnvironment[]) => ({
      workspace: null,
      environments,
      registries: {},
      own: [],
      policies: [],
    });
    const needs = needsOf([
      scope([
        env([['pip', 'pandas']], 'web'),
        env(
          [
            ['pip', 'pandas'],
            ['pip', 'pandas'],
          ],
          'data',
        ),
        env([['pip', 'pandas']], 'batch'),
      ]),
    ]);
    expect(needs.map((n) => [n.spec, n.environments, n.also])).toEqual([
      ['pandas', ['batch', 'data', 'web'], 3],
    ]);
  });
});
