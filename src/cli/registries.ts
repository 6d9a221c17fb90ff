// How a command reaches the package registries: offline or not, local or not, where tokens come from.

import { isLoopbackHost } from '../api/base-url.js';
import type { RegistryRun } from '../workflow/lock.js';
import type { Ctx } from './context.js';

/** A local run: `--local`, or an API on this machine (an emulator). It asks only the registries envsync.yaml names. */
export function isLocalRun(ctx: Ctx): boolean {
  if (ctx.global.local) return true;
  const base = ctx.global.baseUrl ?? ctx.io.env.ANTHROPIC_BASE_URL;
  if (base === undefined) return false;
  try {
    return isLoopbackHost(new URL(base).hostname);
  } catch {
    return false;
  }
}

/** How this run reaches the package registries. */
export function registryRun(ctx: Ctx, offline: boolean): RegistryRun {
  return { offline, local: isLocalRun(ctx), env: ctx.io.env, cwd: ctx.io.cwd, now: Date.now };
}
