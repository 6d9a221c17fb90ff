// The audit page end to end: real applies against the emulator, `history --format html`, opened in headless Chromium.

import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { baseEnv } from '../helpers/cli.js';
import { makeAgent } from '../helpers/emulator-refs.js';
import { CHROMIUM, CHROMIUM_PATH, describeWithTool } from '../helpers/tools.js';
import { TEST_KEY, Workspace } from '../helpers/workspace.js';

const git = (dir: string, ...args: string[]) =>
  execFileSync('git', args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] })
    .toString()
    .trim();

/** A git checkout whose origin is on GitHub, so each apply records a commit and the page links it. */
function gitInit(dir: string): void {
  git(dir, 'init', '-q', '-b', 'main');
  git(dir, 'config', 'user.email', 'ci@example.com');
  git(dir, 'config', 'user.name', 'CI');
  git(dir, 'remote', 'add', 'origin', 'git@github.com:acme/platform-envs.git');
}

function commitAll(dir: string, message: string): string {
  git(dir, 'add', '-A');
  git(dir, 'commit', '-q', '--allow-empty', '-m', message);
  return git(dir, 'rev-parse', 'HEAD');
}

interface Watched {
  page: Page;
  /** Every console message, page error, dialog and non-file request: a clean page has none. */
  noise: string[];
}

async function open(browser: Browser, file: string, viewport = { width: 1200, height: 900 }) {
  const page = await browser.newPage({ viewport });
  const noise: string[] = [];
  page.on('console', (m) => noise.push(`console.${m.type()}: ${m.text()}`));
  page.on('pageerror', (e) => noise.push(`pageerror: ${e.message}`));
  page.on('dialog', (d) => {
    noise.push(`dialog: ${d.message()}`);
    void d.dismiss();
  });
  page.on('request', (r) => {
    if (!r.url().startsWith('file:')) noise.push(`request: ${r.url()}`);
  });
  await page.goto(pathToFileURL(file).href);
  return { page, noise } satisfies Watched;
}

const PIP_LIMITED = (pkgs: string[], hosts: string[], extra = '') =>
  `name: analysis\ndescription: Python data stack\n${extra}config:\n  type: cloud\n  packages:\n    pip: [${pkgs.join(', ')}]\n  networking:\n    type: limited\n    allowed_hosts: [${hosts.join(', ')}]\n    allow_package_managers: true\n`;
const RECREATE = (pkg: string) =>
  `name: web\nlifecycle: {on_config_change: recreate}\nconfig:\n  type: cloud\n  packages:\n    npm: [${pkg}]\n`;

describeWithTool(CHROMIUM, 'history --format html in headless Chromium', () => {
  let ws: Workspace;
  let browser: Browser;
  let page: string;
  let shots: string;
  const ids: Record<string, string> = {};
  let lastCommit = '';

  beforeAll(async () => {
    ws = await Workspace.start();
    shots = process.env.ENVSYNC_SCREENSHOT_DIR ?? path.join(ws.dir, 'screenshots');
    mkdirSync(shots, { recursive: true });
    gitInit(ws.dir);
    const apply = async (message: string) => {
      lastCommit = commitAll(ws.dir, message);
      const r = await ws.cli(['apply', '--auto-approve']);
      expect(r.code, r.stderr).toBe(0);
    };
    const client = ws.sdk();
    const agent = await makeAgent(client);
    const session = (env: string) => client.beta.sessions.create({ agent: agent.id, environment_id: env });

    ws.files({
      'analysis.yaml': PIP_LIMITED(['pandas==2.2.0'], ['pypi.org']),
      'web.yaml': RECREATE('typescript@5.6.3'),
      'scratch.yaml': 'name: scratch\ndescription: Try things out\n',
    });
    await apply('first environments');
    for (const e of await ws.live()) ids[e.name] = e.id;
    await session(ids.analysis as string);
    await session(ids.analysis as string);
    await session(ids.web as string);

    ws.files({
      'analysis.yaml': PIP_LIMITED(['pandas==2.2.3'], ['pypi.org', 'api.example.com']),
      'web.yaml': RECREATE('typescript@5.7.2'),
    });
    await apply('bump pandas, typescript; allow api.example.com');
    ids.web2 = (await ws.live()).find((e) => e.name === 'web')?.id as string;
    await session(ids.analysis as string);
    await session(ids.web2);

    ws.files({ 'scratch.yaml': null });
    await apply('retire scratch');

    // Someone edits analysis by hand; the next apply records it as drift and puts the file's config back.
    // (No session in between: which step it counts on depends on whether drift is dated when it happened or
    // when an apply found it, and the changelog format is moving from the second to the first.)
    await client.beta.environments.update(ids.analysis as string, {
      config: {
        type: 'cloud',
        packages: { pip: ['pandas==2.2.3', 'requests==2.32.3'] },
        networking: {
          type: 'limited',
          allowed_hosts: ['pypi.org', 'api.example.com'],
          allow_package_managers: true,
        },
      },
    });
    await apply('apply again: the hand edit is found and undone');

    page = path.join(ws.dir, 'out/audit.html');
    mkdirSync(path.dirname(page));
    const r = await ws.cli(['history', '--format', 'html', '--out', 'out/audit.html', '--sessions']);
    expect([r.code, r.stdout, r.stderr]).toEqual([
      0,
      '',
      expect.stringContaining('Wrote out/audit.html: 3 environments, 9 steps.'),
    ]);
    browser = await chromium.launch({ executablePath: CHROMIUM_PATH as string, args: ['--no-sandbox'] });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await ws?.close();
  });

  it('shows the verify result, a lane per env ID, archived environments greyed, and commits linked', async () => {
    const { page: p, noise } = await open(browser, page);
    expect(await p.textContent('#verify h2')).toBe('Changelog OK');
    const sections = await p.$$eval('section.env', (els) =>
      els.map((s) => ({
        name: s.querySelector('.env-name')?.textContent,
        archived: s.classList.contains('archived'),
        opacity: s.ownerDocument.defaultView?.getComputedStyle(s).opacity,
        lanes: [...s.querySelectorAll('.lanes .lane')].map((l) => [
          l.getAttribute('data-env-id'),
          l.classList.contains('archived'),
        ]),
        rows: s.querySelectorAll('ol.timeline > li.step').length,
      })),
    );
    expect(sections).toEqual([
      { name: 'analysis', archived: false, opacity: '1', lanes: [[ids.analysis, false]], rows: 4 },
      { name: 'scratch', archived: true, opacity: '0.6', lanes: [[ids.scratch, true]], rows: 2 },
      {
        name: 'web',
        archived: false,
        opacity: '1',
        lanes: [
          [ids.web, true],
          [ids.web2, false],
        ],
        rows: 3,
      },
    ]);
    // Each row of web's timeline has a cell per lane: the recreate starts the second lane.
    const rails = await p.$$eval('#env-2 li.step', (rows) =>
      rows.map((r) => [...r.querySelectorAll('.rail i')].map((i) => i.className.split(' ')[0] ?? '')),
    );
    expect(rails).toEqual([
      ['start', ''],
      ['line', 'start'],
      ['end', 'line'],
    ]);
    const links = await p.$$eval('#env-0 a.commit', (as) => as.map((a) => a.getAttribute('href')));
    expect(links.at(-1)).toBe(`https://github.com/acme/platform-envs/commit/${lastCommit}`);
    expect(noise).toEqual([]);
    await p.screenshot({ path: path.join(shots, 'audit-page.png'), fullPage: true });
  });

  it('marks drift apart, flags network widening, and shows the field diff of a step on expand', async () => {
    const { page: p, noise } = await open(browser, page);
    const analysis = await p.$$eval('#env-0 li.step', (rows) =>
      rows.map((r) => ({
        drift: r.classList.contains('drift'),
        label: r.querySelector('.label')?.textContent,
        tags: [...r.querySelectorAll('summary .tag')].map((t) => t.textContent),
      })),
    );
    expect(analysis).toEqual([
      { drift: false, label: 'create', tags: ['⚠ widens network', '2 sessions'] },
      { drift: false, label: 'update', tags: ['⚠ widens network', '1 session'] },
      { drift: true, label: 'drift found', tags: ['drift: changed outside envsync', '0 sessions'] },
      { drift: false, label: 'update', tags: ['0 sessions'] },
    ]);
    // A step's details are drawn on its toggle event, which fires after the click returns.
    await p.click('#env-0 li.step:nth-child(2) summary');
    await p.waitForSelector('#env-0 li.step:nth-child(2) .detail');
    expect(
      await p.$$eval('#env-0 li.step:nth-child(2) .widening li', (l) => l.map((x) => x.textContent)),
    ).toEqual(['⚠ widens network access: new allowed host api.example.com']);
    await p.click('#env-2 li.step:nth-child(2) summary');
    await p.waitForSelector('#env-2 li.step:nth-child(2) .detail');
    const recreate = await p.$$eval('#env-2 li.step:nth-child(2) .changes li', (l) =>
      l.map((x) => [x.className, x.textContent]),
    );
    expect(recreate).toEqual([
      // A version change of one package is one field change on the page.
      ['set', '~ config.packages.npm: "typescript@5.6.3" → "typescript@5.7.2"'],
    ]);
    expect(await p.textContent('#env-2 li.step:nth-child(2) .note')).toBe(`replaces ${ids.web}`);
    // Each row names its lane's env ID, the config hash's first 8 digits and the commit's first 7; the
    // details give them whole.
    const summaries = await p.$$eval('#env-2 li.step summary', (rows) =>
      rows.map((r) => [r.querySelector('code.id')?.textContent, r.querySelector('code.hash')?.textContent]),
    );
    expect(summaries.map(([id]) => id)).toEqual([ids.web, ids.web2, ids.web]);
    const facts = await p.$$eval('#env-2 li.step:nth-child(2) .facts dd', (dd) =>
      dd.map((d) => d.textContent),
    );
    expect(facts[0]).toBe(ids.web2);
    expect(facts[1]).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(summaries[1]?.[1]).toBe(facts[1]?.slice('sha256:'.length, 'sha256:'.length + 8));
    expect(await p.$$eval('#env-0 .commit', (c) => c.map((x) => x.textContent).at(-1))).toBe(
      lastCommit.slice(0, 7),
    );
    expect(await p.textContent('#sessions-note')).toContain('5 sessions on these environments');
    expect(noise).toEqual([]);
    // Back to the top, so the sticky filter bar is drawn where it belongs in a full-page screenshot.
    await p.evaluate('window.scrollTo(0, 0)');
    await p.screenshot({ path: path.join(shots, 'audit-page-expanded.png'), fullPage: true });
  });

  it('filters environments by name and hides archived ones on request', async () => {
    const { page: p, noise } = await open(browser, page);
    const visible = () =>
      p.$$eval('section.env', (els) =>
        els.filter((s) => !s.hidden).map((s) => s.querySelector('.env-name')?.textContent),
      );
    expect(await visible()).toEqual(['analysis', 'scratch', 'web']);
    await p.fill('#filter', 'WE');
    expect(await visible()).toEqual(['web']);
    expect(await p.textContent('#filter-count')).toBe('1 of 3 shown');
    await p.fill('#filter', '');
    await p.uncheck('#show-archived');
    expect(await visible()).toEqual(['analysis', 'web']);
    expect(noise).toEqual([]);
  });

  it('fits a phone screen and prints without its controls, every step opened', async () => {
    const { page: p, noise } = await open(browser, page, { width: 390, height: 844 });
    // The tsconfig has no DOM library: what runs in the page as a whole is passed as source text.
    expect(await p.evaluate('document.documentElement.scrollWidth <= window.innerWidth')).toBe(true);
    await p.screenshot({ path: path.join(shots, 'audit-page-phone.png'), fullPage: true });
    await p.emulateMedia({ media: 'print' });
    await p.evaluate("window.dispatchEvent(new Event('beforeprint'))");
    expect(await p.$eval('.tools', (t) => t.ownerDocument.defaultView?.getComputedStyle(t).display)).toBe(
      'none',
    );
    const opened = await p.$$eval('details.step-body', (ds) => ds.filter((d) => d.open).length);
    expect(opened).toBe(9);
    expect(noise).toEqual([]);
  });
});

describeWithTool(CHROMIUM, 'the audit page and hostile names', () => {
  const NAME = `</script><script>window.pwned=1;alert("name")</script> 'q' "dq"`;
  /** YAML's escapes put a real BEL and a right-to-left override into the description. */
  const DESCRIPTION_YAML = String.raw`"<img src=x onerror=\"window.pwned=2;alert(1)\"> \" \u0007 \u202e bell"`;
  const ACTOR = `<script>alert('actor')</script>"\u0007\u202e\u001b[2J`;
  const FILE = `<img src=x onerror=alert(3)>.yaml`;

  it('shows names, descriptions, actors and file names as text and runs none of them', async () => {
    const ws = await Workspace.start();
    try {
      ws.files({ [FILE]: `name: ${JSON.stringify(NAME)}\ndescription: ${DESCRIPTION_YAML}\n` });
      const env = baseEnv({ ANTHROPIC_API_KEY: TEST_KEY, USER: ACTOR });
      const applied = await ws.cli(['apply', '--auto-approve'], { env });
      expect(applied.code, applied.stderr).toBe(0);
      const r = await ws.cli(['history', '--format', 'html', '--out', 'hostile.html'], { env });
      expect(r.code, r.stderr).toBe(0);
      const file = path.join(ws.dir, 'hostile.html');
      const html = readFileSync(file, 'utf8');
      // Nothing active or invisible reaches the file: no markup from the data, no raw control characters.
      expect(html).not.toMatch(/<script>(window|alert)|<img/);
      expect([...html].filter((c) => /[\p{Cc}\p{Cf}]/u.test(c) && c !== '\n')).toEqual([]);
      const browser = await chromium.launch({
        executablePath: CHROMIUM_PATH as string,
        args: ['--no-sandbox'],
      });
      try {
        const { page: p, noise } = await open(browser, file);
        await p.click('li.step summary');
        await p.waitForSelector('li.step .detail');
        expect(await p.textContent('.env-name')).toBe(NAME);
        expect(await p.getAttribute('section.env', 'data-name')).toBe(NAME);
        expect(await p.textContent('li.step .who')).toBe(
          `by <script>alert('actor')</script>"\\x07\\u{202E}\\x1B[2J`,
        );
        const changes = await p.$$eval('.changes li', (l) => l.map((x) => x.textContent));
        expect(changes).toContain(
          String.raw`+ description: "<img src=x onerror=\"window.pwned=2;alert(1)\"> \" \u0007 \u{202E} bell"`,
        );
        expect(await p.textContent('.note')).toBe(`from environments/${FILE}:1`);
        expect(await p.evaluate('typeof window.pwned')).toBe('undefined');
        expect(await p.$$eval('script', (s) => s.length)).toBe(2);
        expect(await p.$$eval('img', (s) => s.length)).toBe(0);
        expect(noise).toEqual([]);
      } finally {
        await browser.close();
      }
    } finally {
      await ws.close();
    }
  }, 60_000);
});

describe('history --format html flags', () => {
  it('writes the page to stdout with --out -, and refuses --out or --sessions without --format html', async () => {
    const ws = await Workspace.start();
    try {
      ws.files({ 'a.yaml': 'name: a\n' });
      expect((await ws.cli(['apply', '--auto-approve'])).code).toBe(0);
      const page = await ws.cli(['history', 'a', '--format', 'html', '--out', '-']);
      expect([page.code, page.stdout.startsWith('<!doctype html>'), page.stdout]).toEqual([
        0,
        true,
        expect.stringContaining('<h1>envsync history: a</h1>'),
      ]);
      for (const flags of [['--out', 'x.html'], ['--sessions']]) {
        const r = await ws.cli(['history', ...flags]);
        expect([r.code, r.stderr]).toEqual([
          1,
          expect.stringContaining(`error[invalid_flag]: ${flags[0]} applies to --format html`),
        ]);
      }
      // The local API serves sessions too, so --sessions works with --local.
      const local = await ws.cli(['--local', 'history', '--format', 'html', '--sessions', '--out', '-']);
      expect(local.stderr).not.toContain('conflicting_flags');
    } finally {
      await ws.close();
    }
  });
});
