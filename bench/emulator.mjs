// Benchmark: the local Environments API with 10,000 environments — create rate, list throughput through the SDK,
// server memory, and durable writes against a 10k state file. Run after `npm run build`.
// The emulator runs in this process (loaded over HTTP through the SDK); a second run of the built CLI in a child
// process gives the server's RSS without the client's.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import v8 from 'node:v8';
import vm from 'node:vm';
import Anthropic from '@anthropic-ai/sdk';
import pLimit from 'p-limit';
import { startEmulator } from '../dist/src/emulator/index.js';
import { EnvironmentStore } from '../dist/src/emulator/store.js';

const N = Number(process.env.BENCH_N ?? 10_000);
const RUNS = 5;
v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc');
const mb = (bytes) => (bytes / 1024 / 1024).toFixed(1);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function body(i) {
  const limited = i % 3 === 0;
  return {
    name: `bench-env-${i}`,
    description: `Generated environment number ${i} for the benchmark`,
    metadata: { team: `team-${i % 17}`, tier: String(i % 3), envsync_managed: 'true' },
    config: {
      type: 'cloud',
      packages: {
        pip: [`pandas==2.2.${i % 10}`, 'numpy==2.1.3', 'requests==2.32.3'],
        npm: ['typescript@5.6.3'],
      },
      networking: limited
        ? {
            type: 'limited',
            allowed_hosts: ['api.example.com', `svc-${i}.example.com`],
            allow_package_managers: true,
          }
        : { type: 'unrestricted' },
    },
  };
}

const rows = [];
gc();
const base = process.memoryUsage();

// 1. Create N environments over HTTP through the SDK (memory-only emulator), 32 in flight.
const emu = await startEmulator({});
const client = new Anthropic({ apiKey: 'bench', baseURL: emu.url, maxRetries: 0 });
const limit = pLimit(32);
let t = performance.now();
await Promise.all(
  Array.from({ length: N }, (_, i) =>
    limit(() => client.beta.environments.create(body(i)).then(() => undefined)),
  ),
);
let ms = performance.now() - t;
rows.push([
  'create via SDK (32 in flight)',
  `${N}`,
  `${ms.toFixed(0)} ms`,
  `${((N / ms) * 1000).toFixed(0)} env/s`,
]);

// 2. Memory of the loaded server (this process also holds the SDK client; the baseline is taken before both).
gc();
const loaded = process.memoryUsage();

// 3. Full list iterations through the SDK's auto-pagination.
for (const pageSize of [1000, 100]) {
  const times = [];
  for (let r = 0; r < RUNS; r++) {
    t = performance.now();
    let n = 0;
    for await (const _ of client.beta.environments.list({ limit: pageSize })) n++;
    times.push(performance.now() - t);
    if (n !== N) throw new Error(`listed ${n}, expected ${N}`);
  }
  ms = median(times);
  rows.push([
    `list all, limit ${pageSize} (median of ${RUNS})`,
    `${N}`,
    `${ms.toFixed(0)} ms`,
    `${((N / ms) * 1000).toFixed(0)} env/s`,
  ]);
}
await emu.close();

// 4. Durable writes: start on a 10k state file, then 500 updates, 32 in flight (group commit).
const dir = mkdtempSync(path.join(tmpdir(), 'envsync-bench-emu-'));
const statePath = path.join(dir, 'state.json');
let n = 0;
const store = new EnvironmentStore({
  nameScope: 'all',
  newId: () => `env_${String(n++).padStart(24, '0')}`,
  now: () => Date.now(),
});
const ids = Array.from({ length: N }, (_, i) => JSON.parse(store.create({ ...body(i), scope: null })).id);
writeFileSync(statePath, store.serialize());
t = performance.now();
const durable = await startEmulator({ statePath });
rows.push([
  `start on a ${mb(statSync(statePath).size)} MB state file`,
  `${N}`,
  `${(performance.now() - t).toFixed(0)} ms`,
  '',
]);
const writer = new Anthropic({ apiKey: 'bench', baseURL: durable.url, maxRetries: 0 });
const UPDATES = 500;
t = performance.now();
await Promise.all(
  Array.from({ length: UPDATES }, (_, i) =>
    limit(() =>
      writer.beta.environments.update(ids[i * 7], { description: `updated ${i}` }).then(() => undefined),
    ),
  ),
);
ms = performance.now() - t;
rows.push([
  `durable updates on the ${N}-env state (32 in flight)`,
  `${UPDATES}`,
  `${ms.toFixed(0)} ms`,
  `${((UPDATES / ms) * 1000).toFixed(0)} updates/s`,
]);
await durable.close();

// 5. The heap the data itself takes: a bare store of N environments, measured around its construction.
gc();
const beforeStore = process.memoryUsage().heapUsed;
const bare = new EnvironmentStore({
  nameScope: 'all',
  newId: () => `env_${String(n++).padStart(24, '0')}`,
  now: () => Date.now(),
});
for (let i = 0; i < N; i++) bare.create({ ...body(i), scope: null });
bare.list({ limit: 1000, page: null, includeArchived: true }); // fills the per-environment JSON cache like a list does
gc();
const storeHeap = process.memoryUsage().heapUsed - beforeStore;

// 6. The server alone: the built CLI in a child process, loaded with N over HTTP, RSS read from /proc (Linux).
const child = spawn(
  process.execPath,
  [path.resolve(import.meta.dirname, '../dist/cli/bin.js'), 'emulator', '--port', '0'],
  {
    stdio: ['ignore', 'pipe', 'ignore'],
  },
);
const url = await new Promise((resolve) =>
  child.stdout.on('data', (d) => {
    const m = /listening on (\S+)/.exec(String(d));
    if (m) resolve(m[1]);
  }),
);
const remote = new Anthropic({ apiKey: 'bench', baseURL: url, maxRetries: 0 });
await Promise.all(
  Array.from({ length: N }, (_, i) =>
    limit(() => remote.beta.environments.create(body(i)).then(() => undefined)),
  ),
);
t = performance.now();
let listed = 0;
for await (const _ of remote.beta.environments.list({ limit: 1000 })) listed++;
const childListMs = performance.now() - t;
let childRss = 'n/a';
try {
  const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
  const kb = (key) => Number(new RegExp(`${key}:\\s+(\\d+)`).exec(status)?.[1]) * 1024;
  childRss = `${mb(kb('VmRSS'))} MB (peak ${mb(kb('VmHWM'))} MB)`;
} catch {}
child.kill('SIGTERM');
rows.push([
  `list all, limit 1000, server in a child process`,
  `${listed}`,
  `${childListMs.toFixed(0)} ms`,
  `${((listed / childListMs) * 1000).toFixed(0)} env/s`,
]);

console.log(`| emulator, ${N} environments | n | time | rate |`);
console.log('|---|---|---|---|');
for (const row of rows) console.log(`| ${row.join(' | ')} |`);
console.log(
  `| memory in-process after loading ${N} (server + SDK client; delta from baseline, after GC) | | RSS ${mb(loaded.rss)} MB (+${mb(loaded.rss - base.rss)}) | heap used ${mb(loaded.heapUsed)} MB (+${mb(loaded.heapUsed - base.heapUsed)}) |`,
);
console.log(
  `| heap of the store alone (${N} environments, JSON cache filled) | | ${mb(storeHeap)} MB | ${(storeHeap / N).toFixed(0)} B/env |`,
);
console.log(`| server process RSS after loading ${N} over HTTP (child process) | | ${childRss} | |`);
