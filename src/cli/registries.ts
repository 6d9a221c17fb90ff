// How a command reaches the package registries: offline or not, local or not, where tokens come from.

import type { RegistryRun } from '../workflow/lock.js';
import { isLocalRun } from '../workflow/registry-run.js';
import type { Ctx } from './context.js';

/** How this run reaches the package registries. */
export function registryRun(ctx: Ctx, offline: boolean): RegistryRun {
  return {
    offline,
    local: isLocalRun(ctx.global.local, ctx.global.baseUrl ?? ctx.io.env.ANTHROPIC_BASE_URL),
    env: ctx.io.env,
    cwd: ctx.io.cwd,
    now: Date.now,
  };
}
