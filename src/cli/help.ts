// What every command's --help ends with: examples, the environment variables it reads, and the exit codes.

/** Two or three commands a user would really type, per command. */
const EXAMPLES: Record<string, readonly string[]> = {
  init: ['envsync init', 'envsync init --project research-agents'],
  validate: ['envsync validate --strict', 'envsync validate --workspace production --format json'],
  fmt: ['envsync fmt', 'envsync fmt --check                        # in CI: exit 1 and the files to format'],
  ping: ['envsync ping', 'envsync ping --workspace production --format json'],
  plan: [
    'envsync plan --local                      # against the embedded local API',
    'envsync plan --workspace staging --out plan.json',
    'envsync plan --format markdown --detailed-exitcode > plan.md   # a PR comment',
  ],
  apply: [
    'envsync apply --local --auto-approve',
    'envsync apply --plan plan.json           # exactly the saved plan',
    'envsync apply --workspace production --target data-analysis',
    'envsync apply --auto-approve --lock-timeout 5m   # wait for another apply',
  ],
  lock: [
    'envsync lock                              # every environment of every workspace',
    'envsync lock --check                      # CI: exit 1 when envsync.lock is not up to date',
    'envsync lock data-analysis --workspace production',
  ],
  status: [
    'envsync status',
    'envsync status --format json | jq -r \'.environments[] | "\\(.name) \\(.env_id)"\'',
    'envsync status --detailed-exitcode       # 0 in sync, 2 something to do, 3 blocked',
  ],
  forget: [
    'envsync forget legacy-runner --dry-run',
    'envsync forget legacy-runner             # after removing its file; it keeps running, unmanaged',
  ],
  import: [
    'envsync import --from-ant                 # what claude-lock.json tracks: the plan of adoptions',
    'envsync import --from-ant claude-lock.json --apply --hand-over',
  ],
  preview: [
    'envsync preview up --id pr-42 --only-changed    # copies named <name>--pr-42 of what the branch changes',
    'envsync preview up --id pr-42 --ttl 7d --format json | jq -r \'.environments[] | "\\(.name) \\(.env_id)"\'',
    'envsync preview down --id pr-42',
    'envsync preview gc --dry-run                    # which expired previews it would archive',
  ],
  history: [
    'envsync history data-analysis',
    'envsync history --format json',
    'envsync history --previews                      # preview runs, kept apart',
  ],
  show: [
    'envsync show env_01Abc… --at 2026-10-03',
    'envsync show sha256:1f2e… > environments/restored.yaml',
    'envsync show plan.json --format markdown  # a saved plan, drawn again',
  ],
  resolve: [
    'envsync resolve data-analysis --at 2026-10-03T14:00:00Z',
    'envsync resolve --session sesn_01Abc…     # which config did that session run on?',
  ],
  sessions: [
    'envsync sessions data-analysis',
    'envsync sessions data-analysis --since 2026-10-01 --format json',
  ],
  verify: ['envsync verify', 'envsync verify --live'],
  export: [
    'envsync export                            # this project’s environments',
    'envsync export --only-unmanaged --name hand-made --out review',
  ],
  emulator: [
    'envsync emulator --port 4010 --state /tmp/emu.json',
    'envsync emulator --registries test/fixtures/registries   # local package registries too',
    'ANTHROPIC_BASE_URL=http://127.0.0.1:4010 ANTHROPIC_API_KEY=any envsync plan',
  ],
};

/** The variables a command reads, by what it does. */
function environmentLines(command: string): string[] {
  const lines = [
    'NO_COLOR, FORCE_COLOR, TERM=dumb  colour conventions (colour only on a terminal by default)',
  ];
  if (command === 'emulator') return lines;
  if (['lock', 'plan', 'apply', 'validate'].includes(command)) {
    lines.unshift(
      '<token_env>           a registry token, as envsync.yaml names it (registries:); never printed',
    );
  }
  if (
    [
      'plan',
      'apply',
      'status',
      'verify',
      'export',
      'sessions',
      'resolve',
      'forget',
      'ping',
      'import',
      'preview',
    ].includes(command)
  ) {
    lines.unshift(
      'ANTHROPIC_API_KEY     the API key (never a flag); a workspace may name another variable (api_key_env)',
      'ANTHROPIC_BASE_URL    the API base URL (default https://api.anthropic.com; --base-url wins)',
    );
  }
  return lines;
}

const EXIT_CODES: Record<string, string> = {
  plan: '0 success (with --detailed-exitcode: no changes), 1 error, 2 changes (--detailed-exitcode), 3 blocked by a safety rule',
  apply:
    '0 success or nothing to do, 1 error (bad input, API failure, stale plan, a failed action, a --target that matches nothing, cancelled at the prompt), 3 blocked by a safety rule',
  status:
    '0 success (with --detailed-exitcode: everything in sync), 1 error, 2 something to do (--detailed-exitcode), 3 blocked (--detailed-exitcode)',
  verify: '0 the changelog checks out, 1 problems found or an error',
  validate: '0 valid, 1 errors in the files (or, with --registries, in the package versions)',
  fmt: '0 formatted (with --check: nothing to format), 1 files to format (--check), or a file fmt cannot read',
  ping: '0 the API answered with this key, base URL and workspace; 1 a check failed (the output says which)',
  import:
    '0 adopted (with --apply) or nothing to take, 1 error (a bad lock, another organization or workspace, a failed adoption), 2 a dry run with something to adopt or hand over',
  forget:
    '0 forgotten (or, with --dry-run, would be), 1 error: unknown, not managed, still declared, another project’s',
  lock: '0 written or up to date, 1 error (a package or version that does not exist, a registry failure; --check: out of date)',
  preview:
    '0 done (or, with --dry-run, planned), 1 error (bad input, an ID or name that cannot fit, a failed action, no base ref for --only-changed), 3 blocked: a preview name another environment holds, a desired name a preview holds, a deployment that would be stranded',
};

/** The text after a command's options in its --help. */
export function helpFooter(command: string): string {
  const examples = EXAMPLES[command] ?? [];
  const parts: string[] = [];
  if (examples.length > 0) parts.push(`Examples:\n${examples.map((e) => `  $ ${e}`).join('\n')}`);
  parts.push(
    `Environment:\n${environmentLines(command)
      .map((l) => `  ${l}`)
      .join('\n')}`,
  );
  parts.push(`Exit codes:\n  ${EXIT_CODES[command] ?? '0 success, 1 error'}`);
  parts.push(
    'Global options (--local, --workspace, --base-url, --changelog, --project-dir, --quiet, …): see `envsync --help`; they go before or after the command.',
  );
  return `\n${parts.join('\n\n')}\n`;
}
