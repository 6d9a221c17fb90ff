// allowed_hosts entries: why one is refused. The grammar is the schema's pattern; this explains a refusal.

import { domainToASCII } from 'node:url';
import type { Problem } from './packages.js';
import { describeChar, findChar, firstInvisible, quote } from './text.js';

const SHAPE_HINT = 'write it as api.example.com or https://api.example.com (a port is allowed: :8443)';
const LABEL = /^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?$/;

/** Why a host entry is refused, checked in the order a reader would fix it. */
export function hostProblem(host: string): Problem {
  const shown = quote(host);
  const hidden = firstInvisible(host) ?? findChar(host, (ch) => /\s/u.test(ch));
  if (hidden) {
    return {
      message: `${shown} contains ${describeChar(hidden.ch)} at position ${hidden.position}`,
      hint: 'retype the host; it holds a character that does not show',
    };
  }
  if (/^http:\/\//i.test(host))
    return {
      message: `${shown} uses plain http://`,
      hint: 'use a host name (api.example.com) or an https:// origin',
    };
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//.exec(host);
  if (scheme && scheme[1]?.toLowerCase() !== 'https')
    return { message: `${shown} uses the scheme ${scheme[1]}://`, hint: 'only https:// origins are allowed' };
  const rest = scheme ? host.slice(scheme[0].length) : host;
  if (/[?#]/.test(rest))
    return { message: `${shown} has a query or fragment`, hint: 'give only the host name' };
  if (/\/./.test(rest)) {
    return {
      message: `${shown} has a path`,
      hint: 'allowed_hosts takes host names or origins, not URLs with paths',
    };
  }
  if (rest.includes('@'))
    return {
      message: `${shown} has a user name`,
      hint: 'give only the host name; credentials do not belong here',
    };
  const authority = rest.replace(/\/$/, '');
  const portMatch = /:([^:]*)$/.exec(authority);
  const name = portMatch ? authority.slice(0, portMatch.index) : authority;
  if (/[^\x20-\x7e]/.test(name)) {
    const ascii = domainToASCII(name.toLowerCase());
    return {
      message: `${shown} is not ASCII: an internationalized host name must be written in punycode`,
      hint: ascii ? `write it as ${ascii}` : 'convert it to punycode (xn--…)',
    };
  }
  if (portMatch) {
    const port = portMatch[1] ?? '';
    if (!/^\d+$/.test(port)) return { message: `${shown} has a port that is not a number`, hint: SHAPE_HINT };
    const value = Number(port);
    if (value < 1 || value > 65535 || port.startsWith('0'))
      return { message: `${shown} has port ${port}, outside 1–65535`, hint: 'use a port from 1 to 65535' };
  }
  const bare = name.replace(/\.$/, '');
  if (bare.length > 253) {
    return {
      message: `${shown} is ${bare.length} characters, over the 253 a host name may have`,
      hint: SHAPE_HINT,
    };
  }
  const labels = bare.split('.');
  if (labels[0] === '*') labels.shift();
  for (const label of labels) {
    if (label === '')
      return {
        message: `${shown} has an empty label (two dots in a row, or a leading dot)`,
        hint: SHAPE_HINT,
      };
    if (label.length > 63) {
      return {
        message: `${shown} has a label of ${label.length} characters, over the 63 a label may have`,
        hint: SHAPE_HINT,
      };
    }
    if (!LABEL.test(label)) {
      const bad = findChar(label, (ch) => !/[A-Za-z0-9-]/.test(ch));
      return {
        message: bad
          ? `${shown} contains ${describeChar(bad.ch)}, which host names do not use`
          : `${shown} has a label that starts or ends with "-"`,
        hint: SHAPE_HINT,
      };
    }
  }
  return { message: `${shown} is not a host name or https:// origin`, hint: SHAPE_HINT };
}
