// The emulator's error answers: one failure class carrying status, API error type and headers, and its JSON body.

import { EnvsyncError } from '../errors.js';

export type ApiErrorType =
  | 'invalid_request_error'
  | 'authentication_error'
  | 'not_found_error'
  | 'request_too_large'
  | 'conflict_error'
  | 'rate_limit_error'
  | 'api_error'
  | 'overloaded_error';

const STATUS: Record<ApiErrorType, number> = {
  invalid_request_error: 400,
  authentication_error: 401,
  not_found_error: 404,
  request_too_large: 413,
  conflict_error: 409,
  rate_limit_error: 429,
  api_error: 500,
  overloaded_error: 529,
};

/** A request the emulator answers with an error; thrown inside a handler, turned into a response by the server. */
export class HttpFailure extends EnvsyncError {
  readonly status: number;
  readonly type: ApiErrorType;
  readonly errorCode: string | undefined;
  readonly headers: Record<string, string>;

  constructor(type: ApiErrorType, message: string, errorCode?: string, headers: Record<string, string> = {}) {
    super('api_error', message);
    this.status = STATUS[type];
    this.type = type;
    this.errorCode = errorCode;
    this.headers = headers;
  }
}

/**
 * A 400 that will fail the same way every time: `x-should-retry: false` stops the SDK from retrying it
 * (it retries 409 and 5xx by default, and clients copy its policy).
 */
export function invalidRequest(message: string, errorCode?: string): HttpFailure {
  return new HttpFailure('invalid_request_error', message, errorCode, { 'x-should-retry': 'false' });
}

export function notFound(message: string): HttpFailure {
  return new HttpFailure('not_found_error', message);
}

export function conflict(message: string): HttpFailure {
  return new HttpFailure('conflict_error', message, undefined, { 'x-should-retry': 'false' });
}

export function errorBody(failure: HttpFailure, requestId: string): string {
  const error: Record<string, unknown> = { type: failure.type, message: failure.message };
  if (failure.errorCode !== undefined) error.details = { error_code: failure.errorCode };
  return JSON.stringify({ type: 'error', error, request_id: requestId });
}
