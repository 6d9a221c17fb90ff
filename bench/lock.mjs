// Benchmark: `envsync lock` of 200 environments naming 1,000 distinct packages (pip, npm, cargo, gem, go)
// against the local registries (their real response shapes, generated). Reports the registry requests of
// a first run (target: one per distinct package per registry; Go modules need four: the version list, the
// newest go.mod for retractions, the chosen version's .info and its checksum database line), of a second
// run (target: 0, every answer fresh in the cache), of a run without envsync.lock (the cache alone: 0),
// and the wall time of each. Run after `npm run build`.
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { registryUrls, startRegistries } from '../dist/src/emulator/registries.js';
import { timeCli } from './lib/common.mjs';

const ENVS = 200;
const COUNTS = { pip: 350, npm: 300, cargo: 150, gem: 150, go: 50 };
const VERSIONS = ['1.0.0', '1.1.0', '1.2.0', '1.2.1', '2.0.0'];
const sha = (s) => createHash('sha256').update(s).digest('hex');
const write = (file, text) => {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, text);
};

/** The fixture folder: each package with five versions, in its registry's shape. */
function makeRegistries(root) {
  for (let i = 0; i < COUNTS.pip; i++) {
    const name = `pkg-${i}`;
    const releases = Object.fromEntries(
      VERSIONS.map((v, k) => [
        v,
        [
          {
            filename: `${name}-${v}.tar.gz`,
            packagetype: 'sdist',
            digests: { sha256: sha(name + v) },
            upload_time_iso_8601: `2024-0${k + 1}-01T00:00:00.000000Z`,
            yanked: false,
            yanked_reason: null,
          },
        ],
      ]),
    );
    write(
      path.join(root, `pypi/${name}.json`),
      JSON.stringify({ info: { name, version: '2.0.0' }, releases }),
    );
  }
  for (let i = 0; i < COUNTS.npm; i++) {
    const name = `npm-pkg-${i}`;
    const versions = Object.fromEntries(
      VERSIONS.map((v) => [
        v,
        { name, version: v, dist: { integrity: `sha512-${Buffer.from(sha(name + v)).toString('base64')}` } },
      ]),
    );
    const time = Object.fromEntries(VERSIONS.map((v, k) => [v, `2024-0${k + 1}-01T00:00:00.000Z`]));
    write(
      path.join(root, `npm/${name}.json`),
      JSON.stringify({ name, 'dist-tags': { latest: '2.0.0' }, versions, time }),
    );
  }
  for (let i = 0; i < COUNTS.cargo; i++) {
    const name = `crate${i}`;
    const lines = VERSIONS.map((v, k) =>
      JSON.stringify({
        name,
        vers: v,
        deps: [],
        cksum: sha(name + v),
        features: {},
        yanked: false,
        pubtime: `2024-0${k + 1}-01T00:00:00Z`,
      }),
    );
    write(path.join(root, `crates/${name}`), `${lines.join('\n')}\n`);
  }
  for (let i = 0; i < COUNTS.gem; i++) {
    const name = `gem${i}`;
    const list = VERSIONS.map((v, k) => ({
      number: v,
      platform: 'ruby',
      prerelease: false,
      created_at: `2024-0${k + 1}-01T00:00:00.000Z`,
      sha: sha(name + v),
    }));
    write(path.join(root, `rubygems/${name}.json`), JSON.stringify(list));
  }
  for (let i = 0; i < COUNTS.go; i++) {
    const module = `example.com/mod${i}`;
    const base = path.join(root, 'go', module, '@v');
    write(path.join(base, 'list'), `${VERSIONS.map((v) => `v${v}`).join('\n')}\n`);
    VERSIONS.forEach((v, k) => {
      write(
        path.join(base, `v${v}.info`),
        JSON.stringify({ Version: `v${v}`, Time: `2024-0${k + 1}-01T00:00:00Z` }),
      );
      write(path.join(base, `v${v}.mod`), `module ${module}\n\ngo 1.22\n`);
      write(
        path.join(root, 'go/sumdb/sum.golang.org/lookup', `${module}@v${v}`),
        `1\n${module} v${v} h1:${Buffer.from(sha(module + v), 'hex').toString('base64')}\n${module} v${v}/go.mod h1:x\n\n`,
      );
    });
  }
}

/** 200 environments; every package named by at least one, most by several, in every spec form. */
function makeProject(dir, url) {
  const specs = [];
  const forms = {
    pip: (n, i) => [n, `${n}>=1.1,<2`, `${n}==1.2.0`][i % 3],
    npm: (n, i) => [n, `${n}@^1.1.0`, `${n}@1.2.1`][i % 3],
    cargo: (n, i) => [n, `${n}@1.1`, `${n}@1.2.0`][i % 3],
    gem: (n, i) => [n, `${n}:1.2.0`][i % 2],
    go: (n, i) => [n, `${n}@v1.1`, `${n}@v1.2.0`][i % 3],
  };
  const names = {
    pip: (i) => `pkg-${i}`,
    npm: (i) => `npm-pkg-${i}`,
    cargo: (i) => `crate${i}`,
    gem: (i) => `gem${i}`,
    go: (i) => `example.com/mod${i}`,
  };
  for (const [manager, count] of Object.entries(COUNTS))
    for (let i = 0; i < count; i++) specs.push([manager, forms[manager](names[manager](i), i)]);
  const envDir = path.join(dir, 'environments');
  mkdirSync(envDir);
  for (let e = 0; e < ENVS; e++) {
    // Each package's spec lands in one environment; each environment also takes 20 shared ones.
    const mine = specs.filter((_, k) => k % ENVS === e);
    const shared = specs.filter((_, k) => (k * 7 + e) % 50 === 0).slice(0, 20);
    const byManager = {};
    for (const [m, s] of [...mine, ...shared]) {
      byManager[m] ??= new Set();
      byManager[m].add(s);
    }
    const lists = Object.entries(byManager)
      .map(([m, set]) => `    ${m}: [${[...set].map((s) => JSON.stringify(s)).join(', ')}]`)
      .join('\n');
    writeFileSync(
      path.join(envDir, `env-${e}.yaml`),
      `name: env-${e}\nconfig:\n  type: cloud\n  packages:\n${lists}\n`,
    );
  }
  const urls = registryUrls(url);
  writeFileSync(
    path.join(dir, 'envsync.yaml'),
    `project: bench-lock\nregistries:\n${['pip', 'npm', 'cargo', 'gem', 'go'].map((m) => `  ${m}: ${urls[m]}`).join('\n')}\n`,
  );
  return specs.length;
}

const root = mkdtempSync(path.join(tmpdir(), 'envsync-bench-registries-'));
makeRegistries(root);
const regs = await startRegistries({ root });
const dir = mkdtempSync(path.join(tmpdir(), 'envsync-bench-lock-'));
const specCount = makeProject(dir, regs.url);

async function run(label) {
  const before = regs.requests.length;
  const r = await timeCli(['lock', '--quiet'], { cwd: dir });
  if (r.code !== 0)
    throw new Error(`${label} failed (${r.code}): ${r.stdout.slice(0, 300)} ${r.stderr.slice(0, 2000)}`);
  const paths = regs.requests.slice(before);
  const per = Object.fromEntries(
    ['pip', 'npm', 'cargo', 'gem', 'go'].map((m) => [m, paths.filter((p) => p.startsWith(`/${m}/`)).length]),
  );
  return { label, ms: r.ms, rssMb: r.rssMb, requests: paths.length, per };
}

const first = await run('first run (empty cache)');
const second = await run('second run (lock and cache in place)');
rmSync(path.join(dir, 'envsync.lock'));
const third = await run('without envsync.lock (cache only)');
await regs.close();

const expected = COUNTS.pip + COUNTS.npm + COUNTS.cargo + COUNTS.gem + 4 * COUNTS.go;
console.log(
  `${ENVS} environments, ${specCount} specs, ${Object.values(COUNTS).reduce((a, b) => a + b, 0)} distinct packages`,
);
console.log('| run | requests | pip | npm | cargo | gem | go | wall | peak RSS | target | result |');
console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- |');
for (const r of [first, second, third]) {
  const target = r === first ? `${expected} (one per package; Go 4 per module)` : '0';
  const ok = r === first ? r.requests === expected : r.requests === 0;
  console.log(
    `| ${r.label} | ${r.requests} | ${r.per.pip} | ${r.per.npm} | ${r.per.cargo} | ${r.per.gem} | ${r.per.go} | ${r.ms.toFixed(0)} ms | ${r.rssMb.toFixed(0)} MB | ${target} | ${ok ? 'met' : 'MISSED'} |`,
  );
}
