// The one error family of envsync: every failure below src/cli/ is an EnvsyncError with a code and a hint.

import type { BlockedItem, Diagnostic, SourceLocation } from './model.js';

/**
 * Every code an error can carry, printed as `error[code]` and present in JSON. A closed union so scripts can
 * rely on the set and a typo fails to compile; a new failure adds its code here.
 */
export type ErrorCode =
  // The command line itself
  | 'usage'
  // The project file and workspaces
  | 'no_project'
  | 'project_unreadable'
  | 'invalid_project_name'
  | 'already_a_project'
  | 'workspace_required'
  | 'unknown_workspace'
  | 'invalid_flag'
  | 'conflicting_flags'
  | 'invalid_out'
  | 'not_approved'
  // Environment files
  | 'invalid_config'
  | 'no_such_dir'
  | 'not_a_dir'
  | 'no_files'
  | 'duplicate_name'
  | 'no_such_file'
  | 'no_environment'
  // Previews
  | 'invalid_preview_id'
  | 'invalid_ttl'
  | 'not_previewable'
  | 'preview_conflict'
  | 'no_base_ref'
  // Plans
  | 'unknown_target'
  | 'invalid_plan'
  | 'no_plan_file'
  | 'stale_plan'
  | 'blocked'
  // The API and connecting to it
  | 'api_error'
  | 'api_untrusted'
  | 'api_unreadable'
  | 'api_timeout'
  | 'api_too_large'
  | 'list_incomplete'
  | 'no_api_key'
  | 'invalid_base_url'
  | 'insecure_base_url'
  // Apply
  | 'name_taken'
  | 'changed_since_plan'
  | 'archived_since_plan'
  | 'recreate_failed'
  // The changelog and its lock
  | 'no_changelog'
  | 'changelog_unreadable'
  | 'changelog_write_failed'
  | 'corrupt_entry'
  | 'changelog_behind'
  | 'changelog_not_writable'
  | 'locked'
  | 'lock_failed'
  | 'lock_lost'
  // Queries over the changelog
  | 'unknown_name'
  | 'unknown_env_id'
  | 'unknown_hash'
  | 'ambiguous_hash'
  | 'bad_hash'
  | 'bad_time'
  | 'at_with_hash'
  | 'no_config_then'
  | 'not_serving'
  // Forget
  | 'not_managed'
  | 'still_declared'
  // Package registries and the lock
  | 'http_unreachable'
  | 'http_timeout'
  | 'http_too_large'
  | 'http_redirects'
  | 'registry_error'
  | 'registry_bad_answer'
  | 'registry_token_missing'
  | 'lock_file_invalid'
  | 'lock_out_of_date'
  | 'no_registry'
  // Coming from ant apply (import --from-ant)
  | 'invalid_ant_lock'
  | 'no_ant_lock'
  | 'ant_origin_mismatch'
  | 'ant_lock_changed'
  // Export
  | 'export_write_failed'
  | 'export_would_overwrite'
  // The emulator
  | 'invalid_emulator_option'
  | 'emulator_state_invalid'
  | 'emulator_state_unreadable'
  | 'emulator_state_unwritable'
  | 'emulator_listen_failed'
  // Files and the system (wrapFsError)
  | 'fs_not_found'
  | 'fs_permission'
  | 'fs_read_only'
  | 'fs_full'
  | 'fs_exists'
  | 'fs_is_directory'
  | 'fs_not_directory'
  | 'fs_error'
  // envsync's own bugs
  | 'not_json'
  | 'internal';

/**
 * Whose problem it is (as CDK's ToolkitError source): `user` is the input, the setup or the world around
 * envsync (files, flags, network, the API); `envsync` is a bug in envsync, to be reported.
 */
export type ErrorSource = 'user' | 'envsync';

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
  /** The process exit code this error maps to (DESIGN §11). */
  readonly exitCode: number = 1;

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

/** What a failed system call's errno means for the user: a code, a few words, and what to do. */
const FS_ERRORS: Record<string, { code: ErrorCode; reason: string; hint: (path: string) => string }> = {
  ENOENT: {
    code: 'fs_not_found',
    reason: 'no such file or directory',
    hint: (p) => `check the path; the folder that holds ${p} must exist`,
  },
  EACCES: {
    code: 'fs_permission',
    reason: 'permission denied',
    hint: (p) => `check the permissions of ${p} and of the folder that holds it`,
  },
  EPERM: {
    code: 'fs_permission',
    reason: 'operation not permitted',
    hint: (p) => `check the permissions of ${p} and of the folder that holds it`,
  },
  EROFS: {
    code: 'fs_read_only',
    reason: 'the file system is read-only',
    hint: () => 'choose a path on a writable file system',
  },
  ENOSPC: {
    code: 'fs_full',
    reason: 'no space left on the device',
    hint: () => 'free some disk space and run again',
  },
  EDQUOT: {
    code: 'fs_full',
    reason: 'disk quota exceeded',
    hint: () => 'free some disk space or raise the quota, and run again',
  },
  EEXIST: {
    code: 'fs_exists',
    reason: 'something already exists there',
    hint: (p) => `move ${p} away or choose another path`,
  },
  EISDIR: {
    code: 'fs_is_directory',
    reason: 'it is a directory',
    hint: () => 'pass the path of a file, not of a folder',
  },
  ENOTDIR: {
    code: 'fs_not_directory',
    reason: 'a part of the path is a file, not a folder',
    hint: (p) => `check each folder on the way to ${p}`,
  },
};

function errnoOf(e: unknown): string | undefined {
  if (!(e instanceof Error) || !('code' in e)) return undefined;
  return typeof e.code === 'string' && /^E[A-Z]+$/.test(e.code) ? e.code : undefined;
}

/**
 * A failed file or system call as an EnvsyncError naming the path, with a hint (`what` says what envsync
 * was doing, e.g. 'write the changelog'). An EnvsyncError passes through; anything that is not a system
 * error is envsync's bug, so it is marked as one rather than blamed on the user.
 */
export function wrapFsError(e: unknown, path: string, what: string): EnvsyncError {
  if (e instanceof EnvsyncError) return e;
  const errno = errnoOf(e);
  if (errno === undefined) {
    const message = e instanceof Error ? e.message : String(e);
    return new EnvsyncError('internal', `cannot ${what} ${path}: ${message}`, {
      cause: e,
      source: 'envsync',
    });
  }
  const known = FS_ERRORS[errno];
  if (!known) {
    const message = e instanceof Error ? e.message : errno;
    return new EnvsyncError('fs_error', `cannot ${what} ${path}: ${message}`, {
      cause: e,
      hint: `the system said ${errno}; check ${path} and the disk it is on`,
    });
  }
  return new EnvsyncError(known.code, `cannot ${what} ${path}: ${known.reason} (${errno})`, {
    cause: e,
    hint: known.hint(path),
  });
}

/** A raw system error that escaped to the CLI edge, still carrying its path (`fs` errors do). */
export function isSystemError(e: unknown): e is NodeJS.ErrnoException {
  return errnoOf(e) !== undefined;
}
