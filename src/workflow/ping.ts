// `envsync ping`: can envsync work here? The key, the base URL, the workspace, the pacing, and what the key can see.

import { ANTHROPIC_RATE_LIMIT, checkBaseUrl, DEFAULT_BASE_URL, isAnthropicApi } from '../api/base-url.js';
import { ownerLabel, ownershipOf } from '../domain/ownership.js';
import { previewOf } from '../domain/preview.js';
import { ApiError, EnvsyncError } from '../errors.js';
import type { Reporter } from '../model.js';
import type { ProjectContext } from '../project/context.js';
import type { RateLimit } from '../util/rate-limit.js';
import { connect } from './connect.js';

/** A check that failed: what went wrong and what to do, as an error would say it. */
export interface PingFailure {
  code: string;
  message: string;
  hint: string | null;
}

export interface PingReport {
  project: string;
  workspace: { name: string | null; id: string | null };
  /** Where requests go: a URL, or the embedded local API. */
  base_url: string;
  local: boolean;
  /** The variable the key is read from, and whether it is set (its value is never reported). */
  key: { variable: string; present: boolean };
  /** The pacing envsync applies by default here (`--rate-limit` changes it), or null for none. */
  rate_limit: RateLimit | null;
  /** The first check that failed, or null when the API answered. */
  failure: PingFailure | null;
  /** What one list (archived included) showed, when it could be made. */
  environments: {
    total: number;
    archived: number;
    this_project: number;
    /** This project's preview copies (`preview up`), not counted in `this_project`. */
    previews: number;
    /** Per other project (its tag), how many. */
    other_projects: Record<string, number>;
    unmanaged: number;
  } | null;
  /** Deployments the key can list, or the failure (plans that archive need to list them). */
  deployments: { count: number } | { failure: PingFailure } | null;
  /** API requests made. */
  requests: number;
}

function failureOf(e: unknown): PingFailure {
  if (e instanceof EnvsyncError) return { code: e.code, message: e.message, hint: e.hint ?? null };
  return { code: 'internal', message: e instanceof Error ? e.message : String(e), hint: null };
}

export interface PingOptions {
  project: ProjectContext;
  baseUrl: string | undefined;
  env: Record<string, string | undefined>;
  reporter: Reporter;
}

/**
 * Checks, in order, what a first plan needs: the key is set, the base URL is one envsync sends a key to,
 * and the API answers one list of environments (archived included) with this key and workspace; then
 * counts what the key can see, by owner, and whether it can list deployments. Never throws for a failed
 * check: the report says which one failed and why.
 */
export async function pingApi(o: PingOptions): Promise<PingReport> {
  const local = o.project.local;
  const raw = o.baseUrl ?? o.env.ANTHROPIC_BASE_URL ?? DEFAULT_BASE_URL;
  const report: PingReport = {
    project: o.project.project,
    workspace: { name: o.project.workspace?.name ?? null, id: o.project.workspaceId },
    base_url: local ? 'local API (.envsync/local/)' : raw,
    local,
    key: { variable: o.project.apiKeyEnv, present: local || Boolean(o.env[o.project.apiKeyEnv]) },
    rate_limit: null,
    failure: null,
    environments: null,
    deployments: null,
    requests: 0,
  };
  const counting: Reporter = {
    event(e) {
      if (e.type === 'request') report.requests++;
      o.reporter.event(e);
    },
  };
  if (!local) {
    try {
      report.base_url = checkBaseUrl(raw);
    } catch (e) {
      report.failure = failureOf(e);
      return report;
    }
    report.rate_limit = isAnthropicApi(report.base_url) ? ANTHROPIC_RATE_LIMIT : null;
  }
  let conn: Awaited<ReturnType<typeof connect>>;
  try {
    conn = await connect({
      project: o.project,
      baseUrl: o.baseUrl,
      env: o.env,
      reporter: counting,
      rateLimit: undefined,
    });
  } catch (e) {
    report.failure = failureOf(e);
    return report;
  }
  try {
    const owner = { project: o.project.project, recorded: () => false };
    const seen = {
      total: 0,
      archived: 0,
      this_project: 0,
      previews: 0,
      other_projects: {} as Record<string, number>,
      unmanaged: 0,
    };
    const list = await conn.api.list({ includeArchived: true });
    for (const env of list.envs) {
      seen.total++;
      if (env.archived_at) seen.archived++;
      const who = ownershipOf(env, owner);
      // Nothing recorded is asked (ping reads no changelog): a legacy tag counts as another project's.
      if (who.kind === 'mine' && previewOf(env.metadata) !== null) seen.previews++;
      else if (who.kind === 'mine' || who.kind === 'legacy') seen.this_project++;
      else if (who.kind === 'unmanaged' || who.kind === 'stripped') seen.unmanaged++;
      else {
        const label = ownerLabel(who.owner);
        seen.other_projects[label] = (seen.other_projects[label] ?? 0) + 1;
      }
    }
    report.environments = seen;
    try {
      report.deployments = { count: (await conn.api.references.listDeployments()).length };
    } catch (e) {
      if (!(e instanceof ApiError)) throw e;
      report.deployments = { failure: failureOf(e) };
    }
  } catch (e) {
    report.failure = failureOf(e);
  } finally {
    await conn.close();
  }
  return report;
}
