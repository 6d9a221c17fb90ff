// The one error family of envsync: every failure below src/cli/ is an EnvsyncError with a code and a hint.

import type { BlockedItem, Diagnostic, SourceLocation } from './model.js';

export interface EnvsyncErrorOptions {
  hint?: string | undefined;
  location?: SourceLocation | undefined;
  cause?: unknown;
}

export class EnvsyncError extends Error {
  readonly code: string;
  readonly hint: string | undefined;
  readonly location: SourceLocation | undefined;
  /** The process exit code this error maps to (DESIGN §11). */
  readonly exitCode: number = 1;

  constructor(code: string, message: string, options: EnvsyncErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.hint = options.hint;
    this.location = options.location;
  }
}

/** Bad input files: carries every diagnostic so the CLI can print them all. */
export class ValidationError extends EnvsyncError {
  readonly diagnostics: Diagnostic[];
  constructor(diagnostics: Diagnostic[]) {
    const errors = diagnostics.filter((d) => d.severity === 'error');
    super(
      'invalid_config',
      `${errors.length} error${errors.length === 1 ? '' : 's'} in the environment files`,
      {
        hint: 'run `envsync validate` to see every problem',
      },
    );
    this.diagnostics = diagnostics;
  }
}

export interface ApiErrorFields {
  status: number | null;
  type: string | null;
  errorCode: string | null;
  requestId: string | null;
}

/** An API call failed: the status, the API's error type and code, and the request id to quote to support. */
export class ApiError extends EnvsyncError {
  readonly status: number | null;
  readonly type: string | null;
  readonly errorCode: string | null;
  readonly requestId: string | null;
  constructor(message: string, fields: ApiErrorFields, options: EnvsyncErrorOptions = {}) {
    super(fields.errorCode ?? fields.type ?? 'api_error', message, options);
    this.status = fields.status;
    this.type = fields.type;
    this.errorCode = fields.errorCode;
    this.requestId = fields.requestId;
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

/** A safety rule stopped the plan (exit 3); the plan itself is still printed. */
export class BlockedError extends EnvsyncError {
  override readonly exitCode = 3;
  readonly items: BlockedItem[];
  constructor(items: BlockedItem[]) {
    super('blocked', `plan blocked by ${items.length} safety rule${items.length === 1 ? '' : 's'}`, {
      hint: items[0]?.hint,
    });
    this.items = items;
  }
}
