// biome-ignore-all lint/suspicious/noTemplateCurlyInString: the mutations quote source text, template literals included
// Deletes (or defuses) each safety line in turn and runs the test that must then fail: a mutation that
// no test kills is a safety rule nobody would notice losing (STYLE.md, issue 24 item 6).
//
//   node scripts/mutate-safety.mjs              every mutation
//   node scripts/mutate-safety.mjs gate-create  only those whose id contains one of the words given
//   node scripts/mutate-safety.mjs --against test/integration/saved-plan.test.ts saved-plan
//                                              the same mutations against other tests (whole files): do they catch it?
//
// Each mutation replaces one exact piece of source text (found exactly once) and is always restored, also
// on Ctrl-C. Before mutating, each target test runs once unmutated: a test that already fails kills nothing.

import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SAFETY = 'test/integration/safety-mutations.test.ts';
const FSYNC = 'test/integration/fsync.test.ts';
const ATOMIC = 'the atomic write';
const TORN = 'a torn tail';

/**
 * `file`: the source; `from` → `to`: the mutation; `test` (and `name`, a substring of the test's name): what
 * must fail.
 */
export const MUTATIONS = [
  // A lost create "recovered" by name.
  {
    id: 'lost-create-hash',
    behaviour: 'a lost create is kept only if the found environment carries this config hash',
    file: 'src/apply/actions.ts',
    from: 'isMine(found, deps.owner) && taggedHash(found) === d.config_hash && ',
    to: 'isMine(found, deps.owner) && ',
    test: SAFETY,
    name: 'carries another config hash',
  },
  {
    id: 'lost-create-owner',
    behaviour: 'a lost create is kept only if the found environment is this project’s',
    file: 'src/apply/actions.ts',
    from: 'found && isMine(found, deps.owner) && taggedHash',
    to: 'found && taggedHash',
    test: SAFETY,
    name: 'another project’s tag',
  },
  // The gate on API writes once the lock is lost or the changelog failed.
  ...[
    ['create', 'create: async (body) => {\n      open();', 'a recreate whose rename lost the lock'],
    ['update', 'update: async (id, body) => {\n      open();', 'a recreate whose rename lost the lock'],
    ['archive', 'archive: async (id) => {\n      open();', 'an archive whose rename lost the lock'],
    ['delete', 'delete: async (id) => {\n      open();', 'the gate refuses'],
    ['repoint', 'repointDeployment: async (id, environmentId) => {\n        open();', 'the gate refuses'],
  ].map(([what, from, name]) => ({
    id: `gate-${what}`,
    behaviour: `no ${what} is sent once the lock is lost`,
    file: 'src/apply/context.ts',
    from,
    to: from.replace(/\n\s*open\(\);/, ''),
    test: SAFETY,
    name,
  })),
  {
    id: 'gate-checks-writer',
    behaviour: 'the gate asks the writer (lock, changelog failure) before each write',
    file: 'src/apply/context.ts',
    from: '  const open = () => {\n    writer.ready();',
    to: '  const open = () => {',
    test: SAFETY,
    name: 'the gate refuses',
  },
  // After the first changelog failure.
  {
    id: 'not-started-counted',
    behaviour: 'actions after the first changelog failure are reported as not started',
    file: 'src/apply/execute.ts',
    from: '      result.notStarted++;\n',
    to: '',
    test: SAFETY,
    name: 'not started',
  },
  {
    id: 'not-started-on-writer-failure',
    behaviour: 'a changelog failure stops every action not yet started',
    file: 'src/apply/execute.ts',
    from: 'Boolean(deps.writer.failure) || deps.halt.reason',
    to: 'deps.halt.reason',
    test: SAFETY,
    name: 'not started',
  },
  // Every fsync besides the per-entry one (strace; the test bundles src/, so no build is needed).
  ...[
    ['atomic-async-temp', 'src/fs/atomic.ts', '      await handle.sync();\n', '', ATOMIC],
    ['atomic-async-dir', 'src/fs/atomic.ts', '  await syncDir(dir);\n', '', ATOMIC],
    [
      'atomic-sync-temp',
      'src/fs/atomic.ts',
      '      fsyncSync(fd);\n    } finally {\n      closeSync(fd);\n    }\n    renameSync(temp, file);',
      '    } finally {\n      closeSync(fd);\n    }\n    renameSync(temp, file);',
      ATOMIC,
    ],
    ['atomic-sync-dir', 'src/fs/atomic.ts', '  syncDirSync(dir);\n}\n', '}\n', ATOMIC],
    [
      'sync-dir-body',
      'src/fs/atomic.ts',
      "    fd = openSync(dir, 'r');\n    fsyncSync(fd);",
      "    fd = openSync(dir, 'r');",
      ATOMIC,
    ],
    [
      'writer-dir',
      'src/changelog/writer.ts',
      '      if (this.size === 0) syncDirSync(this.dir);\n',
      '',
      'the changelog directory once its run file is made',
    ],
    [
      'writer-entry',
      'src/changelog/writer.ts',
      '      fsyncSync(this.fd);\n      if (this.size === 0)',
      '      if (this.size === 0)',
      'the changelog directory once its run file is made',
    ],
    [
      'repair-copy',
      'src/changelog/repair.ts',
      '      writeFileSync(copy, bytes.subarray(cut));\n      fsyncSync(copy);',
      '      writeFileSync(copy, bytes.subarray(cut));',
      TORN,
    ],
    [
      'repair-before-truncate',
      'src/changelog/repair.ts',
      '      fsyncSync(fd);\n      ftruncateSync(fd, cut);',
      '      ftruncateSync(fd, cut);',
      TORN,
    ],
    [
      'repair-after-truncate',
      'src/changelog/repair.ts',
      '      ftruncateSync(fd, cut);\n      fsyncSync(fd);',
      '      ftruncateSync(fd, cut);',
      TORN,
    ],
    [
      'repair-newline',
      'src/changelog/repair.ts',
      "        appendFileSync(fd, '\\n');\n        fsyncSync(fd);",
      "        appendFileSync(fd, '\\n');",
      'lost its newline',
    ],
    [
      'cut-back-truncate',
      'src/changelog/writer.ts',
      '        ftruncateSync(this.fd, this.size);\n        fsyncSync(this.fd);',
      '        ftruncateSync(this.fd, this.size);',
      'cut back to the last whole line',
    ],
  ].map(([id, file, from, to, name]) => ({
    id: `fsync-${id}`,
    behaviour: `fsync: ${id}`,
    file,
    from,
    to,
    test: FSYNC,
    name,
  })),
  // The changelog after a failure, and torn lines.
  {
    id: 'writer-refuses-after-failure',
    behaviour: 'the writer refuses every entry after a one-off write failure',
    file: 'src/changelog/writer.ts',
    from: '    if (this.failure) throw this.failure;\n',
    to: '',
    test: 'test/unit/changelog/writer.test.ts',
    name: 'refuses every later entry',
  },
  {
    id: 'verify-counts-torn-aside',
    behaviour: 'a set-aside torn line is counted by verify until a run closes the history',
    file: 'src/changelog/history.ts',
    from: '    if (!closed) {',
    to: '    if (closed && !closed) {',
    test: SAFETY,
    name: 'torn last line set aside',
  },
  // Escaping at its call sites.
  {
    id: 'escape-blocked-message',
    behaviour: 'a blocked item’s message is escaped in the text plan',
    file: 'src/plan/render-text.ts',
    from: ': ${escapeText(b.message)}`,',
    to: ': ${b.message}`,',
    test: 'test/unit/plan/render-hostile.test.ts',
    name: 'a blocked item carries untrusted text',
  },
  {
    id: 'escape-blocked-hint',
    behaviour: 'a blocked item’s hint is escaped in the text plan',
    file: 'src/plan/render-text.ts',
    from: "${paint.cyan('hint')}: ${escapeText(b.hint)}`,",
    to: "${paint.cyan('hint')}: ${b.hint}`,",
    test: 'test/unit/plan/render-hostile.test.ts',
    name: 'a blocked item carries untrusted text',
  },
  {
    id: 'escape-reporter-warning',
    behaviour: 'warnings are escaped by the reporter',
    file: 'src/cli/reporter.ts',
    from: "line(`${p.yellow('warning')}: ${escapeText(e.message)}`);",
    to: "line(`${p.yellow('warning')}: ${e.message}`);",
    test: 'test/unit/cli/reporter.test.ts',
    name: 'prints a warning',
  },
  // Pacing in a run.
  {
    id: 'pace-writes',
    behaviour: 'each request waits for a token of its budget',
    file: 'src/api/transport.ts',
    from: '        await bucket.take();\n',
    to: '',
    test: SAFETY,
    name: 'paces writes at 60 a minute',
  },
  {
    id: 'pace-writes-by-write-budget',
    behaviour: 'writes are paced by the write budget, reads by the read budget',
    file: 'src/api/transport.ts',
    from: "(method === 'GET' ? buckets.read : buckets.write)",
    to: 'buckets.read',
    test: SAFETY,
    name: 'paces writes at 60 a minute',
  },
  {
    id: 'pace-anthropic-default',
    behaviour: 'the Anthropic API gets the documented limits without --rate-limit',
    file: 'src/workflow/connect.ts',
    from: 'given ?? (isAnthropicApi(baseUrl) ? ANTHROPIC_RATE_LIMIT : undefined)',
    to: 'given',
    test: SAFETY,
    name: 'paces writes at 60 a minute',
  },
  {
    id: 'pace-default-60-writes',
    behaviour: 'the default is 60 writes a minute',
    file: 'src/api/base-url.ts',
    from: '{ writesPerMinute: 60, readsPerMinute: 600 }',
    to: '{ writesPerMinute: 600, readsPerMinute: 600 }',
    test: SAFETY,
    name: 'paces writes at 60 a minute',
  },
  {
    id: 'pace-default-600-reads',
    behaviour: 'the default is 600 reads a minute',
    file: 'src/api/base-url.ts',
    from: '{ writesPerMinute: 60, readsPerMinute: 600 }',
    to: '{ writesPerMinute: 60, readsPerMinute: 6000 }',
    test: SAFETY,
    name: 'reads at 600 a minute',
  },
  {
    id: 'pace-retry-after',
    behaviour: 'a 429’s retry-after pauses the paced budget',
    file: 'src/api/transport.ts',
    from: 'if (bucket) bucket.pause(now() + wait);',
    to: 'if (bucket) {\n            }',
    test: SAFETY,
    name: 'retry-after while pacing',
  },
  // Saved plans.
  {
    id: 'saved-plan-project',
    behaviour: 'a saved plan from another project is refused',
    file: 'src/workflow/apply.ts',
    from: '  if (plan.project !== project) reasons.push(`the plan was made for project ${plan.project}, not ${project}`);\n',
    to: '',
    test: SAFETY,
    name: 'saved for another project',
  },
  {
    id: 'saved-plan-target',
    behaviour: 'a saved create-only plan against another API target is refused',
    file: 'src/workflow/stale.ts',
    from: '  if (plan.target !== target) reasons.push(`the plan was made for ${plan.target}, not ${target}`);\n',
    to: '',
    test: SAFETY,
    name: 'another API',
  },
  {
    id: 'stale-gone',
    behaviour: 'stale: environment gone or archived since the plan',
    file: 'src/workflow/stale.ts',
    from: 'if (!env) reasons.push(`${fp.name} (${fp.id}) is gone or archived`);',
    to: 'if (!env) continue;',
    test: SAFETY,
    name: 'archived since',
  },
  {
    id: 'stale-appeared',
    behaviour: 'stale: a name the plan creates appeared',
    file: 'src/workflow/stale.ts',
    from: '  for (const name of plan.absent) if (names.has(name)) reasons.push(`an environment named ${name} appeared`);\n',
    to: '',
    test: SAFETY,
    name: 'appeared since',
  },
  {
    id: 'deployments-after-prompt',
    behaviour: 'deployments are listed again after the prompt',
    file: 'src/workflow/apply.ts',
    from: '      ...(await newReferences(o.api, plan, o.now())),\n',
    to: '',
    test: SAFETY,
    name: 'listed again after the answer',
  },
  ...[
    ['adopt', '--adopt'],
    ['maxArchive', '--max-archive'],
    ['allowReferenced', '--allow-referenced'],
    ['target', '--target'],
    ['frozen', '--frozen'],
    ['offline', '--offline'],
  ].map(([key, flag]) => ({
    id: `plan-conflict-${key}`,
    behaviour: `${flag} is refused with --plan`,
    file: 'src/cli/apply.ts',
    from: "with: ['adopt', 'maxArchive', 'allowReferenced', 'target', 'frozen', 'offline'],",
    to: `with: ${JSON.stringify(
      ['adopt', 'maxArchive', 'allowReferenced', 'target', 'frozen', 'offline'].filter((k) => k !== key),
    )
      .replaceAll('"', "'")
      .replaceAll(',', ', ')},`,
    test: SAFETY,
    name: `refuses ${flag} with --plan`,
  })),
];

const escapeRegExp = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function runTest(m) {
  const args = ['vitest', 'run', m.test, ...(m.name ? ['-t', escapeRegExp(m.name)] : [])];
  const r = spawnSync('npx', args, {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1', ENVSYNC_REQUIRE_TOOLS: '1' },
  });
  const out = `${r.stdout}${r.stderr}`;
  const ran = /Tests\s+.*\d+ (passed|failed)/.test(out);
  return { failed: r.status !== 0, ran, out };
}

let restore = () => {};
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, () => {
    restore();
    process.exit(130);
  });
}

function mutate(m) {
  const file = path.join(root, m.file);
  const original = readFileSync(file, 'utf8');
  const count = original.split(m.from).length - 1;
  if (count !== 1) return { error: `the text to mutate occurs ${count} times in ${m.file}` };
  writeFileSync(
    file,
    original.replace(m.from, () => m.to),
  );
  restore = () => writeFileSync(file, original);
  try {
    return runTest(m);
  } finally {
    restore();
    restore = () => {};
  }
}

const argv = process.argv.slice(2);
const at = argv.indexOf('--against');
const against = at === -1 ? undefined : argv.splice(at, 2)[1];
const only = argv;
const chosen = MUTATIONS.filter((m) => only.length === 0 || only.some((w) => m.id.includes(w))).map((m) =>
  against ? { ...m, test: against, name: undefined } : m,
);
const baseline = new Map();
const rows = [];
for (const m of chosen) {
  const key = `${m.test}\0${m.name ?? ''}`;
  if (!baseline.has(key)) baseline.set(key, runTest(m));
  const base = baseline.get(key);
  let verdict;
  if (base.failed || !base.ran) verdict = 'BASELINE FAILS';
  else {
    const r = mutate(m);
    verdict = r.error
      ? `ERROR: ${r.error}`
      : r.failed && r.ran
        ? 'killed'
        : r.failed
          ? 'ERROR: no test ran'
          : 'SURVIVED';
  }
  rows.push({ id: m.id, verdict, test: `${m.test} › ${m.name ?? '(all)'}` });
  process.stdout.write(`${verdict.padEnd(16)} ${m.id}  (${m.test} › ${m.name ?? '(all)'})\n`);
}
const bad = rows.filter((r) => r.verdict !== 'killed');
process.stdout.write(`\n${rows.length - bad.length}/${rows.length} mutations killed.\n`);
process.exit(bad.length === 0 ? 0 : 1);
