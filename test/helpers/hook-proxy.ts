// A loopback proxy in front of the emulator whose hook can act before a request goes on, refuse it, or lose
// or replace its answer. The fault proxy (fault-proxy.ts) is this proxy with a hook that refuses.

import { createServer, request, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * What to do with a request: forward it; forward it and lose the answer; forward it and answer `status`
 * instead; or `refuse` it with that status (it never reaches the emulator).
 */
export type HookAnswer = 'forward' | 'lose_answer' | { status: number } | { refuse: number };

export interface HookProxy {
  url: string;
  close(): Promise<void>;
}

/** The API's error shape, marked as this proxy's and as not worth retrying. */
function injectedError(res: ServerResponse, status: number): void {
  res.writeHead(status, {
    'content-type': 'application/json',
    'x-should-retry': 'false',
    'request-id': 'req_proxy',
  });
  res.end(
    JSON.stringify({
      type: 'error',
      error: { type: 'invalid_request_error', message: 'injected by the test proxy' },
      request_id: 'req_proxy',
    }),
  );
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
    if (typeof answer === 'object' && 'refuse' in answer) {
      injectedError(res, answer.refuse);
      return;
    }
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
          injectedError(res, answer.status);
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
