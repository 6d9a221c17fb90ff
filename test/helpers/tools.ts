// Tests that need a tool outside Node (strace, Chromium): skipped with a message where it is missing, and failed
// instead when ENVSYNC_REQUIRE_TOOLS=1 (CI sets it after installing them), so CI never passes by skipping.

import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { beforeEach, describe } from 'vitest';

export interface Tool {
  name: string;
  available: boolean;
  /** How to get it, for the skip message and the failure. */
  install: string;
}

/** Set by .ci/run: a missing tool fails the tests that need it. */
export const REQUIRE_TOOLS = process.env.ENVSYNC_REQUIRE_TOOLS === '1';

export const STRACE: Tool = {
  name: 'strace',
  available: spawnSync('strace', ['-f', '-e', 'trace=fsync', 'true'], { stdio: 'ignore' }).status === 0,
  install: 'apt-get install strace',
};

/** Debian's chromium (what .ci/run installs), or CHROMIUM_PATH. */
export const CHROMIUM_PATH = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser']
  .filter((p): p is string => Boolean(p))
  .find((p) => existsSync(p));

export const CHROMIUM: Tool = {
  name: 'Chromium',
  available: CHROMIUM_PATH !== undefined,
  install: 'install Debian’s chromium (apt-get install chromium) or set CHROMIUM_PATH',
};

/**
 * `describe` for tests that need `tool`. Without it: skipped, the title saying why; with
 * ENVSYNC_REQUIRE_TOOLS=1, every test in it fails instead, saying what to install.
 */
export function describeWithTool(tool: Tool, title: string, fn: () => void): void {
  if (tool.available) {
    describe(title, fn);
    return;
  }
  if (!REQUIRE_TOOLS) {
    describe.skip(`${title} [skipped: no ${tool.name}; ${tool.install}]`, fn);
    return;
  }
  describe(title, () => {
    // Before each test, so each one fails (a failed beforeAll would leave them reported as skipped).
    beforeEach(() => {
      throw new Error(`${tool.name} is missing and ENVSYNC_REQUIRE_TOOLS=1: ${tool.install}`);
    });
    fn();
  });
}
