// Renders audit answers as text: timelines with per-step field changes, and a name's resolution at a time.

import { shortHash } from '../hash/config-hash.js';
import type { ChangelogEntry, Paint, StepOp } from '../model.js';
import { changeLine } from '../render/format.js';
import { escapeText } from '../text/escape.js';
import type { Resolution } from './query.js';
import type { EnvironmentHistory, TimelineStep } from './timeline.js';

/** Terraform's marks for what envsync did, and `!` for what it found. */
const STEP_MARK: Record<StepOp, string> = {
  create: '+',
  update: '~',
  recreate: '-/+',
  archive: '-',
  adopt: '<=',
  drift: '!',
  rename: '~',
  repoint: '->',
  forget: 'x',
};

const STEP_LABEL: Record<StepOp, string> = {
  create: 'create',
  update: 'update',
  recreate: 'recreate',
  archive: 'archive',
  adopt: 'adopt',
  drift: 'drift found',
  rename: 'rename',
  repoint: 'repoint',
  forget: 'forget',
};

function colourOf(paint: Paint, op: StepOp): (s: string) => string {
  if (op === 'create') return paint.green;
  if (op === 'update') return paint.yellow;
  if (op === 'adopt') return paint.cyan;
  return paint.red;
}

/** Why the step happened, beyond its op: what it replaced, where it came from, what was found. */
function stepNotes(e: ChangelogEntry): string[] {
  const notes: string[] = [];
  if (e.replaces) notes.push(`replaces ${e.replaces}`);
  if (e.detail) notes.push(e.detail);
  if (e.source) notes.push(`from ${e.source}`);
  return notes;
}

/**
 * One step: a head line (when, what, which ID and hash, who, which commit), notes, then field changes.
 * The changelog is a file anyone with the repository can edit, so every field of it is escaped.
 */
export function renderStep(step: TimelineStep, paint: Paint, indent = ''): string[] {
  const e = step.entry;
  const op = e.op;
  const mark = colourOf(paint, op)(`${STEP_MARK[op].padStart(3)} ${STEP_LABEL[op].padEnd(11)}`);
  const hash = e.config_hash ? escapeText(shortHash(e.config_hash)) : '-'.padEnd(8);
  const commit = e.git_commit ? `commit ${escapeText(e.git_commit.slice(0, 7))}` : 'no commit';
  const who = `${escapeText(e.env_id ?? '-')}  ${hash}  by ${escapeText(e.actor)}`;
  const lines = [`${indent}${escapeText(e.at)}  ${mark}  ${who}  ${paint.dim(commit)}`];
  const pad = `${indent}      `;
  for (const note of stepNotes(e)) lines.push(`${pad}${paint.dim(escapeText(note))}`);
  for (const change of step.changes) {
    const { mark: m, text } = changeLine(change);
    const colour = m === '+' ? paint.green : m === '-' ? paint.red : paint.yellow;
    lines.push(`${pad}${colour(m)} ${escapeText(text)}`);
  }
  return lines;
}

/** A name's timeline, headed by the name and every env ID that served it. */
export function renderHistory(history: EnvironmentHistory, paint: Paint): string {
  const ids = history.env_ids.length === 1 ? 'env ID' : 'env IDs';
  const list = escapeText(history.env_ids.join(', '));
  const head = `${paint.bold(escapeText(history.name))}  ${paint.dim(`(${ids}: ${list})`)}`;
  return [head, ...history.steps.flatMap((s) => renderStep(s, paint, '  '))].join('\n');
}

/** Which env ID served the name then, since when, and (for a date) what changed during the day. */
export function renderResolution(r: Resolution, paint: Paint): string {
  const s = r.since;
  const commit = s.git_commit ? `, commit ${s.git_commit.slice(0, 7)}` : '';
  const when = r.day ? `the end of ${r.day} (UTC)` : r.at.toISOString();
  const op = s.op === 'drift' ? 'drift found' : s.op;
  const lines = [
    `${paint.bold(escapeText(r.name))} at ${escapeText(when)}`,
    `  env ID       ${escapeText(r.env_id)}`,
    ...(r.served_as === null
      ? []
      : [`  served as    ${escapeText(r.served_as)} (renamed to ${escapeText(r.name)} later)`]),
    `  config hash  ${escapeText(r.config_hash)}`,
    `  since        ${escapeText(`${s.at} (${op}, seq ${s.seq}, by ${s.actor}${commit})`)}`,
  ];
  if (r.day) {
    const day = escapeText(r.day);
    lines.push('', r.during.length === 0 ? `No changes on ${day}.` : `Changes on ${day}:`);
    for (const step of r.during) lines.push(...renderStep(step, paint, '  '));
  }
  return lines.join('\n');
}
