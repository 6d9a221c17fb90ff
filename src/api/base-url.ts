// Where requests go: the base URL, checked so the API key never travels over plain http off this machine.

import { EnvsyncError } from '../errors.js';
import type { RateLimit } from '../util/rate-limit.js';

export const DEFAULT_BASE_URL = 'https://api.anthropic.com';

export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return host === 'localhost' || host === '::1' || /^127(\.\d{1,3}){3}$/.test(host);
}

/** Why a URL may not carry a secret, in words for the service it names; null when it may. */
export interface UrlProblem {
  code: 'invalid_base_url' | 'insecure_base_url';
  message: string;
  hint: string;
}

/** What the rules are checked for: the API (its key) or a package registry (its token, and what it answers). */
export interface UrlPurpose {
  /** The URL, in words: `the base URL`, `a registry URL`. */
  what: string;
  /** What would travel: `the API key`, `registry requests`. */
  secret: string;
  /** An example URL for the hint. */
  example: string;
  /** Which schemes it is served over, for the hint. */
  served: string;
  /** Where a credential comes from instead of the URL. */
  credentials: string;
}

const API: UrlPurpose = {
  what: 'the base URL',
  secret: 'the API key',
  example: 'https://api.anthropic.com',
  served: 'the Environments API is served over https://',
  credentials: 'the API key comes from ANTHROPIC_API_KEY only',
};

/**
 * The one set of URL rules for every service envsync talks to: https anywhere, plain http only to a loopback
 * address, no credentials in the URL. Returns the URL without trailing slashes, or what is wrong with it.
 */
export function checkServiceUrl(raw: string, purpose: UrlPurpose): { url: string } | UrlProblem {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return {
      code: 'invalid_base_url',
      message: `not a URL: ${raw}`,
      hint: `pass a URL such as ${purpose.example}`,
    };
  }
  if (url.protocol === 'http:' && !isLoopbackHost(url.hostname)) {
    return {
      code: 'insecure_base_url',
      message: `refusing to send ${purpose.secret} over plain http:// to ${url.host}`,
      hint: 'use https://, or a loopback address (127.0.0.1, localhost) for a local emulator',
    };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return {
      code: 'invalid_base_url',
      message: `unsupported URL scheme ${url.protocol} in ${raw}`,
      hint: purpose.served,
    };
  }
  if (url.username || url.password) {
    return {
      code: 'invalid_base_url',
      message: `${purpose.what} must not carry credentials`,
      hint: purpose.credentials,
    };
  }
  return { url: url.toString().replace(/\/+$/, '') };
}

/** Parses and checks a base URL: https anywhere, plain http only to a loopback address. */
export function checkBaseUrl(raw: string): string {
  const checked = checkServiceUrl(raw, API);
  if ('url' in checked) return checked.url;
  throw new EnvsyncError(checked.code, checked.message, { hint: checked.hint });
}

/** True for the real Anthropic API, whose documented rate limits apply by default. */
export function isAnthropicApi(baseUrl: string): boolean {
  const host = new URL(baseUrl).hostname;
  return host === 'api.anthropic.com' || host.endsWith('.anthropic.com');
}

/** The documented per-organization limits of the Anthropic API (DESIGN §1). */
export const ANTHROPIC_RATE_LIMIT: RateLimit = { writesPerMinute: 60, readsPerMinute: 600 };
