// Renders the audit page: one self-contained HTML file from the history timelines and the verify result.

import { createHash } from 'node:crypto';
import { escapeHtml, jsonForHtmlScript } from '../text/escape.js';
import { LANE_COLOURS, PAGE_CSS, PAGE_SCRIPT } from './html/assets.js';
import {
  addTotals,
  type EnvView,
  envView,
  type Lane,
  noTotals,
  type PageHistory,
  type PageTotals,
  pageContext,
  type SessionsSeen,
} from './html/model.js';
import type { RepositoryLink } from './html/repository.js';

export type { PageHistory, SessionsSeen } from './html/model.js';
export type { RepositoryLink } from './html/repository.js';

/** The verify result as the page shows it; the CLI maps whatever `verifyChangelog` returns onto this. */
export interface VerifySummary {
  /** Entries checked. */
  entries: number;
  problems: ReadonlyArray<{ line: number | null; message: string; source: string }>;
  /** Live managed environments compared, or null when the live check did not run. */
  liveManaged: number | null;
  /** One line per fork in the history (two runs from one parent); null when the changelog cannot fork. */
  forks: readonly string[] | null;
}

export interface HistoryPageInput {
  /** From `historyOf`/`historyAll`: the data `history --format json` prints. */
  histories: readonly PageHistory[];
  /** null: there is no changelog to check yet. */
  verify: VerifySummary | null;
  project: string;
  workspace: string | null;
  /** The NAME asked for, or null for every environment. */
  name: string | null;
  /** The changelog as the user knows it (a path relative to where they ran envsync). */
  changelog: string;
  /** When the page was made (ISO 8601); passed in so the renderer stays pure. */
  generatedAt: string;
  /** Where commits link to; null: commits are shown unlinked. */
  repository: RepositoryLink | null;
  /** Sessions listed through the API (`--sessions`), or null. */
  sessions: SessionsSeen | null;
}

/** Above this many steps the sections start closed: the page opens fast and draws a name's steps on demand. */
const OPEN_LIMIT = 2000;

const e = escapeHtml;

function plural(n: number, word: string, many = `${word}s`): string {
  return `${n.toLocaleString('en-US')} ${n === 1 ? word : many}`;
}

function cspHash(text: string): string {
  return `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;
}

function verifyBlock(v: VerifySummary | null): string {
  if (v === null) {
    return '<section class="verify bad" id="verify"><h2>No changelog</h2><p>Nothing has been applied with this changelog yet.</p></section>';
  }
  const live =
    v.liveManaged === null
      ? 'live environments not compared (run <code>envsync verify --live</code>)'
      : `${plural(v.liveManaged, 'live managed environment')} compared`;
  const forks =
    v.forks === null
      ? ''
      : v.forks.length === 0
        ? '<p>Forks: none.</p>'
        : `<p>Forks: ${v.forks.length}</p><ul class="forks">${v.forks.map((f) => `<li>${e(f)}</li>`).join('')}</ul>`;
  const checked = `${plural(v.entries, 'entry', 'entries')} checked; ${live}.`;
  if (v.problems.length === 0) {
    return `<section class="verify ok" id="verify" data-ok="true"><h2>Changelog OK</h2><p>Hash chain, sequence, begin/end pairs and config hashes intact: ${checked}</p>${forks}</section>`;
  }
  const items = v.problems
    .map((p) => {
      const where = p.source === 'live' ? 'live' : p.line === null ? 'changelog' : `line ${p.line}`;
      return `<li><code>${e(where)}</code> ${e(p.message)}</li>`;
    })
    .join('');
  return `<section class="verify bad" id="verify" data-ok="false"><h2>${plural(v.problems.length, 'problem')} found by verify</h2><p>${checked}</p>${forks}<ul class="problems">${items}</ul></section>`;
}

function laneItem(lane: Lane, index: number): string {
  const span =
    lane.steps === 1
      ? `${e(lane.firstAt)}`
      : `${e(lane.firstAt)} → ${lane.archived ? 'archived ' : ''}${e(lane.lastAt)}`;
  const sessions = lane.sessions === null ? '' : ` · ${plural(lane.sessions, 'session')}`;
  // An ID renamed away from this name serves its new name, not this one.
  const state = lane.archived ? 'archived' : lane.movedTo === null ? 'serving' : `now ${e(lane.movedTo)}`;
  return `<li class="lane c${index % LANE_COLOURS}${lane.archived ? ' archived' : ''}" data-env-id="${e(lane.id)}"><span class="swatch"></span><code>${e(lane.id)}</code><span class="muted">${state} · ${plural(lane.steps, 'step')} · ${span}${sessions}</span></li>`;
}

function envSection(env: EnvView, index: number, open: boolean): string {
  const tags = [
    env.archived ? '<span class="tag">archived</span>' : '',
    env.drifts > 0 ? `<span class="tag drift">${plural(env.drifts, 'drift')}</span>` : '',
    env.widenings > 0
      ? `<span class="tag widen">${plural(env.widenings, 'step widens', 'steps widen')} network</span>`
      : '',
    env.sessions === null ? '' : `<span class="tag sessions">${plural(env.sessions, 'session')}</span>`,
  ].join('');
  const ids = plural(env.lanes.length, 'env ID');
  const last = env.lastAt === null ? '' : ` · last change ${e(env.lastAt)}`;
  return `<section class="env${env.archived ? ' archived' : ''}" id="env-${index}" data-env="${index}" data-name="${e(env.name)}">
<div class="env-head"><h2 class="env-name">${e(env.name)}</h2>${tags}<span class="muted">${plural(env.steps.length, 'step')} · ${ids}${last}</span></div>
<ol class="lanes" aria-label="env IDs">${env.lanes.map(laneItem).join('')}</ol>
<details class="steps" data-env="${index}"${open ? ' open' : ''}><summary>Steps (${env.steps.length.toLocaleString('en-US')})</summary><ol class="timeline"></ol></details>
</section>`;
}

/** What the headline counts. */
interface Summary {
  envs: number;
  totals: PageTotals;
  /** Sessions on shown env IDs created before any recorded step of theirs; null without sessions. */
  sessionsBefore: number | null;
  sessionsTotal: number | null;
}

function headline(input: HistoryPageInput, model: Summary): string {
  const scope = `${e(input.project)}${input.workspace === null ? '' : `, workspace ${e(input.workspace)}`}`;
  const t = model.totals;
  const parts = [
    plural(model.envs, 'environment'),
    plural(t.envIds, 'env ID'),
    plural(t.steps, 'step'),
    plural(t.drifts, 'drift'),
    `${plural(t.widenings, 'step widens', 'steps widen')} network access`,
    `${t.archived.toLocaleString('en-US')} archived`,
  ];
  const sessions =
    input.sessions === null || model.sessionsTotal === null
      ? ''
      : `<p class="summary" id="sessions-note">${plural(model.sessionsTotal, 'session')} on these environments listed through the API${input.sessions.since === null ? '' : ` since ${e(input.sessions.since)}`}, each counted on the step whose time window holds its start${model.sessionsBefore ? `; ${plural(model.sessionsBefore, 'session')} started before the first recorded step of their env ID` : ''}.</p>`;
  return `<header><h1>envsync history${input.name === null ? '' : `: ${e(input.name)}`}</h1>
<p class="summary">Project ${scope} · changelog <code>${e(input.changelog)}</code> · generated ${e(input.generatedAt)}</p>
<p class="summary" id="totals">${parts.join(' · ')}</p>${sessions}</header>`;
}

/** What the page's script reads of one name: its lanes as [from, to, archived, column, env ID], its rail width, its rows. */
function envData(env: EnvView): unknown {
  return {
    n: env.name,
    A: env.archived,
    L: env.lanes.map((l) => [l.from, l.to, l.archived, l.col, l.id]),
    W: env.lanes.reduce((w, l) => Math.max(w, l.col + 1), 0),
    S: env.steps,
  };
}

/**
 * The audit page for the timelines: the verify result, a filter box, and per name its lanes (one per env
 * ID) and its steps. Static markup is escaped with escapeHtml; step rows travel as JSON (script-safe) and
 * are drawn with textContent. A CSP allows only this page's own style and script, by hash.
 */
export function renderHistoryHtml(input: HistoryPageInput): string {
  // One name at a time: its rows become JSON text at once and are dropped, so a history of 100,000 steps
  // never holds every row object alive together (that is what made the page's garbage collection slow).
  const context = pageContext(input.histories, { repository: input.repository, sessions: input.sessions });
  const open = input.histories.reduce((n, h) => n + h.steps.length, 0) <= OPEN_LIMIT;
  const totals = noTotals();
  const sections: string[] = [];
  const data: string[] = [];
  input.histories.forEach((history, i) => {
    const env = envView(history, context);
    addTotals(totals, env);
    sections.push(envSection(env, i, open));
    data.push(jsonForHtmlScript(envData(env)));
  });
  const summary: Summary = {
    envs: input.histories.length,
    totals,
    sessionsBefore: context.match ? context.match.before : null,
    sessionsTotal: context.match ? context.match.total : null,
  };
  const csp = [
    "default-src 'none'",
    `style-src ${cspHash(PAGE_CSS)}`,
    `script-src ${cspHash(PAGE_SCRIPT)}`,
    'img-src data:',
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
  const title = `envsync history${input.name === null ? '' : `: ${e(input.name)}`} (${e(input.project)})`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<link rel="icon" href="data:,">
<title>${title}</title>
<style>${PAGE_CSS}</style>
</head>
<body>
<main>
${headline(input, summary)}
${verifyBlock(input.verify)}
<div class="tools" role="search"><input id="filter" type="search" placeholder="Filter by name" aria-label="Filter environments by name" autocomplete="off"><label><input type="checkbox" id="show-archived" checked> show archived</label><span id="filter-count" class="muted"></span></div>
<noscript><p>Steps are drawn by this page's own script; allow scripts for this file, or run <code>envsync history</code> for text.</p></noscript>
${sections.length === 0 ? '<p id="empty">No changes recorded.</p>' : sections.join('\n')}
</main>
<script type="application/json" id="envsync-data">{"total":${totals.steps},"envs":[${data.join(',')}]}</script>
<script>${PAGE_SCRIPT}</script>
</body>
</html>
`;
}
