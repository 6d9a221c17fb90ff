// Each flag that more than one command takes, declared once, typed by extra-typings from its declaration.

import { type Command, InvalidArgumentError, Option, type OptionValues } from '@commander-js/extra-typings';
import { parseDuration } from '../util/duration.js';
import { parseRateLimit } from '../util/rate-limit.js';

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

/** `--timeout SECONDS`: one knob for every wait on the API (an answer with its retries, a whole list). */
export function timeoutOption() {
  return new Option(
    '--timeout <seconds>',
    'give up on the API after this long for one answer or one whole list, retries and rate-limit waits included (default 90)',
  ).argParser((v: string): number => {
    const n = Number(v);
    if (!Number.isFinite(n) || n < 1 || n > 3600)
      throw new InvalidArgumentError('expected seconds from 1 to 3600');
    return n;
  });
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

/** `--lock-timeout DURATION` (Terraform's -lock-timeout): how long to wait for another apply's lock. */
export function lockTimeoutOption() {
  return new Option(
    '--lock-timeout <duration>',
    'wait this long for the changelog lock another apply holds (e.g. 30s, 5m; 0s: refuse at once)',
  )
    .default(0, '0s')
    .argParser((v: string): number => {
      const ms = parseDuration(v);
      if (ms === null) throw new InvalidArgumentError('expected a duration such as 30s, 5m or 1m30s');
      return ms;
    });
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
