// A loopback proxy in front of the emulator whose hook can act before a request goes on, refuse it, lose or
// replace its answer, or lie: rewrite the answer's JSON, answer on the emulator's behalf, trickle a body, or
// send one that never ends. The fault proxy (fault-proxy.ts) is this proxy with a hook that refuses.

import { createServer, type IncomingHttpHeaders, request, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What the hook sees of a request. */
export interface HookRequest {
  method: string;
  path: string;
  /** The query string, without `?`. */
  search: string;
  headers: IncomingHttpHeaders;
}

/**
 * What to do with a request: forward it; forward it and lose the answer; forward it and answer `status`
 * instead; `refuse` it with that status (it never reaches the emulator); forward it and `rewrite` the JSON of
 * its answer; `respond` without forwarding; answer 200 and `trickle` a body a byte at a time, or send one
 * that is `endless`.
 */
export type HookAnswer =
  | 'forward'
  | 'lose_answer'
  | { status: number }
  | { refuse: number }
  | { rewrite: (body: unknown) => unknown }
  | { respond: { status: number; body: unknown; headers?: Record<string, string> } }
  | { trickle: { everyMs: number } }
  | { endless: true };

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

function respond(
  res: ServerResponse,
  answer: { status: number; body: unknown; headers?: Record<string, string> },
) {
  const text = typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body);
  res.writeHead(answer.status, {
    'content-type': 'application/json',
    'request-id': 'req_proxy',
    ...answer.headers,
  });
  res.end(text);
}

/** A body that keeps coming as fast as the client reads (`endless`) or a byte at a time (`trickle`). */
function stream(res: ServerResponse, answer: { trickle: { everyMs: number } } | { endless: true }): void {
  res.writeHead(200, { 'content-type': 'application/json', 'request-id': 'req_proxy' });
  res.write('{"data":[');
  let open = true;
  res.on('close', () => {
    open = false;
  });
  if ('trickle' in answer) {
    const timer = setInterval(() => res.write(' '), answer.trickle.everyMs);
    res.on('close', () => clearInterval(timer));
    return;
  }
  const chunk = Buffer.alloc(1024 * 1024, 32);
  const pump = () => {
    while (open && res.write(chunk));
    if (open) res.once('drain', pump);
  };
  pump();
}

export async function startHookProxy(
  target: string,
  hook: (method: string, path: string, req: HookRequest) => Promise<HookAnswer> | HookAnswer,
): Promise<HookProxy> {
  const upstream = new URL(target);
  const server = createServer(async (req, res) => {
    const body: Buffer[] = [];
    for await (const chunk of req) body.push(chunk as Buffer);
    const [path = '/', search = ''] = (req.url ?? '/').split('?');
    const method = req.method ?? 'GET';
    const answer = await hook(method, path, { method, path, search, headers: req.headers });
    if (typeof answer === 'object' && 'refuse' in answer) return injectedError(res, answer.refuse);
    if (typeof answer === 'object' && 'respond' in answer) return respond(res, answer.respond);
    if (typeof answer === 'object' && ('trickle' in answer || 'endless' in answer))
      return stream(res, answer);
    const forward = request(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: req.method,
        path: req.url,
        headers: req.headers,
      },
      async (up) => {
        if (answer === 'lose_answer') {
          up.resume();
          up.on('end', () => res.destroy());
          return;
        }
        if (typeof answer === 'object' && 'status' in answer) {
          up.resume();
          injectedError(res, answer.status);
          return;
        }
        if (typeof answer === 'object' && 'rewrite' in answer) {
          const parts: Buffer[] = [];
          for await (const chunk of up) parts.push(chunk as Buffer);
          const rewritten = JSON.stringify(answer.rewrite(JSON.parse(Buffer.concat(parts).toString('utf8'))));
          const headers = { ...up.headers, 'content-length': String(Buffer.byteLength(rewritten)) };
          res.writeHead(up.statusCode ?? 502, headers);
          res.end(rewritten);
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
    close: () =>
      new Promise((resolve) => {
        // Streams that never end would keep the server open: end every connection.
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
