// One bounded HTTP GET (or JSON POST): a size cap and a deadline over the whole answer (body included), counted redirects.
// Written for the package registries, small and free of registry knowledge so the API's guards can share it.

import { checkServiceUrl, type UrlPurpose } from '../api/base-url.js';
import { EnvsyncError } from '../errors.js';
import { readCapped } from '../util/read-capped.js';

export interface BoundedGet {
  url: string;
  /** Who is asked, for messages: `PyPI (https://pypi.org) for pandas`. */
  what: string;
  headers: Record<string, string>;
  /** Headers sent only while the request stays on the first URL's origin (a token). */
  originHeaders: Record<string, string>;
  /** The most bytes of body accepted (after decompression); more ends the request. */
  maxBytes: number;
  /** Milliseconds for the whole exchange: connecting, headers, redirects and every byte of the body. */
  deadlineMs: number;
  maxRedirects: number;
  /** The URL rules every hop must keep (a redirect may not leave https for another machine). */
  purpose: UrlPurpose;
  /** A JSON body to POST (OSV's querybatch); absent: a GET. Kept on every redirect hop. */
  json?: string;
}

export interface BoundedAnswer {
  status: number;
  headers: Headers;
  body: Buffer;
  /** The URL that answered, after redirects. */
  url: string;
}

function timeout(get: BoundedGet): EnvsyncError {
  const limit = get.deadlineMs >= 1000 ? `${Math.round(get.deadlineMs / 1000)} s` : `${get.deadlineMs} ms`;
  return new EnvsyncError('http_timeout', `${get.what}: no complete answer within ${limit}`, {
    hint: 'the server is slow or stalled; try again, or use --offline to work from the cache',
  });
}

function tooLarge(get: BoundedGet, detail: string): EnvsyncError {
  const mib = get.maxBytes / 1024 / 1024;
  const limit = mib >= 1 ? `${Math.round(mib)} MiB` : `${get.maxBytes} bytes`;
  return new EnvsyncError(
    'http_too_large',
    `${get.what}: the answer is larger than the ${limit} limit (${detail})`,
    { hint: 'a registry answer this large is not one envsync reads; check the registry URL' },
  );
}

/** Where a redirect leads, checked like the first URL; a URL seen before is a loop. */
function nextHop(get: BoundedGet, from: string, location: string | null, seen: Set<string>): string {
  if (location === null) {
    throw new EnvsyncError('registry_bad_answer', `${get.what}: a redirect without a Location header`);
  }
  const to = new URL(location, from).toString();
  const checked = checkServiceUrl(to, get.purpose);
  if (!('url' in checked)) {
    throw new EnvsyncError(checked.code, `${get.what}: redirected to ${to}: ${checked.message}`, {
      hint: checked.hint,
    });
  }
  if (seen.has(to)) {
    throw new EnvsyncError('http_redirects', `${get.what}: redirects in a loop (back to ${to})`, {
      hint: 'the server is misconfigured; check the registry URL',
    });
  }
  if (seen.size > get.maxRedirects) {
    throw new EnvsyncError('http_redirects', `${get.what}: more than ${get.maxRedirects} redirects`, {
      hint: 'the server is misconfigured; check the registry URL',
    });
  }
  return to;
}

/**
 * GETs a URL with every bound: the deadline covers connecting, each redirect and the whole body; the body
 * is read chunk by chunk and refused past the cap; redirects are followed by hand, each checked, a loop or
 * too many refused, and origin-only headers dropped once the request leaves its first origin.
 */
export async function boundedGet(get: BoundedGet): Promise<BoundedAnswer> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), get.deadlineMs);
  const origin = new URL(get.url).origin;
  const seen = new Set<string>([get.url]);
  let url = get.url;
  try {
    for (;;) {
      const sameOrigin = new URL(url).origin === origin;
      const post = get.json === undefined ? {} : { method: 'POST', body: get.json };
      const type = get.json === undefined ? {} : { 'content-type': 'application/json' };
      const response = await fetch(url, {
        ...post,
        headers: { ...get.headers, ...type, ...(sameOrigin ? get.originHeaders : {}) },
        redirect: 'manual',
        signal: controller.signal,
      });
      if (response.status >= 300 && response.status < 400 && response.status !== 304) {
        await response.body?.cancel().catch(() => undefined);
        url = nextHop(get, url, response.headers.get('location'), seen);
        seen.add(url);
        continue;
      }
      const body = await readCapped(response, get.maxBytes, (detail) => tooLarge(get, detail));
      return { status: response.status, headers: response.headers, body, url };
    }
  } catch (e) {
    if (e instanceof EnvsyncError) throw e;
    if (controller.signal.aborted) throw timeout(get);
    const cause = e instanceof Error && e.cause instanceof Error ? e.cause.message : String(e);
    throw new EnvsyncError('http_unreachable', `${get.what}: cannot reach ${new URL(url).host} (${cause})`, {
      cause: e,
      hint: 'check the registry URL and the network, or use --offline to work from the cache',
    });
  } finally {
    clearTimeout(timer);
  }
}
