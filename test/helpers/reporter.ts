// A Reporter that keeps every event, so tests assert on what the library reported, not on how the CLI words it.

import type { Reporter, ReporterEvent } from '../../src/model.js';

type Of<T extends ReporterEvent['type']> = Extract<ReporterEvent, { type: T }>;

export class RecordingReporter implements Reporter {
  readonly events: ReporterEvent[] = [];

  event(e: ReporterEvent): void {
    this.events.push(e);
  }

  /** The events of one type, in the order they came. */
  of<T extends ReporterEvent['type']>(type: T): Of<T>[] {
    return this.events.filter((e): e is Of<T> => e.type === type);
  }

  /**
   * The action events as short lines, `start create a`, `done create a`, `failed update b`: what happened to
   * which environment, in order, without the timings and IDs (compared separately).
   */
  actions(): string[] {
    return this.events.flatMap((e) => {
      if (e.type === 'action_start') return [`start ${e.kind} ${e.name}`];
      if (e.type === 'action_done') return [`done ${e.kind} ${e.name}`];
      if (e.type === 'action_failed') return [`failed ${e.kind} ${e.name}`];
      return [];
    });
  }
}
