// Where requests go: the base URL, checked so the API key never travels over plain http off this machine.

import { EnvsyncError } from '../errors.js';

export const DEFAULT_BASE_URL = 'https://api.anthropic.com';

export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return host === 'localhost' || host === '::1' || /^127(\.\d{1,3}){3}$/.test(host);
}

/** Parses and checks a base URL: https anywhere, plain http only to a loopback address. */
export function checkBaseUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new EnvsyncError('invalid_base_url', `not a URL: ${raw}`, {
      hint: 'pass a URL such as https://api.anthropic.com',
    });
  }
  if (url.protocol === 'http:' && !isLoopbackHost(url.hostname)) {
    throw new EnvsyncError(
      'insecure_base_url',
      `refusing to send the API key over plain http:// to ${url.host}`,
      {
        hint: 'use https://, or a loopback address (127.0.0.1, localhost) for a local emulator',
      },
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new EnvsyncError('invalid_base_url', `unsupported URL scheme ${url.protocol} in ${raw}`, {
      hint: 'the Environments API is served over https://',
    });
  }
  if (url.username || url.password) {
    throw new EnvsyncError('invalid_base_url', 'the base URL must not carry credentials', {
      hint: 'the API key comes from ANTHROPIC_API_KEY only',
    });
  }
  return url.toString().replace(/\/+$/, '');
}

/** True for the real Anthropic API, whose documented rate limits apply by default. */
export function isAnthropicApi(baseUrl: string): boolean {
  const host = new URL(baseUrl).hostname;
  return host === 'api.anthropic.com' || host.endsWith('.anthropic.com');
}
