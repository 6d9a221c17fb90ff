import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempPrefix, writeFileAtomic } from '../../../src/fs/atomic.js';
import { tempDir } from '../../helpers/cli.js';

describe('writeFileAtomic', () => {
  it('replaces a file whole and leaves no temp file behind', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'plan.json');
    writeFileSync(file, 'old text that is longer than the new one\n');
    await writeFileAtomic(file, 'new\n');
    expect(readFileSync(file, 'utf8')).toBe('new\n');
    expect(readdirSync(dir)).toEqual(['plan.json']);
  });

  it('when the rename fails, throws the system error and removes its temp file', async () => {
    const dir = tempDir();
    // A non-empty directory where the file should go: the temp file is written, the rename over it fails.
    const target = path.join(dir, 'state.json');
    mkdirSync(target);
    writeFileSync(path.join(target, 'inside'), 'kept');
    const err = await writeFileAtomic(target, '{"new":true}\n').then(
      () => undefined,
      (e: NodeJS.ErrnoException) => e,
    );
    expect(err?.code).toMatch(/^(EISDIR|ENOTEMPTY|EEXIST|EPERM)$/);
    expect(readdirSync(dir)).toEqual(['state.json']);
    expect(readdirSync(dir).some((n) => n.startsWith(tempPrefix(target)))).toBe(false);
    expect(readFileSync(path.join(target, 'inside'), 'utf8')).toBe('kept');
  });

  it('fails before writing anything when the directory does not exist', async () => {
    const dir = tempDir();
    const err = await writeFileAtomic(path.join(dir, 'missing', 'plan.json'), 'x').then(
      () => undefined,
      (e: NodeJS.ErrnoException) => e,
    );
    expect(err?.code).toBe('ENOENT');
    expect(readdirSync(dir)).toEqual([]);
  });
});
