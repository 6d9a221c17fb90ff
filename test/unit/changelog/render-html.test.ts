// The audit page's pure parts: the HTML escapers, commit links from git remotes, session windows, lanes, the page.

import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { envView, type PageEntry, type PageHistory, pageContext } from '../../../src/changelog/html/model.js';
import { commitUrl, repositoryLinkOf } from '../../../src/changelog/html/repository.js';
import { matchSessions } from '../../../src/changelog/html/sessions.js';
import { type HistoryPageInput, renderHistoryHtml } from '../../../src/changelog/render-html.js';
import { normalizeConfig } from '../../../src/hash/config-hash.js';
import type { FieldChange, LooseConfig } from '../../../src/model.js';
import { escapeHtml, jsonForHtmlScript } from '../../../src/text/escape.js';

const SHA = '4a03f72c0ffee00000000000000000000000beef';

function step(
  op: string,
  at: string,
  env_id: string,
  config: LooseConfig | null,
  extra: Partial<PageEntry> = {},
  changes: FieldChange[] = [],
) {
  const entry: PageEntry = {
    seq: 1,
    at,
    op,
    name: 'web',
    env_id,
    config_hash: 'sha256:3051a414fb26d3e920fc4f493f4789255a16b5e904f23994399b28f2e2e552e0',
    config: config === null ? null : normalizeConfig(config),
    replaces: null,
    source: 'environments/web.yaml:1',
    git_commit: SHA,
    actor: 'github:alice',
    plan_id: 'plan_1',
    detail: null,
    ...extra,
  };
  return { entry, changes };
}

const limited = (hosts: string[]): LooseConfig => ({
  type: 'cloud',
  networking: { type: 'limited', allowed_hosts: hosts },
});

/** web: created limited, a host added in place, recreated as a new ID, the old one archived. */
const web: PageHistory = {
  name: 'web',
  env_ids: ['env_1', 'env_2'],
  steps: [
    step('create', '2026-10-01T09:00:00.000Z', 'env_1', limited(['a.example.com'])),
    step('update', '2026-10-02T09:00:00.000Z', 'env_1', limited(['a.example.com', 'b.example.com']), {}, [
      { op: 'add', path: 'config.networking.allowed_hosts', value: 'b.example.com' },
    ]),
    step('drift', '2026-10-03T09:00:00.000Z', 'env_1', { type: 'cloud' }, { detail: 'changed by hand' }),
    step('recreate', '2026-10-04T09:00:00.000Z', 'env_2', limited(['c.example.com']), { replaces: 'env_1' }),
    step('archive', '2026-10-04T09:00:01.000Z', 'env_1', { type: 'cloud' }),
  ],
};

function input(histories: PageHistory[], over: Partial<HistoryPageInput> = {}): HistoryPageInput {
  return {
    histories,
    verify: { entries: 7, problems: [], liveManaged: null, forks: null },
    project: 'acme',
    workspace: null,
    name: null,
    changelog: '.envsync/changelog.jsonl',
    generatedAt: '2026-10-05T00:00:00.000Z',
    repository: { host: 'github', url: 'https://github.com/acme/envs' },
    sessions: null,
    ...over,
  };
}

describe('escapeHtml and jsonForHtmlScript', () => {
  it.each([
    ['<script>alert("x")</script>', '&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;'],
    [`a'b & c`, 'a&#39;b &amp; c'],
    ['bell\u0007 and rlo\u202e', 'bell\\x07 and rlo\\u{202E}'],
    ['données 🚀 env-2', 'données 🚀 env-2'],
  ])('escapes %j for text and quoted attributes', (raw, html) => {
    expect(escapeHtml(raw)).toBe(html);
  });

  it('keeps JSON valid while nothing in it can end the script element or break a line', () => {
    const value = { a: '</script><!-- x -->', b: 'p\u2028q\u2029', c: ['&', '>'] };
    const json = jsonForHtmlScript(value);
    expect(json).not.toMatch(/[<>&\u2028\u2029]/);
    expect(JSON.parse(json)).toEqual(value);
  });
});

describe('repositoryLinkOf and commitUrl', () => {
  it.each([
    ['git@github.com:acme/envs.git', 'github', 'https://github.com/acme/envs'],
    ['ssh://git@github.com/acme/envs.git', 'github', 'https://github.com/acme/envs'],
    ['https://x-access-token:SECRET@github.com/acme/envs.git', 'github', 'https://github.com/acme/envs'],
    ['https://github.com/acme/envs/', 'github', 'https://github.com/acme/envs'],
    ['git@gitlab.com:group/sub/envs.git', 'gitlab', 'https://gitlab.com/group/sub/envs'],
    [
      'ssh://git@gitlab.example.com:2222/platform/envs.git',
      'gitlab',
      'https://gitlab.example.com/platform/envs',
    ],
    [
      'https://github.acme.internal/platform/envs.git\n',
      'github',
      'https://github.acme.internal/platform/envs',
    ],
  ])('reads %j as a %s web address', (remote, host, url) => {
    expect(repositoryLinkOf(remote)).toEqual({ host, url });
  });

  it.each([
    'https://bitbucket.org/acme/envs.git',
    '/srv/git/envs.git',
    'javascript:alert(1)//github.com/a/b',
    'git@github.com:acme/../../evil',
    'https://github.com/acme',
    'file:///github.com/acme/envs',
  ])('links nothing for %j', (remote) => {
    expect(repositoryLinkOf(remote)).toBeNull();
  });

  it('links only what looks like a commit ID, GitLab under /-/commit/', () => {
    const gitlab = { host: 'gitlab', url: 'https://gitlab.com/g/r' } as const;
    expect(commitUrl(gitlab, SHA)).toBe(`https://gitlab.com/g/r/-/commit/${SHA}`);
    expect(commitUrl({ host: 'github', url: 'https://github.com/a/b' }, SHA)).toBe(
      `https://github.com/a/b/commit/${SHA}`,
    );
    expect(commitUrl(gitlab, '"><script>')).toBeNull();
    expect(commitUrl(gitlab, null)).toBeNull();
    expect(commitUrl(null, SHA)).toBeNull();
  });
});

describe('matchSessions', () => {
  it('counts a session on the step whose window on its env ID holds its start; earlier ones apart; other IDs not at all', () => {
    const m = matchSessions(web.steps, [
      { environment_id: 'env_1', created_at: '2026-09-30T00:00:00.000Z' },
      { environment_id: 'env_1', created_at: '2026-10-01T09:00:00.000Z' },
      { environment_id: 'env_1', created_at: '2026-10-02T12:00:00.000Z' },
      { environment_id: 'env_1', created_at: '2026-10-03T10:00:00.000Z' },
      { environment_id: 'env_2', created_at: '2026-10-04T09:00:00.500Z' },
      { environment_id: 'env_other', created_at: '2026-10-04T00:00:00.000Z' },
    ]);
    expect(web.steps.map((s) => m.perStep.get(s) ?? 0)).toEqual([1, 1, 1, 1, 0]);
    expect([m.before, m.total]).toEqual([1, 5]);
  });
});

/** One name's view, as the page builds it. */
const viewOf = (h: PageHistory) => envView(h, pageContext([h], { repository: null, sessions: null }));

describe('envView', () => {
  it('gives each env ID a lane that an archive ends, marks drift, and flags what widens network access', () => {
    const env = viewOf(web);
    expect(env.lanes.map((l) => [l.id, l.from, l.to, l.archived, l.steps, l.col])).toEqual([
      ['env_1', 0, 4, true, 4, 0],
      ['env_2', 3, 4, false, 1, 1],
    ]);
    expect(env.steps.map((s) => [s.l, s.o, s.m, s.w])).toEqual([
      [0, 'create', '+', []],
      [0, 'update', '~', ['new allowed host b.example.com']],
      [0, 'drift', '!', ['networking becomes unrestricted']],
      [1, 'recreate', '-/+', []],
      [0, 'archive', '-', []],
    ]);
    expect(env.steps[1]?.d).toEqual([['+', 'config.networking.allowed_hosts: "b.example.com"']]);
    expect([env.archived, env.drifts, env.widenings, env.lanes.length]).toEqual([false, 1, 2, 2]);
  });

  it('reuses the rail column of a lane that has ended, so many recreates stay as narrow as the IDs alive at once', () => {
    const c = { type: 'cloud' } as const;
    const h: PageHistory = {
      name: 'r',
      env_ids: ['env_1', 'env_2', 'env_3'],
      steps: [
        step('create', '2026-10-01T00:00:00Z', 'env_1', c),
        step('recreate', '2026-10-02T00:00:00Z', 'env_2', c, { replaces: 'env_1' }),
        step('archive', '2026-10-02T00:00:01Z', 'env_1', c),
        step('recreate', '2026-10-03T00:00:00Z', 'env_3', c, { replaces: 'env_2' }),
        step('archive', '2026-10-03T00:00:01Z', 'env_2', c),
      ],
    };
    const lanes = viewOf(h).lanes;
    expect(lanes.map((l) => [l.id, l.from, l.to, l.col])).toEqual([
      ['env_1', 0, 2, 0],
      ['env_2', 1, 4, 1],
      ['env_3', 3, 4, 0],
    ]);
  });

  it('draws an op it does not know as a plain step instead of refusing the history', () => {
    const h: PageHistory = { ...web, steps: [step('repoint', '2026-10-01T00:00:00Z', 'env_1', null)] };
    expect(viewOf(h).steps[0]).toMatchObject({
      o: 'other',
      m: '·',
      k: 'repoint',
    });
  });
});

describe('renderHistoryHtml', () => {
  const hostile = '</script><script>alert(1)</script>"\'\u0007\u202e';
  const page = renderHistoryHtml(
    input([{ ...web, name: hostile }], {
      verify: {
        entries: 7,
        problems: [{ source: 'changelog', line: 3, message: `entry <b>${hostile}` }],
        liveManaged: null,
        forks: [`fork at <i>${hostile}`],
      },
      workspace: '<ws>',
    }),
  );

  it('allows only its own style and script, by hash, and loads nothing from anywhere', () => {
    const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(page)?.[1] ?? '';
    const inline = (tag: string) => new RegExp(`<${tag}>([\\s\\S]*?)</${tag}>`).exec(page)?.[1] ?? '';
    const sha = (text: string) => `'sha256-${createHash('sha256').update(text).digest('base64')}'`;
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain(`script-src ${sha(inline('script'))}`);
    expect(csp).toContain(`style-src ${sha(inline('style'))}`);
    expect(page).not.toMatch(/\s(src|href)="(?!data:)/);
    expect(page).not.toMatch(/@import|url\(/);
  });

  it('escapes every name, problem and fork in the markup, and keeps the embedded JSON inert', () => {
    expect(page).not.toContain('<script>alert');
    expect(page).not.toMatch(/<[bi]>/);
    expect(page.includes('\u0007') || page.includes('\u202e')).toBe(false);
    expect(page).toContain('&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;&quot;&#39;\\x07\\u{202E}');
    expect(page).toContain('<li><code>line 3</code> entry &lt;b&gt;');
    expect(page).toContain('<p>Forks: 1</p><ul class="forks"><li>fork at &lt;i&gt;');
    expect(page).toContain('Project acme, workspace &lt;ws&gt;');
    const json = /<script type="application\/json" id="envsync-data">([\s\S]*?)<\/script>/.exec(page)?.[1];
    expect(JSON.parse(json ?? 'null').envs[0].n).toBe('</script><script>alert(1)</script>"\'\\x07\\u{202E}');
  });

  it('shows problems when verify found some, and says when there is no changelog', () => {
    expect(page).toContain(
      '<section class="verify bad" id="verify" data-ok="false"><h2>1 problem found by verify</h2>',
    );
    const none = renderHistoryHtml(input([], { verify: null }));
    expect(none).toContain('<h2>No changelog</h2>');
    expect(none).toContain('<p id="empty">No changes recorded.</p>');
  });
});

describe('the page after a rename', () => {
  const renamed = (name: string) => ({ name, env_ids: ['env_9'], steps: [] as PageStep[] });
  type PageStep = PageHistory['steps'][number];
  const created = step('create', '2026-10-01T09:00:00.000Z', 'env_9', { type: 'cloud' }, { name: 'etl' });
  const moved = step(
    'rename',
    '2026-10-02T09:00:00.000Z',
    'env_9',
    { type: 'cloud' },
    { name: 'etl-pipeline' },
  );

  it('a lane renamed away from the page’s name says which name it serves now, not "serving"', () => {
    const old = renderHistoryHtml(input([{ ...renamed('etl'), steps: [created, moved] }], { name: 'etl' }));
    expect(old).toContain('now etl-pipeline · 2 steps');
    expect(old).not.toMatch(/<span class="muted">serving/);
    const current = renderHistoryHtml(input([{ ...renamed('etl-pipeline'), steps: [created, moved] }]));
    expect(current).toContain('<span class="muted">serving · 2 steps');
    expect(current).toContain('1 environment · 1 env ID · 2 steps');
  });
});
