// Progress, reported through an injected Reporter; the CLI decides how to draw it.

import type { ActionKind } from './plan.js';

export type ReporterEvent =
  | { type: 'action_start'; kind: ActionKind; name: string }
  | { type: 'action_done'; kind: ActionKind; name: string; env_id: string; ms: number }
  | { type: 'action_failed'; kind: ActionKind; name: string; message: string }
  | { type: 'notice'; message: string }
  /** A request waits: paced to the rate limit, or told to retry after a 429. */
  | { type: 'waiting'; reason: 'rate_limit' | 'retry_after'; ms: number }
  | { type: 'warning'; message: string }
  | { type: 'request'; method: string; path: string; status: number; request_id: string | null; ms: number };

export interface Reporter {
  event(e: ReporterEvent): void;
}

export const silentReporter: Reporter = { event() {} };

/** The colours renderers draw with; the CLI decides whether they colour (identity functions draw none). */
export interface Paint {
  red(s: string): string;
  green(s: string): string;
  yellow(s: string): string;
  cyan(s: string): string;
  bold(s: string): string;
  dim(s: string): string;
}
