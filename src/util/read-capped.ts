// Reading an HTTP answer whole without trusting its size: one loop for the API's answers and the registries'.

/**
 * Reads a body up to `maxBytes`: a declared length over the cap is refused before reading, a longer body is
 * cut off as soon as it passes the cap. `tooLarge` builds the caller's error from what was seen.
 */
export async function readCapped(
  response: Response,
  maxBytes: number,
  tooLarge: (detail: string) => Error,
): Promise<Buffer> {
  const declared = Number(response.headers.get('content-length') ?? Number.NaN);
  if (declared > maxBytes) {
    await response.body?.cancel().catch(() => undefined);
    throw tooLarge(`it declares ${declared} bytes`);
  }
  if (!response.body) return Buffer.alloc(0);
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel().catch(() => undefined);
      throw tooLarge(`cut off after ${size} bytes`);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks, size);
}
