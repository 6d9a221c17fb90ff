// Each flag that more than one command takes, declared once, typed by extra-typings from its declaration.

import { type Command, InvalidArgumentError, Option, type OptionValues } from '@commander-js/extra-typings';
import { parseRateLimit } from '../api/rate-limit.js';

/** The parsed option values of a declared command: what its handler receives. */
export type OptsOf<C> = C extends { opts(): infer O } ? O : never;

/** `--format` with its allowed choices; the handler sees the union of the choices, never a bare string. */
export function formatOption<const C extends readonly string[], const D extends C[number]>(
  choices: C,
  fallback: D,
) {
  return new Option('--format <format>', 'output format').choices(choices).default(fallback);
}

export function intOption<const F extends string>(
  flag: F,
  description: string,
  fallback: number,
  min: number,
) {
  return new Option(flag, description).default(fallback).argParser((v: string): number => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < min) throw new InvalidArgumentError(`expected a whole number ≥ ${min}`);
    return n;
  });
}

export function rateLimitOption() {
  return new Option(
    '--rate-limit <writes,reads>',
    'requests per minute (default: 60,600 for the Anthropic API, none elsewhere)',
  ).argParser((v: string) => {
    const limit = parseRateLimit(v);
    if (!limit) throw new InvalidArgumentError('expected WRITES,READS per minute, e.g. 60,600');
    return limit;
  });
}

/**
 * `--target NAME`, repeatable. No default value: commander would print it as `(default: [])`, which says
 * nothing; leaving it out means every environment, and the description says so.
 */
export function targetOption() {
  return new Option(
    '--target <name>',
    'plan only this environment (repeatable; default: every environment)',
  ).argParser((value: string, previous: string[] | undefined): string[] => [...(previous ?? []), value]);
}

/** The plan-shaping flags shared by plan and apply. */
export function addPlanFlags<A extends unknown[], O extends OptionValues, G extends OptionValues>(
  command: Command<A, O, G>,
) {
  return command
    .option('--adopt', 'take over unmanaged environments whose names the files claim')
    .addOption(intOption('--max-archive <n>', 'refuse to archive more than N environments', 5, 0))
    .option(
      '--allow-referenced',
      'archive or recreate environments that active or paused deployments still use (they are stranded)',
    );
}

/** The package-lock flags shared by plan and apply. */
export function addPackageFlags<A extends unknown[], O extends OptionValues, G extends OptionValues>(
  command: Command<A, O, G>,
) {
  return command
    .option(
      '--frozen',
      'refuse when envsync.lock does not cover every package spec as the files say now (CI)',
    )
    .option('--offline', 'check packages against the registry cache only; say what could not be checked');
}
