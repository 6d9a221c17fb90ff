// Benchmark: `envsync validate` over 1,000 environments that each extend one shared base (two levels deep),
// against the same 1,000 written out in full (bench/validate.mjs's files). Whole process, median of 7, in turns.
// Target (issue 28): bases cost at most 1.5× the plain files (the machine is shared, so the ratio of two runs
// made together is what is compared, not the absolute time). Run after `npm run build`.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { generateEnvironments, median, timeCli } from './lib/common.mjs';

const N = Number(process.env.BENCH_N ?? 1000);
const RUNS = 7;

function generateWithBases(n) {
  const dir = mkdtempSync(path.join(tmpdir(), 'envsync-bench-bases-'));
  const envDir = path.join(dir, 'environments');
  mkdirSync(path.join(envDir, 'bases'), { recursive: true });
  writeFileSync(
    path.join(envDir, 'bases/org.yaml'),
    'base: true\nmetadata: {cost-center: cc-1}\nconfig:\n  type: cloud\n  packages:\n    apt: [curl=7.88.1-10]\n',
  );
  writeFileSync(
    path.join(envDir, 'bases/python.yaml'),
    'base: true\nextends: org.yaml\ndescription: Generated environment for the benchmark\nconfig:\n  packages:\n    pip: [pandas==2.2.0, numpy==2.1.3, requests==2.32.3]\n  networking:\n    type: limited\n    allowed_hosts: [https://data.example.com]\n    allow_package_managers: true\n',
  );
  for (let i = 0; i < n; i++) {
    writeFileSync(
      path.join(envDir, `bench-env-${String(i).padStart(5, '0')}.yaml`),
      `name: bench-env-${i}
extends: bases/python.yaml
metadata:
  team: team-${i % 17}
  tier: "${i % 3}"
config:
  packages:
    pip: [pandas==2.2.${i % 10}]
    npm: [typescript@5.6.${i % 4}]
  networking:
    allowed_hosts: [api-${i % 7}.example.com]
`,
    );
  }
  return dir;
}

/** validate over each folder, RUNS times, the two taking turns so a busy moment on the machine hits both alike. */
async function measureInTurns(dirs) {
  const runs = dirs.map(() => []);
  for (let i = 0; i < RUNS; i++) {
    for (const [k, dir] of dirs.entries()) {
      const r = await timeCli(['validate', 'environments', '--quiet'], { cwd: dir });
      if (r.code !== 0) throw new Error(`validate failed (${r.code}):\n${r.stdout}\n${r.stderr}`);
      runs[k].push(r);
    }
  }
  return runs.map((list) => ({
    ms: median(list.map((r) => r.ms)),
    rss: Math.max(...list.map((r) => r.rssMb)),
  }));
}

const [plain, bases] = await measureInTurns([generateEnvironments(N), generateWithBases(N)]);
const ratio = bases.ms / plain.ms;
const met = ratio <= 1.5;
console.log(
  `| validate with bases | ${N} files, 2 bases | median ${bases.ms.toFixed(0)} ms of ${RUNS} | plain files ${plain.ms.toFixed(0)} ms | ratio ${ratio.toFixed(2)} | peak RSS ${bases.rss.toFixed(0)} MB | target ≤ 1.5× | ${met ? 'met' : 'MISSED'} |`,
);
