// A loopback HTTP proxy in front of the emulator that answers chosen requests with an error instead.

import { type HookProxy, startHookProxy } from './hook-proxy.js';

export type FaultProxy = HookProxy;

/** Forwards everything to target, except requests for which `fail` returns a status to refuse them with. */
export function startFaultProxy(
  target: string,
  fail: (method: string, path: string) => number | undefined,
): Promise<FaultProxy> {
  return startHookProxy(target, (method, path) => {
    const status = fail(method, path);
    return status === undefined ? 'forward' : { refuse: status };
  });
}
