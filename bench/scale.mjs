// Benchmark (issue 23): validate, plan, status and verify --live at 2,000, 10,000 and 50,000 environments,
// all applied and one edited, the list served with 25 ms latency per request. The live side and the changelog
// are seeded straight into the emulator's state file and one run file (cloned from a real apply of one cycle
// of the generated configs, with fresh IDs, names and entry hashes), not made by creates. Reports the list
// requests (target ⌈N/1000⌉), time per environment (target: flat from the smallest N to the largest, within
// 20%), plan ÷ validate (target ≤ 1.3× from 10,000 up) and peak RSS (plan and apply of 50,000 under 1 GB).
// Run after `npm run build`; BENCH_SIZES=2000,10000 picks the sizes, BENCH_RUNS the rounds (default 5): each
// round runs validate, plan, status and verify --live once; the medians are reported, and plan ÷ validate is
// the median of the rounds' own ratios (a round's two runs share whatever the machine was doing then).
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { entryHash } from '../dist/src/changelog/entry.js';
import { startEmulator } from '../dist/src/emulator/index.js';
import { generateEnvironments, median, timeCli } from './lib/common.mjs';

const SIZES = (process.env.BENCH_SIZES ?? '2000,10000,50000').split(',').map(Number);
const PROJECT = 'bench';
// The generated configs repeat every lcm(10, 4, 3, 7) files: one real apply of a cycle gives every shape.
const CYCLE = 420;
const env = { ANTHROPIC_API_KEY: 'bench-key' };
const pad = (i) => String(i).padStart(5, '0');

function project(dir, name = PROJECT) {
  writeFileSync(path.join(dir, 'envsync.yaml'), `project: ${name}\ndir: environments\n`);
  return dir;
}

/** One cycle applied for real: the live environments and changelog entries every clone is made from. */
async function templates() {
  const dir = project(generateEnvironments(CYCLE));
  const statePath = path.join(dir, 'emulator-state.json');
  const emu = await startEmulator({ statePath });
  const fill = await timeCli(
    ['--base-url', emu.url, 'apply', '--auto-approve', '--quiet', '--parallelism', '16'],
    { cwd: dir, env },
  );
  await emu.close();
  if (fill.code !== 0) throw new Error(`template apply failed: ${fill.stderr}`);
  const state = JSON.parse(readFileSync(statePath, 'utf8'));
  const ws = Object.values(state.workspaces)[0];
  const live = new Map(ws.environments.items.map((item) => [item.value.name, item.value]));
  const logDir = path.join(dir, '.envsync/changelog');
  const [runFile] = readdirSync(logDir);
  const entries = readFileSync(path.join(logDir, runFile), 'utf8').trim().split('\n').map(JSON.parse);
  const created = new Map(entries.filter((e) => e.op === 'create').map((e) => [e.name, e]));
  return { state, entries, live, created };
}

/** N files, their environments in the emulator's state file and one run file recording their creates. */
function seed(n, t) {
  const dir = project(generateEnvironments(n));
  const at = '2026-01-01T00:00:00.000Z';
  const items = [];
  const steps = [];
  for (let i = 0; i < n; i++) {
    const name = `bench-env-${i}`;
    const id = `env_bench${pad(i)}${'x'.repeat(10)}`;
    const live = t.live.get(`bench-env-${i % CYCLE}`);
    const made = t.created.get(`bench-env-${i % CYCLE}`);
    const description = `Generated environment number ${i} for the benchmark`;
    const metadata = { team: `team-${i % 17}`, tier: String(i % 3) };
    items.push({
      seq: i + 1,
      value: {
        ...live,
        id,
        name,
        description,
        metadata: { ...live.metadata, ...metadata },
        created_at: at,
        updated_at: at,
      },
    });
    steps.push({
      ...made,
      name,
      env_id: id,
      description,
      metadata,
      source: `environments/bench-env-${pad(i)}.yaml:2`,
    });
  }
  const state = structuredClone(t.state);
  Object.values(state.workspaces)[0].environments = { next_seq: n + 1, items };
  writeFileSync(path.join(dir, 'emulator-state.json'), JSON.stringify(state));

  const [begin] = t.entries;
  const end = t.entries[t.entries.length - 1];
  const lines = [];
  let prev = null;
  const add = (entry) => {
    const body = { ...entry, seq: lines.length + 1, at, prev, hash: undefined };
    delete body.hash;
    const full = { ...body, hash: entryHash(body) };
    lines.push(JSON.stringify(full));
    prev = full.hash;
  };
  add({ ...begin, detail: JSON.stringify({ ...JSON.parse(begin.detail), create: n, widening: n }) });
  for (const s of steps) add(s);
  add({ ...end, detail: JSON.stringify({ ...JSON.parse(end.detail), created: n }) });
  mkdirSync(path.join(dir, '.envsync/changelog'), { recursive: true });
  writeFileSync(
    path.join(dir, '.envsync/changelog', `20260101T000000Z-${begin.plan_id}.jsonl`),
    `${lines.join('\n')}\n`,
    { flag: 'w' },
  );
  // One environment edited since the apply: the plan has one update.
  const edited = path.join(dir, 'environments', `bench-env-${pad(0)}.yaml`);
  writeFileSync(edited, readFileSync(edited, 'utf8').replace('number 0 for', 'number 0 (edited) for'));
  return dir;
}

async function measure(n, t) {
  const dir = seed(n, t);
  const runs = Number(process.env.BENCH_RUNS ?? 5);
  const emu = await startEmulator({ statePath: path.join(dir, 'emulator-state.json'), latencyMs: 25 });
  const api = ['--base-url', emu.url];
  const commands = {
    validate: { args: ['validate', '--quiet'], ok: [0] },
    plan: { args: [...api, 'plan', '--quiet', '--detailed-exitcode'], ok: [2] },
    status: { args: [...api, 'status', '--format', 'json'], ok: [0] },
    'verify --live': { args: [...api, 'verify', '--live'], ok: [0] },
  };
  // Untimed: the first command after the run file was written builds the changelog's snapshot cache, as the
  // apply that wrote it would have; what is timed is a plan on a machine that has run envsync before.
  const warm = await timeCli([...api, 'plan', '--quiet'], { cwd: dir, env });
  if (warm.code !== 0)
    throw new Error(`warm-up plan at ${n} exited ${warm.code}: ${warm.stderr.slice(0, 800)}`);
  const row = { n };
  const results = Object.fromEntries(Object.keys(commands).map((label) => [label, []]));
  // Interleaved (validate, plan, status, verify, then again): a machine that slows down for a while slows
  // every command of that round, not all the runs of one command; plan ÷ validate is also taken per round.
  for (let i = 0; i < runs; i++) {
    for (const [label, c] of Object.entries(commands)) {
      emu.resetStats();
      const r = await timeCli(c.args, { cwd: dir, env });
      if (!c.ok.includes(r.code))
        throw new Error(
          `${label} at ${n} exited ${r.code}: ${r.stdout.slice(0, 400)} ${r.stderr.slice(0, 800)}`,
        );
      const stats = emu.stats();
      results[label].push({
        ...r,
        requests: stats.byRoute['GET /v1/environments'] ?? 0,
        all: stats.requests,
      });
      console.error(`${n} ${label} run ${i + 1}: ${r.ms.toFixed(0)} ms, ${r.rssMb.toFixed(0)} MB`);
    }
  }
  for (const [label, rs] of Object.entries(results)) {
    row[label] = {
      ms: median(rs.map((r) => r.ms)),
      rss: Math.max(...rs.map((r) => r.rssMb)),
      requests: Math.max(...rs.map((r) => r.requests)),
      all: Math.max(...rs.map((r) => r.all)),
    };
  }
  row.ratios = results.plan.map((r, i) => r.ms / results.validate[i].ms);
  // The list alone: another project of one file, planned against the same organization, costs the process
  // and the one list of N environments (all of them another project's), and nearly nothing else.
  const lone = project(generateEnvironments(1, { prefix: 'lone-env' }), 'lone');
  const alone = [];
  for (let i = 0; i < runs; i++) {
    const r = await timeCli([...api, 'plan', '--quiet', '--detailed-exitcode'], { cwd: lone, env });
    if (r.code !== 2) throw new Error(`plan of one file at ${n} exited ${r.code}: ${r.stderr.slice(0, 800)}`);
    alone.push(r.ms);
  }
  row.listAlone = median(alone);
  // Apply last (it changes the state): the one update, with its peak memory.
  emu.resetStats();
  const apply = await timeCli([...api, 'apply', '--auto-approve', '--quiet'], { cwd: dir, env });
  if (apply.code !== 0) throw new Error(`apply at ${n} exited ${apply.code}: ${apply.stderr.slice(0, 800)}`);
  row.apply = { ms: apply.ms, rss: apply.rssMb, requests: emu.stats().requests };
  await emu.close();
  return row;
}

const t = await templates();
const rows = [];
for (const n of SIZES) {
  rows.push(await measure(n, t));
  console.error(`measured ${n}`);
}

const base = rows[0];
const perEnv = (row, label) => (row[label].ms * 1000) / row.n;
const [load1] = os.loadavg();
console.log(`Machine: ${os.cpus().length} cores, load average ${load1.toFixed(2)} when the run ended.`);
console.log('');
console.log(
  '| environments | validate | plan | plan ÷ validate (median of the rounds; each round) | one file against the same organization | status | verify --live | apply (1 update) | list requests (plan/status/verify) | µs per env (validate/plan/status/verify) | per env vs smallest (validate/plan) | peak RSS (validate/plan/apply) |',
);
console.log('| ---: | ---: | ---: | --- | ---: | ---: | ---: | ---: | --- | --- | --- | --- |');
for (const row of rows) {
  const ratio = median(row.ratios);
  const growth = ['validate', 'plan']
    .map((l) => `${(perEnv(row, l) / perEnv(base, l)).toFixed(2)}×`)
    .join(' / ');
  const per = ['validate', 'plan', 'status', 'verify --live']
    .map((l) => perEnv(row, l).toFixed(0))
    .join(' / ');
  const rounds = row.ratios.map((r) => `${r.toFixed(2)}×`).join(', ');
  console.log(
    `| ${row.n} | ${row.validate.ms.toFixed(0)} ms | ${row.plan.ms.toFixed(0)} ms | ${ratio.toFixed(2)}× (${rounds}) | ${row.listAlone.toFixed(0)} ms | ${row.status.ms.toFixed(0)} ms | ${row['verify --live'].ms.toFixed(0)} ms | ${row.apply.ms.toFixed(0)} ms | ${row.plan.requests} / ${row.status.requests} / ${row['verify --live'].requests} (⌈N/1000⌉ = ${Math.ceil(row.n / 1000)}) | ${per} | ${growth} | ${row.validate.rss.toFixed(0)} / ${row.plan.rss.toFixed(0)} / ${row.apply.rss.toFixed(0)} MB |`,
  );
}
