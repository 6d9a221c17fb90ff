// npm run demo: the main job on the shipped environments (grows with plan/apply).
import { spawnSync } from 'node:child_process';

const r = spawnSync(process.execPath, ['dist/src/cli/bin.js', 'validate', 'environments'], {
  stdio: 'inherit',
});
process.exitCode = r.status ?? 1;
