// Benchmark: plan, status, `history NAME` and `verify` with a 100,000-entry history (1,000 run files)
// against a history of one run, on the same 20 live environments (`history NAME` asks about one whose own
// history is the same in both, so it measures what the other 99,999 entries cost). Targets: plan and status ≤ 1.1×,
// `history NAME` ≤ 1.5×, verify of 100,000 entries ≤ 3 s. Run after `npm run build`.
import { cpSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { entryHash } from '../dist/src/changelog/entry.js';
import { startEmulator } from '../dist/src/emulator/index.js';
import { generateEnvironments, median, timeCli } from './lib/common.mjs';

const ENVS = 20;
const RUNS = Number(process.env.BENCH_RUNS ?? 1000);
const PER_RUN = 100; // begin, 98 updates, end
const TIMES = Number(process.env.BENCH_TIMES ?? 9);
const small = generateEnvironments(ENVS);
writeFileSync(path.join(small, 'envsync.yaml'), 'project: bench\n');
const statePath = path.join(small, 'emulator-state.json');
const env = { ANTHROPIC_API_KEY: 'bench-key' };
const emu = await startEmulator({ statePath });
const base = ['--base-url', emu.url];
const fill = await timeCli([...base, 'apply', '--auto-approve', '--quiet'], { cwd: small, env });
if (fill.code !== 0) throw new Error(`fill failed: ${fill.stderr}`);

// The large history: the same first run, then RUNS runs that each re-record the live state (so every
// command still finds the history in step with live), chained by begin.parents.
const large = `${small}-large`;
cpSync(small, large, { recursive: true });
const dir = path.join(large, '.envsync/changelog');
const [first] = readdirSync(dir).filter((f) => f.endsWith('.jsonl'));
const firstLines = readFileSync(path.join(dir, first), 'utf8')
  .trim()
  .split('\n')
  .map((l) => JSON.parse(l));
const creates = firstLines.filter((e) => e.op === 'create');
let tip = firstLines.at(-1).hash;
const start = Date.parse(firstLines[0].at) + 1000;
let bytes = 0;
for (let r = 0; r < RUNS; r++) {
  const at = new Date(start + r * 1000);
  const planId = `plan_bench${String(r).padStart(5, '0')}`;
  const stamp = at
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
  const lines = [];
  let prev = null;
  const push = (fields, seq) => {
    const body = {
      v: 2,
      seq,
      at: at.toISOString(),
      ...fields,
      git_commit: null,
      git_dirty: false,
      actor: 'bench',
      target: emu.url,
      workspace: null,
      plan_id: planId,
      prev,
    };
    const full = { ...body, hash: entryHash(body) };
    prev = full.hash;
    lines.push(JSON.stringify(full));
  };
  const frame = {
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
  };
  push({ ...frame, detail: null, parents: [tip] }, 1);
  for (let i = 0; i < PER_RUN - 2; i++) {
    // The first environment keeps its one entry: `history NAME` of it measures the cost of the rest.
    const c = creates[1 + (i % (creates.length - 1))];
    push(
      {
        op: 'update',
        name: c.name,
        env_id: c.env_id,
        config_hash: c.config_hash,
        config: c.config,
        description: c.description,
        metadata: c.metadata,
        lifecycle: c.lifecycle,
        replaces: null,
        source: c.source,
        detail: null,
        parents: null,
      },
      i + 2,
    );
  }
  push({ ...frame, op: 'end', detail: '{"uncertain":[]}', parents: null }, PER_RUN);
  tip = prev;
  const text = `${lines.join('\n')}\n`;
  bytes += text.length;
  writeFileSync(path.join(dir, `${stamp}-${planId}.jsonl`), text);
}
const entries = RUNS * PER_RUN + firstLines.length;

/**
 * Both histories, timed in turns (small, large, small, …) so the machine's load drifts over both alike;
 * one cold run of each first builds the snapshot cache that later runs use (reported apart).
 */
async function timedPair(args, expectCode = 0) {
  const out = {};
  for (const [key, cwd] of [
    ['s', small],
    ['l', large],
  ]) {
    const cold = await timeCli([...base, ...args], { cwd, env });
    if (cold.code !== expectCode)
      throw new Error(`${args.join(' ')} failed (${cold.code}): ${cold.stderr.slice(0, 400)}`);
    out[key] = { cold: cold.ms, runs: [] };
  }
  for (let i = 0; i < TIMES; i++) {
    out.s.runs.push(await timeCli([...base, ...args], { cwd: small, env }));
    out.l.runs.push(await timeCli([...base, ...args], { cwd: large, env }));
  }
  const sum = (x) => ({
    cold: x.cold,
    ms: median(x.runs.map((r) => r.ms)),
    rss: Math.max(...x.runs.map((r) => r.rssMb)),
  });
  return { s: sum(out.s), l: sum(out.l) };
}

const rows = [];
const name = creates[0].name;
for (const [label, args, target] of [
  ['plan', ['plan', '--quiet'], 1.1],
  ['status', ['status'], 1.1],
  [`history ${name}`, ['history', name], 1.5],
  ['verify', ['verify'], null],
]) {
  const { s, l } = await timedPair(args);
  const ratio = l.ms / s.ms;
  const ok = target === null ? l.ms <= 3000 : ratio <= target;
  rows.push(
    `| ${label} | ${s.ms.toFixed(0)} ms | ${l.ms.toFixed(0)} ms | ${ratio.toFixed(2)}× | ${l.cold.toFixed(0)} ms | ${l.rss.toFixed(0)} MB | ${target === null ? '≤ 3,000 ms' : `≤ ${target}×`} | ${ok ? 'met' : 'MISSED'} |`,
  );
}
await emu.close();
console.log(
  `${entries} entries in ${RUNS + 1} run files, ${(bytes / 1e6).toFixed(1)} MB; ${ENVS} live environments\n`,
);
console.log(
  `| command | 1 run (median of ${TIMES}) | 100k entries (median of ${TIMES}, in turns) | ratio | 100k, first run (builds the cache) | peak RSS | target | result |`,
);
console.log('| --- | ---: | ---: | ---: | ---: | ---: | --- | --- |');
for (const r of rows) console.log(r);
