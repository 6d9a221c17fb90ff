import { describe, expect, it } from 'vitest';
import { hostProblem } from '../../../src/config/hosts.js';
import { environmentSchema } from '../../../src/config/schema-check.js';
import { configHash } from '../../../src/hash/config-hash.js';
import { normalizeHost } from '../../../src/hash/host.js';

const HOST = new RegExp(
  environmentSchema.properties.config.properties.networking.properties.allowed_hosts.items.pattern,
  'u',
);

describe('allowed_hosts grammar', () => {
  const label63 = 'a'.repeat(63);
  const name253 = `${label63}.${label63}.${label63}.${'a'.repeat(61)}`;
  it.each([
    'api.example.com',
    'API.Example.COM.',
    'https://api.example.com',
    'https://api.example.com:8443/',
    '*.example.com',
    'xn--bcher-kva.example',
    'localhost:1',
    'api.example.com:65535',
    `${label63}.com`,
    name253,
  ])('accepts %s', (host) => {
    expect(HOST.test(host)).toBe(true);
  });

  it.each([
    ['api.example.com:0', 'has port 0, outside 1–65535'],
    ['api.example.com:65536', 'has port 65536, outside 1–65535'],
    [`${'a'.repeat(64)}.com`, 'has a label of 64 characters'],
    [`${name253}a`, 'is 254 characters, over the 253'],
    ['bücher.example', 'must be written in punycode'],
    ['http://api.example.com', 'uses plain http://'],
    ['https://api.example.com/v1', 'has a path'],
    ['api.example.com?x', 'has a query'],
    ['api.exa\u200Bmple.com', 'contains U+200B ZERO WIDTH SPACE at position 8'],
    ['a.*.example.com', 'contains "*" (U+002A)'],
  ])('refuses %s', (host, message) => {
    expect(HOST.test(host)).toBe(false);
    expect(hostProblem(host).message).toContain(message);
  });

  it('hints the punycode spelling of a Unicode host', () => {
    expect(hostProblem('bücher.example').hint).toBe('write it as xn--bcher-kva.example');
  });
});

describe('normalizeHost', () => {
  it.each([
    ['API.Example.COM', 'api.example.com'],
    ['api.example.com.', 'api.example.com'],
    ['HTTPS://Api.Example.com/', 'https://api.example.com'],
    ['https://api.example.com.:8443/', 'https://api.example.com:8443'],
    ['*.Example.com', '*.example.com'],
    // Read as WHATWG URL reads an origin: the default port goes, a name in Unicode takes its ASCII form.
    ['https://api.example.com:443', 'https://api.example.com'],
    ['https://API.example.com:443/', 'https://api.example.com'],
    ['https://bücher.example', 'https://xn--bcher-kva.example'],
    // Not an origin (a path): left as written, for validation to refuse.
    ['https://api.example.com/v1', 'https://api.example.com/v1'],
  ])('%s → %s, and is idempotent', (host, normal) => {
    expect(normalizeHost(host)).toBe(normal);
    expect(normalizeHost(normal)).toBe(normal);
  });

  it('hashes hosts that differ only in case, trailing dot or slash alike', () => {
    const config = (hosts: string[]) =>
      configHash({ type: 'cloud', networking: { type: 'limited', allowed_hosts: hosts } });
    expect(config(['API.example.com.', 'https://B.example.com/'])).toBe(
      config(['api.example.com', 'https://b.example.com']),
    );
    expect(config(['https://api.example.com:443'])).toBe(config(['https://api.example.com']));
  });
});
