// Whether a run points at this machine: then it asks only the registries envsync.yaml names.

import { isLoopbackHost } from '../api/base-url.js';

/**
 * A local run: `--local`, or an API on this machine (an emulator). It asks only the registries
 * envsync.yaml names, never a public one (as the rate-limit default depends on where a run points).
 */
export function isLocalRun(local: boolean, baseUrl: string | undefined): boolean {
  if (local) return true;
  if (baseUrl === undefined) return false;
  try {
    return isLoopbackHost(new URL(baseUrl).hostname);
  } catch {
    return false;
  }
}
