// The normal form of an allowed_hosts entry, so the hash and the diff see one host however it is spelled.

/**
 * An `https://` origin goes through the WHATWG URL parser, as a browser or fetch would read it: scheme and
 * host lower case, the default port (`:443`) dropped, an internationalised name in its ASCII form, no path.
 * A bare host name is lower-cased. Either way without a trailing slash or the trailing dot of a fully
 * qualified name. Idempotent: an entry already in normal form is returned unchanged. What validation
 * refuses (a path, a query, http://) is left as written, for validation to name.
 */
export function normalizeHost(host: string): string {
  if (/^https:\/\//i.test(host)) {
    const origin = originOf(host);
    if (origin !== null) return origin;
  }
  const lower = host.toLowerCase();
  const bare = lower.endsWith('/') ? lower.slice(0, -1) : lower;
  return bare.replace(/\.(?=(?::\d*)?$)/, '');
}

/** `https://host[:port]` in normal form, or null when the entry is more than an origin (a path, a query, user info). */
function originOf(entry: string): string | null {
  let url: URL;
  try {
    url = new URL(entry);
  } catch {
    return null;
  }
  if (url.username || url.password || url.search || url.hash || (url.pathname !== '/' && url.pathname !== ''))
    return null;
  const host = url.hostname.replace(/\.$/, '');
  return `https://${host}${url.port ? `:${url.port}` : ''}`;
}
