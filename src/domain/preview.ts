// Preview copies (DESIGN §14): their names `<name>--<ID>`, their tags, and how long they live.

import { EnvsyncError } from '../errors.js';
import { type DesiredEnvironment, EXPIRES_KEY, PREVIEW_KEY } from '../model.js';
import { MAX_NAME_LENGTH } from './naming.js';

/** Between an environment's name and the preview ID. */
export const PREVIEW_SEPARATOR = '--';

/** A preview ID: a pull request number, a branch slug. Lower case so one PR never has two spellings. */
const PREVIEW_ID = /^[a-z0-9](?:[a-z0-9._-]{0,62}[a-z0-9])?$/;

/** The user metadata keys a preview copy can hold: the API's 16 less envsync's two tags and the two preview tags. */
export const MAX_PREVIEW_METADATA_KEYS = 12;

/** Length as the API counts it: in characters (code points), not UTF-16 units. */
const length = (s: string) => [...s].length;

/** Refuses an ID that is not 1–64 lower-case letters, digits, `.`, `_`, `-` (starting and ending with a letter or digit). */
export function checkPreviewId(id: string): void {
  if (!PREVIEW_ID.test(id))
    throw new EnvsyncError('invalid_preview_id', `preview ID ${JSON.stringify(id)} is not valid`, {
      hint: 'use 1–64 lower-case letters, digits, ".", "_" or "-", starting and ending with a letter or digit (e.g. the pull request number: pr-123)',
    });
}

/** The name of an environment's preview copy. */
export function previewName(name: string, id: string): string {
  return `${name}${PREVIEW_SEPARATOR}${id}`;
}

/** What a preview needs of an environment: its name, metadata and where it is written. */
export interface Previewable {
  name: string;
  metadata: Record<string, string>;
  source: { file: string; line: number };
}

/**
 * Why these environments cannot have preview copies under this ID, one line each, before anything is sent:
 * a name that with `--<ID>` passes the API's 256 characters, or more user metadata than leaves room for
 * the preview tags. Empty when all can.
 */
export function previewProblems(environments: readonly Previewable[], id: string): string[] {
  const out: string[] = [];
  const room = MAX_NAME_LENGTH - length(PREVIEW_SEPARATOR) - length(id);
  for (const env of environments) {
    const where = `${env.source.file}:${env.source.line}`;
    const named = previewName(env.name, id);
    if (length(named) > MAX_NAME_LENGTH)
      out.push(
        `${where}: "${env.name.slice(0, 40)}…" (${length(env.name)} characters) gives a preview name of ${length(named)} characters, over the API's ${MAX_NAME_LENGTH}; names of at most ${Math.max(0, room)} characters fit with this ID`,
      );
    const keys = Object.keys(env.metadata).length;
    if (keys > MAX_PREVIEW_METADATA_KEYS)
      out.push(
        `${where}: ${env.name} has ${keys} metadata keys; a preview copy holds at most ${MAX_PREVIEW_METADATA_KEYS} (the API's 16 less envsync's 4 tags)`,
      );
  }
  return out;
}

/** Throws one error listing every problem previewProblems finds; nothing is sent when any is found. */
export function assertPreviewable(environments: readonly Previewable[], id: string): void {
  checkPreviewId(id);
  const problems = previewProblems(environments, id);
  if (problems.length > 0)
    throw new EnvsyncError(
      'not_previewable',
      `${problems.length} environment${problems.length === 1 ? '' : 's'} cannot have a preview copy with ID ${id}:\n${problems.map((p) => `  - ${p}`).join('\n')}`,
      { hint: 'use a shorter preview ID, or shorten the names or metadata listed' },
    );
}

const UNIT_MS = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 } as const;

/** The longest a preview may live: a forgotten pull request must not keep environments for ever. */
export const MAX_TTL_MS = 90 * UNIT_MS.d;

/** `72h`, `3d`, `1d12h`, `90m`, `2w` → milliseconds; 1 minute to 90 days. */
export function parseTtl(text: string): number {
  const refuse = (why: string) =>
    new EnvsyncError('invalid_ttl', `--ttl ${JSON.stringify(text)} ${why}`, {
      hint: 'write a duration like 72h, 3d, 1d12h or 90m (s, m, h, d, w), from 1m to 90d',
    });
  if (!/^(?:\d{1,6}[smhdw])+$/.test(text)) throw refuse('is not a duration');
  let ms = 0;
  for (const [, n, unit] of text.matchAll(/(\d+)([smhdw])/g))
    ms += Number(n) * UNIT_MS[unit as keyof typeof UNIT_MS];
  if (ms < UNIT_MS.m) throw refuse('is shorter than a minute');
  if (ms > MAX_TTL_MS) throw refuse('is longer than 90 days');
  return ms;
}

/** The tags a preview copy carries: its ID, and the time after which `preview gc` archives it (UTC, seconds). */
export function previewTags(id: string, now: Date, ttlMs: number): Record<string, string> {
  const expires = new Date(Math.floor((now.getTime() + ttlMs) / 1000) * 1000);
  return { [PREVIEW_KEY]: id, [EXPIRES_KEY]: expires.toISOString().replace('.000Z', 'Z') };
}

/** A live environment's preview tags: its ID and expiry, `expires: null` when the tag is missing or unreadable. */
export interface PreviewInfo {
  id: string;
  expires: Date | null;
}

/** The preview a live environment is, from its tags; null for an environment that is not a preview copy. */
export function previewOf(metadata: Record<string, string>): PreviewInfo | null {
  const id = metadata[PREVIEW_KEY];
  if (id === undefined || id === '') return null;
  const raw = metadata[EXPIRES_KEY];
  const ok = raw !== undefined && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?Z$/.test(raw);
  const time = ok ? Date.parse(raw) : Number.NaN;
  return { id, expires: Number.isNaN(time) ? null : new Date(time) };
}

/** Whether `preview gc` may archive it now: expired by its own tag. An unreadable expiry never counts as expired. */
export function isExpired(info: PreviewInfo, now: Date): boolean {
  return info.expires !== null && info.expires.getTime() <= now.getTime();
}

/**
 * The preview copies of desired environments: each named `<name>--<ID>`, updated in place whatever its file
 * says (a preview is a copy to try, not an immutable release), with no previous names and nothing that keeps
 * `preview down` from archiving it. Config, description and metadata are the file's, so the config hash is
 * too; the preview tags are added when written, like the ownership tags.
 */
export function previewCopies(environments: readonly DesiredEnvironment[], id: string): DesiredEnvironment[] {
  return environments.map((d) => ({
    ...d,
    name: previewName(d.name, id),
    lifecycle: {
      on_config_change: 'update',
      keep_superseded: false,
      prevent_archive: false,
      repoint_deployments: false,
      previous_names: [],
    },
  }));
}
