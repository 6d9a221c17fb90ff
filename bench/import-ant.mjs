// Benchmark: `envsync import --from-ant` of N environments a claude-lock.json tracks (made without envsync's
// tags, as ant apply leaves them), through the emulator with 25 ms latency per request: the dry run, the
// adoption with the hand-over, and what reading the lock adds to `plan`. Run after `npm run build`.
import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import Anthropic from '@anthropic-ai/sdk';
import { EMULATOR_ORGANIZATION_ID, startEmulator } from '../dist/src/emulator/index.js';
import { generateEnvironments, median, timeCli } from './lib/common.mjs';

const N = Number(process.env.BENCH_N ?? 500);
const RUNS = 5;
const dir = generateEnvironments(N);
const statePath = path.join(dir, 'emulator-state.json');
const env = { ANTHROPIC_API_KEY: 'bench-key' };
writeFileSync(path.join(dir, 'envsync.yaml'), 'project: bench\n');

// What ant left: the environments, made from the same files, without envsync's tags and in no changelog.
let emu = await startEmulator({ statePath });
const scratch = path.join(dir, 'scratch-changelog');
const fill = await timeCli(
  [
    '--base-url',
    emu.url,
    '--changelog',
    scratch,
    'apply',
    '--auto-approve',
    '--quiet',
    '--parallelism',
    '16',
  ],
  { cwd: dir, env },
);
if (fill.code !== 0) throw new Error(`fill failed: ${fill.stderr}`);
rmSync(scratch, { recursive: true });
const sdk = new Anthropic({ apiKey: 'bench-key', baseURL: emu.url, maxRetries: 0 });
const live = [];
for await (const e of sdk.beta.environments.list({ limit: 1000 })) live.push(e);
for (const e of live)
  await sdk.beta.environments.update(e.id, {
    metadata: { envsync_managed: null, envsync_config_hash: null },
  });
const entries = Object.fromEntries(
  live.map((e) => [
    `./environments/${e.name.replace(/-(\d+)$/, (_m, n) => `-${n.padStart(5, '0')}`)}.yaml`,
    { kind: 'environment', id: e.id, hash: 'h', remote_hash: 'r' },
  ]),
);
const origin = {
  base_url: emu.url,
  organization_id: EMULATOR_ORGANIZATION_ID,
  workspace_id: 'wrkspc_default',
};
writeFileSync(
  path.join(dir, 'claude-lock.json'),
  JSON.stringify({ version: 1, origin, resources: entries }, null, 2),
);
await emu.close();
emu = await startEmulator({ statePath, latencyMs: 25 });

const run = async (args, expectCode) => {
  emu.resetStats();
  const r = await timeCli(['--base-url', emu.url, ...args], { cwd: dir, env });
  if (r.code !== expectCode)
    throw new Error(`${args.join(' ')} exited ${r.code}: ${r.stdout.slice(-500)} ${r.stderr.slice(-500)}`);
  return { ...r, requests: emu.stats().requests };
};

const blocked = [];
const dry = [];
for (let i = 0; i < RUNS; i++) {
  blocked.push(await run(['plan', '--quiet'], 3));
  dry.push(await run(['import', '--from-ant', '--quiet'], 2));
}
const applied = await run(['import', '--from-ant', '--apply', '--hand-over', '--quiet'], 0);
const after = [];
for (let i = 0; i < RUNS; i++) after.push(await run(['plan', '--quiet'], 0));
await emu.close();

const row = (what, runs, note) =>
  `| ${what} | ${N} | ${Math.max(...runs.map((r) => r.requests))} | ${median(runs.map((r) => r.ms)).toFixed(0)} ms | ${Math.max(...runs.map((r) => r.rssMb)).toFixed(0)} MB | ${note} |`;
console.log(
  '| benchmark (25 ms latency) | environments | API requests | wall time (median) | peak RSS | note |',
);
console.log('| --- | ---: | ---: | ---: | ---: | --- |');
console.log(row('`plan` while the lock tracks them (all blocked)', blocked, `median of ${RUNS}`));
console.log(row('`import --from-ant` (dry run)', dry, `median of ${RUNS}`));
console.log(row('`import --from-ant --apply --hand-over`', [applied], 'one run'));
console.log(row('`plan` after the hand-over', after, `median of ${RUNS}`));
