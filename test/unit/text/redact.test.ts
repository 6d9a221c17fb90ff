// Secrets out of every text: by value, longest first, and any Anthropic-shaped key whatever its source.

import { describe, expect, it } from 'vitest';
import { Redactor, truncate } from '../../../src/text/redact.js';

describe('Redactor', () => {
  it('removes a registered secret wherever it appears, however the server echoed it', () => {
    const r = new Redactor();
    r.add('super-secret-value-1');
    expect(r.redact('authorization: Bearer super-secret-value-1, x-api-key: super-secret-value-1')).toBe(
      'authorization: Bearer [redacted], x-api-key: [redacted]',
    );
  });

  it('takes the values of credential-looking variables, not of the others, and ignores short ones', () => {
    const r = new Redactor();
    r.addFromEnv({ ANTHROPIC_API_KEY_STAGING: 'stage-key-123456', HOME: '/home/tester', GH_TOKEN: 'short' });
    expect(r.redact('stage-key-123456 in /home/tester, short')).toBe('[redacted] in /home/tester, short');
  });

  it('replaces a longer secret whole when a shorter one is inside it', () => {
    const r = new Redactor();
    r.add('abcdefgh');
    r.add('abcdefgh-and-more');
    expect(r.redact('x abcdefgh-and-more y abcdefgh')).toBe('x [redacted] y [redacted]');
  });

  it('removes an Anthropic key it was never told about', () => {
    expect(new Redactor().redact('key sk-ant-api03-AbCdEf_123-xyz here')).toBe('key [redacted] here');
  });

  it('cuts long text with an ellipsis', () => {
    expect(truncate('abcdef', 4)).toBe('abc…');
    expect(truncate('abc', 4)).toBe('abc');
  });
});
