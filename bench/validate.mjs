// Benchmark: `envsync validate` over 1,000 generated files, whole process, median of 5 and peak memory.
// Target (issue 2): ≤ 1.0 s and ≤ 200 MB on the 2-core machine. Run after `npm run build`.
import { generateEnvironments, median, timeCli } from './lib/common.mjs';

const N = Number(process.env.BENCH_N ?? 1000);
const RUNS = 5;
const dir = generateEnvironments(N);
const runs = [];
for (let i = 0; i < RUNS; i++) {
  const r = await timeCli(['validate', 'environments', '--quiet'], { cwd: dir });
  if (r.code !== 0) throw new Error(`validate failed (${r.code}):\n${r.stdout}\n${r.stderr}`);
  runs.push(r);
}
const ms = median(runs.map((r) => r.ms));
const rss = Math.max(...runs.map((r) => r.rssMb));
console.log(
  `| validate | ${N} files | median ${ms.toFixed(0)} ms of ${RUNS} (min ${Math.min(...runs.map((r) => r.ms)).toFixed(0)}, max ${Math.max(...runs.map((r) => r.ms)).toFixed(0)}) | peak RSS ${rss.toFixed(0)} MB | target ≤ 1000 ms, ≤ 200 MB | ${ms <= 1000 && rss <= 200 ? 'met' : 'MISSED'} |`,
);
