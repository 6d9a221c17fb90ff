// Benchmark: apply throughput.
//  (a) 300 creates through the emulator with 50 ms latency at --parallelism 8, against the bound
//      ⌈300/8⌉ × 50 ms (target ≤ 1.3×).
//  (b) 120 creates with the emulator and envsync both limited to 600 writes/min, against the 12 s rate
//      bound (target ≤ 1.2×, at most 5% of requests answered 429).
// The apply phase is timed from the changelog's own begin and end entries; the whole process is shown too.
// Run after `npm run build`.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { startEmulator } from '../dist/src/emulator/index.js';
import { generateEnvironments, timeCli } from './lib/common.mjs';

const env = { ANTHROPIC_API_KEY: 'bench-key' };

function applyPhaseMs(dir) {
  const entries = readFileSync(path.join(dir, '.envsync/changelog.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
  const begin = entries.findLast((e) => e.op === 'begin');
  const end = entries.findLast((e) => e.op === 'end');
  return Date.parse(end.at) - Date.parse(begin.at);
}

async function run({ n, emulator, args }) {
  const dir = generateEnvironments(n);
  const emu = await startEmulator(emulator);
  const r = await timeCli(
    ['--base-url', emu.url, 'apply', '--auto-approve', '--quiet', '--max-archive', '0', ...args],
    { cwd: dir, env },
  );
  const stats = emu.stats();
  await emu.close();
  if (r.code !== 0 || !r.stdout.includes(`${n} created`))
    throw new Error(`apply failed (${r.code}): ${r.stdout.slice(-300)} ${r.stderr.slice(-300)}`);
  return { phase: applyPhaseMs(dir), whole: r.ms, stats };
}

const rows = [];
{
  const n = 300;
  const bound = Math.ceil(n / 8) * 50;
  const r = await run({ n, emulator: { latencyMs: 50 }, args: ['--parallelism', '8'] });
  rows.push(
    `| (a) ${n} creates, 50 ms latency, parallelism 8 | ${bound} ms | ${r.phase} ms (${(r.phase / bound).toFixed(2)}×) | ${r.whole.toFixed(0)} ms | ${r.stats.requests} requests, ${r.stats.rateLimited} × 429 | ≤ 1.3× | ${r.phase / bound <= 1.3 ? 'met' : 'MISSED'} |`,
  );
}
{
  const n = 120;
  const bound = (n / 600) * 60_000;
  const r = await run({
    n,
    emulator: { rateLimit: { writesPerMinute: 600, readsPerMinute: 6000 } },
    args: ['--rate-limit', '600,6000'],
  });
  const share = r.stats.rateLimited / r.stats.requests;
  rows.push(
    `| (b) ${n} creates, both at 600 writes/min | ${bound} ms | ${r.phase} ms (${(r.phase / bound).toFixed(2)}×) | ${r.whole.toFixed(0)} ms | ${r.stats.requests} requests, ${r.stats.rateLimited} × 429 (${(share * 100).toFixed(1)}%) | ≤ 1.2×, ≤ 5% 429 | ${r.phase / bound <= 1.2 && share <= 0.05 ? 'met' : 'MISSED'} |`,
  );
}
console.log(
  '| benchmark | bound | apply phase (changelog begin → end) | whole process | server saw | target | result |',
);
console.log('| --- | ---: | ---: | ---: | --- | --- | --- |');
for (const row of rows) console.log(row);
