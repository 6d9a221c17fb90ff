// A loopback HTTP proxy in front of the emulator that answers chosen requests with an error instead.

import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FaultProxy {
  url: string;
  close(): Promise<void>;
}

/** Forwards everything to target, except requests for which `fail` returns a status to answer with. */
export async function startFaultProxy(
  target: string,
  fail: (method: string, path: string) => number | undefined,
): Promise<FaultProxy> {
  const upstream = new URL(target);
  const server = createServer((req, res) => {
    const status = fail(req.method ?? 'GET', (req.url ?? '/').split('?')[0] ?? '/');
    if (status !== undefined) {
      req.resume();
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
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      },
    );
    forward.on('error', () => res.destroy());
    req.pipe(forward);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
