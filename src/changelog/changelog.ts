// One changelog, opened once: where it is (parsed once), the key of its files (a stat of each, once), its
// snapshot and name index (the cache files), and its full history — each read at most once per object.

import { existsSync } from 'node:fs';
import { previewName } from '../domain/preview.js';
import type { ChangelogEntry } from '../model.js';
import { cacheKey, entriesForName, loadState, namesKnown, readFullHistory } from './cache.js';
import type { History } from './history.js';
import { entriesOfRuns } from './preview-runs.js';
import type { ChangelogState } from './snapshot.js';
import { type ChangelogLocation, changelogLocation } from './store.js';
import { type EnvironmentHistory, historyAll, historyOf } from './timeline.js';

/**
 * A view of the changelog as it is when opened. It does not see what is written after (an apply's own run
 * file, a repair): open it again for that. Every query of one command goes through one object, so nothing
 * is read or stat'ed twice and no memo outlives it.
 */
export class Changelog {
  private keyMemo: string | undefined;
  private fullMemo: History | undefined;

  private constructor(readonly location: ChangelogLocation) {}

  /** `--changelog` and the defaults name the directory; a `.jsonl` path names the legacy file beside it. */
  static open(pathOrDir: string): Changelog {
    return new Changelog(changelogLocation(pathOrDir));
  }

  /** Whether anything was ever recorded here (a run directory or a legacy file). */
  exists(): boolean {
    return existsSync(this.location.dir) || existsSync(this.location.legacy);
  }

  private key(): string {
    this.keyMemo ??= cacheKey(this.location);
    return this.keyMemo;
  }

  /** What plan, status and apply need, from the snapshot when the files have not changed. */
  state(): ChangelogState {
    return loadState(this.location, this.key());
  }

  /** Every run file read, checked and ordered: what verify, history, show and resolve read. */
  history(): History {
    this.fullMemo ??= readFullHistory(this.location);
    return this.fullMemo;
  }

  /** The timeline of one name (from the name index when it still matches the files), or of every name. */
  timelines(name: string | undefined): {
    histories: EnvironmentHistory[];
    problems: History['problems'];
    problemCount: number;
  } {
    if (name !== undefined) {
      const entries = entriesForName(this.location, name, this.key());
      if (entries) {
        const state = this.state();
        return {
          histories: [historyOf(entries, name)],
          problems: state.problems,
          problemCount: state.problemCount,
        };
      }
    }
    const full = this.history();
    // Preview runs are shown apart (previewTimelines): their copies are not the environments the files declare.
    const main = entriesOfRuns(full.runs, 'main');
    return {
      histories: name === undefined ? historyAll(main) : [historyOf(main, name)],
      problems: full.problems,
      problemCount: full.problems.length,
    };
  }

  /**
   * `history --previews [NAME]`: the preview runs' timelines, one per copy (`<name>--<ID>`); with NAME, the
   * copies of that environment under every preview ID recorded (or the one copy NAME names).
   */
  previewTimelines(name: string | undefined): {
    histories: EnvironmentHistory[];
    problems: History['problems'];
  } {
    const full = this.history();
    const all = historyAll(entriesOfRuns(full.runs, 'previews'));
    if (name === undefined) return { histories: all, problems: full.problems };
    const ids = new Set(full.runs.flatMap((r) => r.preview?.ids ?? []));
    const names = new Set([name, ...[...ids].map((id) => previewName(name, id))]);
    return { histories: all.filter((h) => names.has(h.name)), problems: full.problems };
  }

  /** Every name the changelog knows, for "did you mean". */
  names(): string[] {
    return namesKnown(this.location, this.key());
  }

  /** Every entry, in history order. */
  entries(): ChangelogEntry[] {
    return this.history().entries;
  }
}
