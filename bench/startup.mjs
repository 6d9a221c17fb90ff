// Benchmark: start-up. `envsync --version` and `envsync validate` of one file against a bare `node -e 0`,
// whole processes, median of 15 (interleaved, so load on the machine hits all three alike).
// Targets (issue 15): --version ≤ 1.5× and validate of one file ≤ 2× a bare node. Run after `npm run build`.
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { BIN, median, ROOT } from './lib/common.mjs';

const RUNS = Number(process.env.BENCH_RUNS ?? 15);
const dir = mkdtempSync(path.join(tmpdir(), 'envsync-startup-'));
copyFileSync(path.join(ROOT, 'environments/data-analysis.yaml'), path.join(dir, 'data-analysis.yaml'));

const cases = {
  node: [process.execPath, ['-e', '0']],
  version: [process.execPath, [BIN, '--version']],
  validate: [process.execPath, [BIN, 'validate', dir]],
};
const times = { node: [], version: [], validate: [] };
for (let i = 0; i < RUNS; i++) {
  for (const [name, [cmd, args]] of Object.entries(cases)) {
    const start = process.hrtime.bigint();
    const r = spawnSync(cmd, args, { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`${name} failed: ${r.stderr}`);
    times[name].push(Number(process.hrtime.bigint() - start) / 1e6);
  }
}
const base = median(times.node);
const row = (name, label, target) => {
  const ms = median(times[name]);
  const ratio = ms / base;
  return `| ${label} | ${ms.toFixed(0)} ms | ${ratio.toFixed(2)}× | ≤ ${target}× | ${ratio <= target ? 'met' : 'MISSED'} |`;
};
console.log(`| command | median of ${RUNS} | vs \`node -e 0\` (${base.toFixed(0)} ms) | target | result |`);
console.log('| --- | ---: | ---: | --- | --- |');
console.log(row('version', '`envsync --version`', 1.5));
console.log(row('validate', '`envsync validate` (one file)', 2));
