// The normal form of an allowed_hosts entry, so the hash and the diff see one host however it is spelled.

/**
 * Lower case (host names and schemes are case-insensitive), without a trailing slash or the trailing dot
 * of a fully qualified name. Idempotent: an entry already in normal form is returned unchanged.
 */
export function normalizeHost(host: string): string {
  const lower = host.toLowerCase();
  const bare = lower.endsWith('/') ? lower.slice(0, -1) : lower;
  return bare.replace(/\.(?=(?::\d*)?$)/, '');
}
