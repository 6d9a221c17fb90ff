// An answer the transport read whole: its text is what `Response.text()` would have given for the same bytes.

import { describe, expect, it } from 'vitest';
import { ReadAnswer } from '../../../src/api/transport.js';

describe('ReadAnswer', () => {
  it.each([
    ['plain JSON', Buffer.from('{"data":[],"next_page":null}')],
    ['a leading byte order mark', Buffer.from('\ufeff{"a":"é"}')],
    ['a byte order mark inside the text', Buffer.from('{"a":"\ufeff"}')],
    ['bytes that are not UTF-8', Buffer.from([0x7b, 0xff, 0x7d])],
    ['nothing', Buffer.alloc(0)],
  ])('decodes %s as Response.text() does, and streams the same bytes', async (_why, bytes) => {
    const answer = new ReadAnswer(bytes, { status: 200 });
    expect(answer.utf8()).toBe(await new Response(bytes).text());
    expect(Buffer.from(await answer.arrayBuffer())).toEqual(bytes);
  });

  it('reads a slice of a larger buffer as that slice only', async () => {
    const whole = Buffer.from('xx{"a":1}yy');
    const slice = whole.subarray(2, 9);
    const answer = new ReadAnswer(slice, { status: 200 });
    expect(answer.utf8()).toBe('{"a":1}');
    expect(await answer.text()).toBe('{"a":1}');
  });
});
