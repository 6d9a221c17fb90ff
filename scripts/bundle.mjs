// Bundles the compiled CLI (dist/src/cli/bin.js) into dist/cli/: the executable plus one chunk per lazily
// loaded command and the code they share, with the dependencies inside. `validate` then loads 11 files instead
// of 116 modules (72 of them yaml's CommonJS files), which is what keeps it within 2× a bare `node`
// (bench/startup.mjs: 2.37× unbundled, 1.75× bundled). `npm run build` runs it after tsc; package.json's bin points
// here, and the tests, demo, action and benches run this file, so what ships is what is tested.

import { chmodSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const outdir = path.join(root, 'dist/cli');

rmSync(outdir, { recursive: true, force: true });
const result = await build({
  entryPoints: { bin: path.join(root, 'dist/src/cli/bin.js') },
  outdir,
  bundle: true,
  splitting: true, // dynamic import() of a command stays lazy: validate never loads the SDK
  format: 'esm',
  platform: 'node',
  target: 'node20',
  chunkNames: 'chunks/[name]-[hash]',
  // The CommonJS dependencies (yaml, commander) call require() for Node's own modules.
  banner: {
    js: "import { createRequire as __envsyncRequire } from 'node:module';\nconst require = __envsyncRequire(import.meta.url);",
  },
  legalComments: 'linked',
  logLevel: 'warning',
  metafile: true,
});
chmodSync(path.join(outdir, 'bin.js'), 0o755);
// What each output holds and imports, outside dist/cli so it does not ship: test/integration/bundle.test.ts
// reads it to check that a command's static imports never reach modules it does not need.
writeFileSync(path.join(root, 'dist/cli-meta.json'), JSON.stringify(result.metafile));
