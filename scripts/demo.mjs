// npm run demo: the main job on the shipped environments, against the embedded local API, from a clean state.

import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const bin = path.join(root, 'dist/cli/bin.js');
rmSync(path.join(root, '.envsync/local'), { recursive: true, force: true });

const steps = [
  ['validate', 'environments'],
  ['plan', 'environments', '--local'],
  ['apply', 'environments', '--local', '--auto-approve'],
  ['plan', 'environments', '--local'],
];
for (const args of steps) {
  process.stdout.write(`\n$ envsync ${args.join(' ')}\n`);
  const r = spawnSync(process.execPath, [bin, ...args], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) {
    process.stderr.write(`demo: \`envsync ${args.join(' ')}\` exited ${r.status}\n`);
    process.exit(r.status ?? 1);
  }
}
