// Shared by the benchmark scripts: generate environment files and time whole CLI processes.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const BIN = path.join(ROOT, 'dist/cli/bin.js');
const PRELOAD = path.join(ROOT, 'bench/lib/report-rss.mjs');

/** Writes n realistic environment files (one per file) into a new temp dir and returns it. */
export function generateEnvironments(n, { prefix = 'bench-env' } = {}) {
  const dir = mkdtempSync(path.join(tmpdir(), 'envsync-bench-'));
  const envDir = path.join(dir, 'environments');
  mkdirSync(envDir);
  for (let i = 0; i < n; i++) {
    const limited = i % 3 === 0;
    writeFileSync(
      path.join(envDir, `${prefix}-${String(i).padStart(5, '0')}.yaml`),
      `# yaml-language-server: $schema=../schema/environment.schema.json
name: ${prefix}-${i}
description: Generated environment number ${i} for the benchmark
metadata:
  team: team-${i % 17}
  tier: "${i % 3}"
config:
  type: cloud
  packages:
    pip: [pandas==2.2.${i % 10}, numpy==2.1.3, requests==2.32.3]
    npm: [typescript@5.6.${i % 4}]
    apt: [curl=7.88.1-10]
  networking:
    type: ${limited ? 'limited' : 'unrestricted'}
${limited ? `    allowed_hosts: [api-${i % 7}.example.com, https://data.example.com]\n    allow_package_managers: true\n` : ''}`,
    );
  }
  return dir;
}

/**
 * Runs the CLI once as a whole process; resolves to wall ms, peak RSS in MB, exit code and output.
 * Asynchronous, so an emulator running in this process keeps serving while the CLI talks to it.
 */
export function timeCli(args, { cwd, env = {} } = {}) {
  const rssFile = path.join(mkdtempSync(path.join(tmpdir(), 'envsync-rss-')), 'rss');
  const start = process.hrtime.bigint();
  // BENCH_NODE_ARGS='--cpu-prof --cpu-prof-dir=/tmp/prof' profiles each CLI process.
  const nodeArgs = (process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const child = spawn(process.execPath, [...nodeArgs, '--import', PRELOAD, BIN, ...args], {
    cwd,
    env: { ...process.env, ...env, BENCH_RSS_FILE: rssFile },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => {
      const ms = Number(process.hrtime.bigint() - start) / 1e6;
      let rssMb = Number.NaN;
      try {
        rssMb = Number(readFileSync(rssFile, 'utf8')) / 1024;
      } catch {}
      resolve({ ms, rssMb, code, stdout, stderr });
    });
  });
}

export function median(values) {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}
