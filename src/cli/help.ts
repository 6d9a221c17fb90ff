// What every command's --help ends with, from its definition: examples, the environment variables it reads
// (from what it needs), and the exit codes.

import type { CommandDefinition, Need } from './define.js';

function environmentLines(needs: readonly Need[]): string[] {
  const lines = [
    'NO_COLOR, FORCE_COLOR, TERM=dumb  colour conventions (colour only on a terminal by default)',
  ];
  if (needs.includes('registries')) {
    lines.unshift(
      '<token_env>           a registry token, as envsync.yaml names it (registries:); never printed',
    );
  }
  if (needs.includes('api')) {
    lines.unshift(
      'ANTHROPIC_API_KEY     the API key (never a flag); a workspace may name another variable (api_key_env)',
      'ANTHROPIC_BASE_URL    the API base URL (default https://api.anthropic.com; --base-url wins)',
    );
  }
  return lines;
}

/** The text after a command's options in its --help. */
export function helpFooter(command: CommandDefinition): string {
  const examples = command.examples;
  const parts: string[] = [];
  if (examples.length > 0) parts.push(`Examples:\n${examples.map((e) => `  $ ${e}`).join('\n')}`);
  parts.push(
    `Environment:\n${environmentLines(command.needs)
      .map((l) => `  ${l}`)
      .join('\n')}`,
  );
  parts.push(`Exit codes:\n  ${command.exitCodes ?? '0 success, 1 error'}`);
  parts.push(
    'Global options (--local, --workspace, --base-url, --changelog, --project-dir, --quiet, …): see `envsync --help`; they go before or after the command.',
  );
  return `\n${parts.join('\n\n')}\n`;
}
