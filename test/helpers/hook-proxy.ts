// A loopback proxy in front of the emulator whose hook can act before a request goes on, or lose or replace its answer.

import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What to do with a request: forward it, forward it and lose the answer, or forward it and answer `status`. */
export type HookAnswer = 'forward' | 'lose_answer' | { status: number };

export interface HookProxy {
  url: string;
  close(): Promise<void>;
}

export async function startHookProxy(
  target: string,
  hook: (method: string, path: string) => Promise<HookAnswer> | HookAnswer,
): Promise<HookProxy> {
  const upstream = new URL(target);
  const server = createServer(async (req, res) => {
    const body: Buffer[] = [];
    for await (const chunk of req) body.push(chunk as Buffer);
    const answer = await hook(req.method ?? 'GET', (req.url ?? '/').split('?')[0] ?? '/');
    const forward = request(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: req.method,
        path: req.url,
        headers: req.headers,
      },
      (up) => {
        if (answer === 'lose_answer') {
          up.resume();
          up.on('end', () => res.destroy());
          return;
        }
        if (answer !== 'forward') {
          up.resume();
          res.writeHead(answer.status, { 'content-type': 'application/json', 'x-should-retry': 'false' });
          res.end(
            JSON.stringify({ type: 'error', error: { type: 'invalid_request_error', message: 'injected' } }),
          );
          return;
        }
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      },
    );
    forward.on('error', () => res.destroy());
    forward.end(Buffer.concat(body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
