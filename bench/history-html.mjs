// Benchmark: `envsync history --format html` over a 100,000-entry changelog (BENCH_N entries, BENCH_NAMES
// environments; default 2,000 names × 50 rounds of changes, each round one apply run with begin/end), the
// whole CLI process timed (median of 5; target < 5 s), then the page opened in headless Chromium when one
// is installed (load, expand the longest name's steps, expand one step). Run after `npm run build`.
import { existsSync, mkdirSync, mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { entryHash } from '../dist/src/changelog/store.js';
import { configHash, normalizeConfig } from '../dist/src/hash/config-hash.js';
import { median, timeCli } from './lib/common.mjs';

const TARGET = Number(process.env.BENCH_N ?? 100_000);
const NAMES = Number(process.env.BENCH_NAMES ?? 2000);
const ROUNDS = Math.max(1, Math.round(TARGET / (NAMES + 2)));
const RUNS = Number(process.env.BENCH_RUNS ?? 5);

/** A chained changelog as apply writes it: per round one run, every name changed once. */
function writeChangelog(file) {
  const lines = [];
  let prev = null;
  let seq = 0;
  const t0 = Date.parse('2026-01-01T00:00:00Z');
  // IDs of one length, as the API's are (a recreate's new ID does not grow with each recreate).
  const idOf = (i, round) => `env_bench${String(i).padStart(6, '0')}r${String(round).padStart(4, '0')}`;
  const ids = Array.from({ length: NAMES }, (_, i) => idOf(i, 0));
  const push = (fields) => {
    const body = {
      v: 1,
      seq: ++seq,
      at: new Date(t0 + seq * 1000).toISOString(),
      op: 'begin',
      name: null,
      env_id: null,
      config_hash: null,
      config: null,
      description: null,
      metadata: null,
      lifecycle: null,
      replaces: null,
      source: null,
      git_commit: 'abcdef0123456789abcdef0123456789abcdef01',
      actor: 'github:bench',
      target: 'https://api.anthropic.com',
      plan_id: 'plan_bench',
      detail: null,
      prev,
      ...fields,
    };
    const entry = { ...body, hash: entryHash(body) };
    prev = entry.hash;
    lines.push(JSON.stringify(entry));
  };
  for (let round = 0; round < ROUNDS; round++) {
    const plan_id = `plan_${round}`;
    push({ op: 'begin', plan_id });
    for (let i = 0; i < NAMES; i++) {
      const name = `bench-env-${i}`;
      const limited = i % 3 === 0;
      const config = normalizeConfig({
        type: 'cloud',
        packages: {
          pip: [`pandas==2.2.${round % 10}`, 'numpy==2.1.3'],
          npm: [`typescript@5.${round % 8}.0`],
        },
        networking: limited
          ? { type: 'limited', allowed_hosts: [`api-${round % 5}.example.com`], allow_package_managers: true }
          : { type: 'unrestricted' },
      });
      const common = {
        name,
        config,
        config_hash: configHash(config),
        description: `Generated environment ${i}`,
        metadata: { team: `team-${i % 17}` },
        source: `environments/${name}.yaml:1`,
        plan_id,
      };
      // Every 10th round recreates one name in 20 (and archives the old ID, as apply does): a new lane for it.
      if (round > 0 && round % 10 === 0 && i % 20 === 0) {
        const old = ids[i];
        ids[i] = idOf(i, round);
        push({ ...common, op: 'recreate', env_id: ids[i], replaces: old });
        push({ ...common, op: 'archive', env_id: old, name: `${name}~0000000${round % 10}`, source: null });
      } else if (round > 0 && round % 7 === 0 && i % 13 === 0) {
        push({
          ...common,
          op: 'drift',
          env_id: ids[i],
          source: null,
          detail: 'live config no longer matches its tag',
        });
      } else push({ ...common, op: round === 0 ? 'create' : 'update', env_id: ids[i] });
    }
    push({ op: 'end', plan_id });
  }
  writeFileSync(file, `${lines.join('\n')}\n`);
  return lines.length;
}

const dir = mkdtempSync(path.join(tmpdir(), 'envsync-bench-history-'));
mkdirSync(path.join(dir, '.envsync'));
writeFileSync(path.join(dir, 'envsync.yaml'), 'project: bench\n');
const entries = writeChangelog(path.join(dir, '.envsync/changelog.jsonl'));

const runs = [];
for (let i = 0; i < RUNS; i++) {
  const r = await timeCli(['history', '--format', 'html', '--out', 'page.html'], { cwd: dir });
  if (r.code !== 0) throw new Error(`history failed (${r.code}): ${r.stderr}`);
  runs.push(r);
}
const json = await timeCli(['history', '--format', 'json'], { cwd: dir });
const page = path.join(dir, 'page.html');
const ms = median(runs.map((r) => r.ms));
const mb = statSync(page).size / 1e6;
console.log(
  `| entries | environments | history --format html (median of ${RUNS}) | peak RSS | page size | history --format json | target | result |`,
);
console.log('| ---: | ---: | ---: | ---: | ---: | ---: | --- | --- |');
console.log(
  `| ${entries.toLocaleString('en-US')} | ${NAMES.toLocaleString('en-US')} | ${ms.toFixed(0)} ms | ${Math.max(...runs.map((r) => r.rssMb)).toFixed(0)} MB | ${mb.toFixed(1)} MB | ${json.ms.toFixed(0)} ms | < 5 s | ${ms < 5000 ? 'met' : 'MISSED'} |`,
);

const chromiumPath = [process.env.CHROMIUM_PATH, '/usr/bin/chromium'].find((p) => p && existsSync(p));
if (chromiumPath) {
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({ executablePath: chromiumPath, args: ['--no-sandbox'] });
  const tab = await browser.newPage({ viewport: { width: 1200, height: 900 } });
  const t0 = performance.now();
  await tab.goto(`file://${page}`, { waitUntil: 'load' });
  const loaded = performance.now() - t0;
  const t1 = performance.now();
  await tab.click('#env-0 details.steps > summary');
  await tab.waitForSelector('#env-0 li.step');
  const opened = performance.now() - t1;
  const t2 = performance.now();
  await tab.click('#env-0 li.step summary');
  await tab.waitForSelector('#env-0 .detail');
  const step = performance.now() - t2;
  const t3 = performance.now();
  await tab.fill('#filter', 'bench-env-19');
  const shown = await tab.textContent('#filter-count');
  const filtered = performance.now() - t3;
  await browser.close();
  console.log('');
  console.log(
    '| in Chromium | load (parse + script) | open a name (first 200 steps) | open a step | filter by name |',
  );
  console.log('| --- | ---: | ---: | ---: | ---: |');
  console.log(
    `| ${chromiumPath} | ${loaded.toFixed(0)} ms | ${opened.toFixed(0)} ms | ${step.toFixed(0)} ms | ${filtered.toFixed(0)} ms (${shown}) |`,
  );
} else console.log('\n(no Chromium installed: page load not measured)');
