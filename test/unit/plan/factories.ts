// Small factories for planner tests: real DesiredEnvironment / LiveEnvironment / RecordedEnvironment objects.

import { configHash, normalizeConfig } from '../../../src/hash/config-hash.js';
import {
  type ApiConfig,
  type ConfigHash,
  type DesiredEnvironment,
  HASH_KEY,
  type Lifecycle,
  type LiveEnvironment,
  type LooseConfig,
  MANAGED_KEY,
  type OutsideChange,
  type Plan,
  type PlanOptions,
  type RecordedEnvironment,
  type Scope,
  type UnreadableItem,
} from '../../../src/model.js';
import { planChanges } from '../../../src/plan/planner.js';

export const TEST_PROJECT = 'test-project';

export interface DesiredOverrides {
  description?: string | null;
  metadata?: Record<string, string>;
  config?: LooseConfig;
  scope?: Scope | null;
  lifecycle?: Partial<Lifecycle>;
  line?: number;
}

export function desiredEnv(name: string, o: DesiredOverrides = {}): DesiredEnvironment {
  const config = normalizeConfig(o.config);
  return {
    name,
    description: o.description === undefined ? `${name} env` : o.description,
    metadata: o.metadata ?? { team: 'research' },
    config,
    config_hash: configHash(config),
    scope: o.scope ?? null,
    lifecycle: {
      on_config_change: 'update',
      keep_superseded: false,
      prevent_archive: false,
      repoint_deployments: false,
      previous_names: [],
      ...o.lifecycle,
    },
    source: { file: `environments/${name}.yaml`, line: o.line ?? 3, column: 7 },
    package_sources: [],
  };
}

export interface LiveOverrides {
  description?: string | null;
  metadata?: Record<string, string>;
  /** As the API returns it; normalized into the API's full shape unless `rawConfig` is given. */
  config?: LooseConfig;
  rawConfig?: ApiConfig;
  scope?: Scope;
  /** Default true: carries this project's ownership tags; a string: that owner tag (another project, or legacy "true"). */
  managed?: boolean | string;
  /** The hash tag: default the live config's own hash (no drift); null leaves the tag out. */
  tag?: ConfigHash | null;
  updatedAt?: string;
}

export function liveEnv(name: string, id: string, o: LiveOverrides = {}): LiveEnvironment {
  const config: ApiConfig = o.rawConfig ?? (normalizeConfig(o.config) as ApiConfig);
  const managed = o.managed ?? true;
  const owner = managed === true ? TEST_PROJECT : managed;
  const tag = o.tag === undefined ? configHash(config) : o.tag;
  const tags: Record<string, string> =
    owner === false ? {} : { [MANAGED_KEY]: owner, ...(tag === null ? {} : { [HASH_KEY]: tag }) };
  return {
    id,
    type: 'environment',
    name,
    description: o.description === undefined ? `${name} env` : o.description,
    metadata: { ...(o.metadata ?? { team: 'research' }), ...tags },
    config,
    ...(o.scope === undefined ? {} : { scope: o.scope }),
    created_at: '2026-11-01T10:00:00Z',
    updated_at: o.updatedAt ?? '2026-11-02T10:00:00Z',
    archived_at: null,
  };
}

export function recordedEnv(
  name: string,
  envId: string,
  config: LooseConfig = {},
  o: {
    archived?: boolean;
    at?: string;
    preventArchive?: boolean;
    source?: string;
    previousNames?: string[];
    names?: string[];
  } = {},
): RecordedEnvironment {
  return {
    name,
    env_id: envId,
    config_hash: configHash(config),
    at: o.at ?? '2026-11-02T10:00:00Z',
    archived: o.archived ?? false,
    description: null,
    metadata: {},
    prevent_archive: o.preventArchive ?? false,
    source: o.source ?? null,
    previous_names: o.previousNames ?? [],
    names: o.names ?? [name],
    superseded_by: null,
  };
}

/**
 * Plans as the workflow does after its lookups: every recorded ID the list lacks counts as looked up and
 * gone (404), unless `unreadable` or `gone` say otherwise.
 */
export function planFor(
  desired: DesiredEnvironment[],
  live: LiveEnvironment[],
  recorded: RecordedEnvironment[],
  options: PlanOptions,
  extra: { unreadable?: UnreadableItem[]; outside?: OutsideChange[] } = {},
): Plan {
  const listed = new Set([...live.map((e) => e.id), ...(extra.unreadable ?? []).map((u) => u.id)]);
  return planChanges({
    desired,
    live: {
      envs: live,
      unreadable: extra.unreadable ?? [],
      gone: recorded.filter((r) => !listed.has(r.env_id)).map((r) => r.env_id),
    },
    recorded,
    outside: extra.outside ?? [],
    options,
  });
}

export function planOptions(o: Partial<PlanOptions> = {}): PlanOptions {
  return {
    project: TEST_PROJECT,
    workspace: null,
    adopt: false,
    maxArchive: 5,
    allowReferenced: false,
    references: null,
    antTracked: [],
    targets: [],
    findings: [],
    planId: 'plan_test',
    createdAt: '2026-11-27T12:00:00Z',
    target: 'http://127.0.0.1:4010',
    ...o,
  };
}

/** Configs used across the tests. */
export const PANDAS: LooseConfig = { type: 'cloud', packages: { pip: ['pandas==2.2.0'] } };
export const LIMITED: LooseConfig = {
  type: 'cloud',
  packages: { pip: ['pandas==2.2.0'] },
  networking: {
    type: 'limited',
    allowed_hosts: ['api.example.com'],
    allow_package_managers: true,
    allow_mcp_servers: false,
  },
};
export const SELF_HOSTED: LooseConfig = { type: 'self_hosted' };
