// Mends what a crash leaves at the end of a changelog file before a run continues from it: the only change to written bytes.

import {
  appendFileSync,
  closeSync,
  existsSync,
  fsyncSync,
  ftruncateSync,
  openSync,
  readFileSync,
  writeFileSync,
} from 'node:fs';
import { wrapFsError } from '../errors.js';
import type { Repair } from './cache.js';

export interface Repaired {
  file: string;
  /** Where a torn last line was copied before it was cut off. */
  keptAside: string | null;
  newlineAdded: boolean;
}

/**
 * A torn last line (not a whole entry) is copied to `<file>.torn-<n>` and only then cut off, so new lines
 * start clean and nothing is lost; a whole last entry that only lacks its newline gets the newline.
 */
export function repairFile(r: Repair): Repaired {
  try {
    if (r.missingNewline) {
      const fd = openSync(r.file, 'a');
      try {
        appendFileSync(fd, '\n');
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
      return { file: r.file, keptAside: null, newlineAdded: true };
    }
    // Work on the raw bytes: a crash can cut a multi-byte character, which decoding would alter.
    const bytes = readFileSync(r.file);
    const cut = bytes.lastIndexOf(0x0a) + 1;
    let n = 1;
    while (existsSync(`${r.file}.torn-${n}`)) n++;
    const aside = `${r.file}.torn-${n}`;
    const copy = openSync(aside, 'wx');
    try {
      writeFileSync(copy, bytes.subarray(cut));
      fsyncSync(copy);
    } finally {
      closeSync(copy);
    }
    const fd = openSync(r.file, 'r+');
    try {
      fsyncSync(fd);
      ftruncateSync(fd, cut);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    return { file: r.file, keptAside: aside, newlineAdded: false };
  } catch (e) {
    throw wrapFsError(e, r.file, 'mend the end of the changelog file');
  }
}
