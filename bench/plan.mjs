// Benchmark: `envsync plan` of 2,000 desired against 2,000 live environments through the emulator with
// 25 ms latency per request. Reports the API requests plan made (target: 2, one paginated list) and its
// wall time against `envsync validate` on the same files (target: ≤ 1.5×). Run after `npm run build`.
import path from 'node:path';
import { startEmulator } from '../dist/src/emulator/index.js';
import { generateEnvironments, median, timeCli } from './lib/common.mjs';

const N = Number(process.env.BENCH_N ?? 2000);
const RUNS = 5;
const dir = generateEnvironments(N);
const statePath = path.join(dir, 'emulator-state.json');
const env = { ANTHROPIC_API_KEY: 'bench-key' };

// Fill the live side with a real apply, fast, then serve the same state with latency.
let emu = await startEmulator({ statePath });
const fill = await timeCli(
  ['--base-url', emu.url, 'apply', '--auto-approve', '--quiet', '--parallelism', '16'],
  { cwd: dir, env },
);
if (fill.code !== 0) throw new Error(`fill failed: ${fill.stderr}`);
await emu.close();
emu = await startEmulator({ statePath, latencyMs: 25 });

const plans = [];
const validates = [];
for (let i = 0; i < RUNS; i++) {
  emu.resetStats();
  const p = await timeCli(['--base-url', emu.url, 'plan', '--quiet'], { cwd: dir, env });
  if (p.code !== 0 || p.stdout.trim() !== 'No changes.')
    throw new Error(`plan failed (${p.code}): ${p.stdout.slice(0, 500)} ${p.stderr}`);
  plans.push({ ...p, requests: emu.stats().requests });
  validates.push(await timeCli(['validate', '--quiet'], { cwd: dir }));
}
await emu.close();
const planMs = median(plans.map((p) => p.ms));
const validateMs = median(validates.map((v) => v.ms));
const requests = Math.max(...plans.map((p) => p.requests));
const ratio = planMs / validateMs;
console.log(
  '| benchmark | environments | API requests | plan (median of 5) | validate (median of 5) | ratio | plan peak RSS | target | result |',
);
console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- |');
console.log(
  `| plan, 25 ms latency | ${N} | ${requests} | ${planMs.toFixed(0)} ms | ${validateMs.toFixed(0)} ms | ${ratio.toFixed(2)}× | ${Math.max(...plans.map((p) => p.rssMb)).toFixed(0)} MB | 2 requests, ≤ 1.5× | ${requests <= 2 && ratio <= 1.5 ? 'met' : 'MISSED'} |`,
);
