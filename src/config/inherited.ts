// Problems in values a base brought in: reported once at the base's line, naming every environment that inherits them.

import type { Diagnostic } from '../model.js';
import { PLACES_SHOWN } from './names.js';
import { quote } from './text.js';

/**
 * Collects the diagnostics of merged environments. One found in the environment's own file is kept as it is;
 * one located in a base is kept once per place and message, however many environments inherit it, and says
 * which ones: "… (inherited by data-a, data-b from bases/python.yaml)".
 */
export class InheritedDiagnostics {
  private readonly groups = new Map<string, { d: Diagnostic; by: string[] }>();

  /** Sorts one environment's diagnostics: its own go to `own`, those located in a base are grouped here. */
  add(diagnostics: readonly Diagnostic[], ownFile: string, name: string, own: Diagnostic[]): void {
    for (const d of diagnostics) {
      if (d.file === ownFile) {
        own.push(d);
        continue;
      }
      const key = [d.severity, d.file, d.line, d.column, d.path, d.message, d.hint ?? ''].join('\0');
      const group = this.groups.get(key);
      if (group) group.by.push(name);
      else this.groups.set(key, { d, by: [name] });
    }
  }

  /** One diagnostic per place and message, naming the environments that inherit it. */
  diagnostics(): Diagnostic[] {
    return [...this.groups.values()].map(({ d, by }) => {
      const shown = by.slice(0, PLACES_SHOWN).map(quote);
      const rest = by.length - shown.length;
      const names = rest > 0 ? `${shown.join(', ')} and ${rest} more` : shown.join(', ');
      return { ...d, message: `${d.message} (inherited by ${names} from ${d.file})`, inherited_by: by };
    });
  }
}
