// A full disk under the changelog: apply stops writing to the API, says so clearly, and one apply once space returns heals it.

import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Changelog } from '../../src/changelog/changelog.js';
import { tempDir } from '../helpers/cli.js';
import { pipEnv, Workspace } from '../helpers/workspace.js';

/** A 1 MiB tmpfs of our own, or null where mounting is not allowed (not root, no CAP_SYS_ADMIN, a sandbox). */
function mountTmpfs(): string | null {
  const dir = tempDir('envsync-tmpfs-');
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', dir], { stdio: 'ignore' });
    return dir;
  } catch {
    return null;
  }
}

/** Fills the file system but `spare` bytes (page-granular on tmpfs). */
function fill(dir: string, spare: number): void {
  writeFileSync(path.join(dir, 'spare'), Buffer.alloc(spare));
  const chunk = Buffer.alloc(4096, 1);
  for (let i = 0; ; i++) {
    try {
      writeFileSync(path.join(dir, `filler-${i}`), chunk);
    } catch {
      break;
    }
  }
  rmSync(path.join(dir, 'spare'));
}

const disk = mountTmpfs();

describe.skipIf(disk === null)(
  'a full disk under the changelog (needs root to mount a tmpfs; skipped otherwise)',
  () => {
    let ws: Workspace;
    const mount = disk as string;
    const changelog = path.join(mount, 'changelog');
    beforeAll(async () => {
      ws = await Workspace.start();
      mkdirSync(changelog);
    });
    afterAll(async () => {
      await ws.close();
      execFileSync('umount', [mount]);
    });

    it('stops at the first failed write, leaves nothing the next run cannot find, and heals once space returns', async () => {
      const names = Array.from({ length: 12 }, (_, i) => `d-${i}`);
      for (const n of names)
        ws.files({ [`${n}.yaml`]: pipEnv(n, ['numpy==2.1.3'], `description: ${'x'.repeat(300)}\n`) });
      // Room for the lock and a page of the run file: begin and a few creates, then ENOSPC.
      fill(mount, 8192);
      const r = await ws.cli(['--changelog', changelog, 'apply', '--auto-approve', '--parallelism', '2']);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(
        /error\[fs_full\]: cannot write the changelog .*: no space left on the device \(ENOSPC\)/,
      );
      expect(r.stderr).not.toContain('internal error');
      expect(r.stdout).toMatch(/Apply stopped: \d+ created/);
      const live = await ws.live();
      expect(live.length).toBeGreaterThan(0);
      expect(live.length).toBeLessThan(names.length);

      // Every environment that exists is recorded, or the run is left open so the next apply finds it.
      const log = Changelog.open(changelog);
      const history = log.history();
      const state = log.state();
      const recorded = new Set(state.recorded.map((x) => x.env_id));
      const unrecorded = live.filter((e) => !recorded.has(e.id));
      if (unrecorded.length > 0) expect(state.open.length).toBe(1);
      expect(history.problems.filter((p) => !p.message.includes('began but never ended'))).toEqual([]);

      // Still full: a clear error again, never "internal error", and nothing more sent.
      ws.emu.resetStats();
      const again = await ws.cli(['--changelog', changelog, 'apply', '--auto-approve']);
      expect(again.code).toBe(1);
      expect(again.stderr).toContain('error[fs_full]');
      expect(again.stderr).not.toContain('internal error');
      expect(Object.keys(ws.emu.stats().byRoute).filter((k) => !k.startsWith('GET'))).toEqual([]);

      for (let i = 0; ; i++) {
        try {
          rmSync(path.join(mount, `filler-${i}`));
        } catch {
          break;
        }
      }
      const healed = await ws.cli(['--changelog', changelog, 'apply', '--auto-approve']);
      expect(healed.code, healed.stderr).toBe(0);
      expect((await ws.live()).map((e) => e.name).sort()).toEqual([...names].sort());
      expect((await ws.cli(['--changelog', changelog, 'verify'])).code).toBe(0);
      const verifyLive = await ws.cli(['--changelog', changelog, 'verify', '--live']);
      expect(verifyLive.code, verifyLive.stdout).toBe(0);
    });
  },
);
