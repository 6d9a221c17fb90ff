// The audit half as library calls, one per command: each opens the changelog once and returns data the
// CLI renders (history, resolve, sessions, show), with the integrity problems the history it read has.

import { Changelog } from '../changelog/changelog.js';
import type { HistoryProblem } from '../changelog/history.js';
import {
  type ConfigEntry,
  checkRecordedHash,
  configOfHash,
  configOfId,
  looksLikeHash,
  parseQueryTime,
  type Resolution,
  resolveAt,
} from '../changelog/query.js';
import type { HistoryPageInput, VerifySummary } from '../changelog/render-html.js';
import { groupSessionsByConfig, resolveSession } from '../changelog/sessions.js';
import { baseName, type EnvironmentHistory, idsServing, recordedNames } from '../changelog/timeline.js';

export type { EnvironmentHistory };

import { closest } from '../config/suggest.js';
import { EnvsyncError } from '../errors.js';
import { environmentDocument } from '../export/environment-file.js';
import type { EnvironmentFile, EnvironmentsApi, SessionSummary } from '../model.js';
import { gitRepository } from './git.js';
import { verifyChangelog } from './verify.js';

/** What every audit answer carries: the history it read does not verify when these are not empty. */
export interface Problems {
  problems: HistoryProblem[];
  problemCount: number;
}

/** Names the changelog does not know: did you mean one it does, or where to look instead. */
function unknownName(name: string, known: readonly string[], elsewhere: string | null): EnvsyncError {
  const near = closest(name, [...known]);
  return new EnvsyncError('unknown_name', `the changelog has no entries for ${name}`, {
    hint: near
      ? `did you mean ${near}?`
      : known.length > 0
        ? `it knows: ${known.join(', ')}`
        : (elsewhere ?? 'nothing has been applied with this changelog yet'),
  });
}

/**
 * `history [NAME]`: one name reads only its own lines through the name index (the same cost with any
 * amount of history); every name, or an index that no longer matches, reads everything. `elsewhere` is
 * the hint for a name this changelog never saw (another changelog that may have it).
 */
export function historyOf(
  changelogPath: string,
  name: string | undefined,
  elsewhere: string | null,
): Problems & { histories: EnvironmentHistory[] } {
  const changelog = Changelog.open(changelogPath);
  const found = changelog.timelines(name);
  if (name !== undefined && found.histories[0]?.steps.length === 0)
    throw unknownName(name, changelog.names(), elsewhere);
  return found;
}

/** `history --previews [NAME]`: the preview copies' timelines (all, or NAME's under every preview ID). */
export function previewHistoryOf(
  changelogPath: string,
  name: string | undefined,
): Problems & { histories: EnvironmentHistory[] } {
  const found = Changelog.open(changelogPath).previewTimelines(name);
  if (name !== undefined && found.histories.length === 0) {
    throw new EnvsyncError('unknown_name', `the changelog has no preview runs of ${name}`, {
      hint: '`envsync history --previews` lists every preview copy recorded',
    });
  }
  return { ...found, problemCount: found.problems.length };
}

function problemsOf(changelog: Changelog): Problems {
  const { problems } = changelog.history();
  return { problems, problemCount: problems.length };
}

/** `resolve NAME --at TIME`: which env ID and config served NAME then (`now` for relative times). */
export function resolveName(
  changelogPath: string,
  name: string,
  at: string,
  now: Date,
): Problems & Resolution {
  const changelog = Changelog.open(changelogPath);
  return { ...problemsOf(changelog), ...resolveAt(changelog.entries(), name, parseQueryTime(at, now)) };
}

/** `resolve --session ID`: the session from the API, what its environment ID held when it started from the changelog. */
export async function resolveSessionOf(
  changelogPath: string,
  api: EnvironmentsApi,
  id: string,
): Promise<Problems & { session: SessionSummary; resolution: ReturnType<typeof resolveSession> }> {
  const changelog = Changelog.open(changelogPath);
  const problems = problemsOf(changelog);
  const session = await api.references.retrieveSession(id);
  return { ...problems, session, resolution: resolveSession(changelog.entries(), session) };
}

export interface SessionsResult extends Problems {
  name: string;
  since: string;
  env_ids: string[];
  sessions: SessionSummary[];
  groups: ReturnType<typeof groupSessionsByConfig>['groups'];
  unplaced: SessionSummary[];
}

/**
 * `sessions NAME [--since TIME]`: every session since then (lists cannot filter by environment, so all are
 * paged and this name's kept), grouped by the config its environment held when it started.
 */
export async function sessionsOf(
  changelogPath: string,
  api: EnvironmentsApi,
  name: string,
  sinceText: string | undefined,
  now: Date,
): Promise<SessionsResult> {
  const changelog = Changelog.open(changelogPath);
  const entries = changelog.entries();
  const ids = idsServing(entries, name);
  if (ids.size === 0) {
    throw unknownName(
      name,
      recordedNames(entries),
      'only environments this changelog recorded have sessions it can place',
    );
  }
  const first = entries.find((e) => e.env_id !== null && ids.has(e.env_id));
  const since = sinceText
    ? parseQueryTime(sinceText, now).at.toISOString()
    : (first?.at ?? new Date(0).toISOString());
  const sessions = (await api.references.sessionsSince(since)).filter((s) => ids.has(s.environment_id));
  const { groups, unknown } = groupSessionsByConfig(entries, ids, sessions);
  return { ...problemsOf(changelog), name, since, env_ids: [...ids], sessions, groups, unplaced: unknown };
}

/**
 * `show ENV_ID|HASH [--at TIME]`: the recorded entry that says what config an ID held (then) or a hash
 * stood for, checked against its hash. `elsewhere` is the hint for an ID or hash this changelog never saw.
 */
export function recordedConfig(
  changelogPath: string,
  ref: string,
  atText: string | undefined,
  now: Date,
  elsewhere: string | null,
): Problems & { entry: ConfigEntry; document: EnvironmentFile } {
  if (!ref.startsWith('env_') && !looksLikeHash(ref)) {
    throw new EnvsyncError('no_plan_file', `${ref} is not a file, an env ID (env_…) or a config hash`, {
      hint: 'give a plan file saved by `envsync plan --out FILE`, an env ID, or a config hash (≥ 8 hex digits)',
    });
  }
  const changelog = Changelog.open(changelogPath);
  const entries = changelog.entries();
  const byHash = looksLikeHash(ref) && !ref.startsWith('env_');
  const at = atText === undefined ? undefined : parseQueryTime(atText, now).at;
  if (byHash && at) {
    throw new EnvsyncError('at_with_hash', '--at applies to an env ID, not to a config hash', {
      hint: 'a hash names one config whenever it was recorded; drop --at',
    });
  }
  let entry: ConfigEntry;
  try {
    entry = byHash ? configOfHash(entries, ref) : configOfId(entries, ref, at);
  } catch (e) {
    if (elsewhere && e instanceof EnvsyncError && (e.code === 'unknown_env_id' || e.code === 'unknown_hash'))
      throw new EnvsyncError(e.code, e.message, { hint: elsewhere, cause: e });
    throw e;
  }
  checkRecordedHash(entry);
  // A retired `<name>~<hash8>` name is not a valid file name; the file restores the config under its name.
  const document = environmentDocument({
    name: baseName(entry.name ?? ''),
    description: entry.description,
    metadata: entry.metadata ?? {},
    config: entry.config,
    scope: null,
  });
  return { ...problemsOf(changelog), entry, document };
}

export interface PageOptions {
  changelogPath: string;
  /** How the changelog is shown on the page (relative to where the user is). */
  changelogShown: string;
  root: string;
  project: string;
  workspace: string | null;
  name: string | null;
  histories: EnvironmentHistory[];
  /** `--sessions`: count the sessions each version ran (the API is asked only when there are steps). */
  sessions: { api: () => Promise<{ api: EnvironmentsApi; close(): Promise<void> }> } | null;
  now: Date;
}

/** verify's answer, narrowed to what the page shows; null when nothing was ever recorded. */
async function verifySummary(changelogPath: string, project: string): Promise<VerifySummary | null> {
  if (!Changelog.open(changelogPath).exists()) return null;
  const report = await verifyChangelog(changelogPath, null, project);
  // Forks are notes, not problems: applies that did not see each other, both recorded.
  return {
    entries: report.entries,
    problems: report.problems,
    liveManaged: report.liveManaged,
    forks: report.notes,
  };
}

/** Everything the audit page shows: the timelines, verify's verdict, links to commits, and sessions if asked. */
export async function historyPage(o: PageOptions): Promise<HistoryPageInput> {
  const firstAt = o.histories
    .map((h) => h.steps[0]?.entry.at)
    .filter((at): at is string => at !== undefined)
    .sort()[0];
  let sessions: HistoryPageInput['sessions'] = null;
  if (o.sessions !== null && firstAt === undefined) sessions = { since: null, sessions: [] };
  else if (o.sessions !== null && firstAt !== undefined) {
    const conn = await o.sessions.api();
    try {
      sessions = { since: firstAt, sessions: await conn.api.references.sessionsSince(firstAt) };
    } finally {
      await conn.close();
    }
  }
  return {
    histories: o.histories,
    verify: await verifySummary(o.changelogPath, o.project),
    project: o.project,
    workspace: o.workspace,
    name: o.name,
    changelog: o.changelogShown,
    generatedAt: o.now.toISOString(),
    repository: gitRepository(o.root),
    sessions,
  };
}
