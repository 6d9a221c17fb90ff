// The error family of envsync: every failure below src/cli/ is an EnvsyncError with a code and a hint;
// the subclasses carry what their renderers need (diagnostics, API fields, stale reasons, blocked items).

import type { BlockedItem, Diagnostic, SourceLocation } from '../model.js';
import type { ErrorCode, ErrorSource } from './codes.js';

export interface EnvsyncErrorOptions {
  hint?: string | undefined;
  location?: SourceLocation | undefined;
  cause?: unknown;
  /** Default `user`: most failures are about input; only say `envsync` for a broken invariant. */
  source?: ErrorSource | undefined;
}

export class EnvsyncError extends Error {
  readonly code: ErrorCode;
  readonly hint: string | undefined;
  readonly location: SourceLocation | undefined;
  readonly source: ErrorSource;

  constructor(code: ErrorCode, message: string, options: EnvsyncErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.hint = options.hint;
    this.location = options.location;
    this.source = options.source ?? 'user';
  }
}

/** What a ValidationError is about: its code and what to do. */
const VALIDATION = {
  'the environment files': { code: 'invalid_config', hint: 'run `envsync validate` to see every problem' },
  'the project file': {
    code: 'invalid_config',
    hint: 'fix envsync.yaml; its schema is schema/project.schema.json',
  },
  'envsync.lock': {
    code: 'lock_file_invalid',
    hint: 'envsync writes this file: run `envsync lock` to write it again',
  },
  'the package specs': {
    code: 'invalid_config',
    hint: 'fix the versions named; `envsync validate --registries` checks them all',
  },
  'the lock (--frozen)': {
    code: 'lock_out_of_date',
    hint: 'run `envsync lock` and commit envsync.lock with the files',
  },
} as const satisfies Record<string, { code: ErrorCode; hint: string }>;

/** Bad input files: carries every diagnostic so the CLI can print them all. */
export class ValidationError extends EnvsyncError {
  readonly diagnostics: Diagnostic[];
  constructor(diagnostics: Diagnostic[], what: keyof typeof VALIDATION = 'the environment files') {
    const errors = diagnostics.filter((d) => d.severity === 'error');
    super(VALIDATION[what].code, `${errors.length} error${errors.length === 1 ? '' : 's'} in ${what}`, {
      hint: VALIDATION[what].hint,
    });
    this.diagnostics = diagnostics;
  }
}

export interface ApiErrorFields {
  status: number | null;
  type: string | null;
  errorCode: string | null;
  requestId: string | null;
}

/**
 * An API call failed: the status, the API's error type and code, and the request id to quote to support.
 * Its code is always `api_error`: the API's own type and code are open-ended strings, so they stay raw in
 * their own fields instead of widening the closed ErrorCode union.
 */
export class ApiError extends EnvsyncError {
  readonly status: number | null;
  readonly type: string | null;
  readonly errorCode: string | null;
  readonly requestId: string | null;
  constructor(message: string, fields: ApiErrorFields, options: EnvsyncErrorOptions = {}) {
    super('api_error', message, options);
    this.status = fields.status;
    this.type = fields.type;
    this.errorCode = fields.errorCode;
    this.requestId = fields.requestId;
  }
}

/**
 * An answer envsync could not believe: a list that loops or contradicts itself, an item that does not parse,
 * a write answered with something other than what was asked, an answer too large or too slow. Nothing is
 * acted on or recorded from it; `requestId` is what to quote when reporting it.
 */
export class UntrustedAnswerError extends EnvsyncError {
  constructor(
    code: 'api_untrusted' | 'api_unreadable' | 'api_timeout' | 'api_too_large' | 'list_incomplete',
    message: string,
    readonly requestId: string | null,
    hint: string,
    cause?: unknown,
  ) {
    super(code, message, { hint, cause });
  }
}

export class StalePlanError extends EnvsyncError {
  readonly reasons: string[];
  constructor(reasons: string[]) {
    super(
      'stale_plan',
      `stale plan: ${reasons.length} thing${reasons.length === 1 ? '' : 's'} changed since it was made`,
      {
        hint: 'run `envsync plan` again',
      },
    );
    this.reasons = reasons;
  }
}

/** A safety rule stopped the plan (the CLI exits 3); the plan itself is still printed. */
export class BlockedError extends EnvsyncError {
  readonly items: BlockedItem[];
  constructor(items: BlockedItem[]) {
    super('blocked', `plan blocked by ${items.length} safety rule${items.length === 1 ? '' : 's'}`, {
      hint: items[0]?.hint,
    });
    this.items = items;
  }
}
