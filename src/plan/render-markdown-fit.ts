// Fits the parts of a markdown plan into a character budget: whole when they fit, else as many items as fit.

/** A list with its own heading and closing lines; `more(n)` says how many items were left out. */
export interface Part {
  head: string[];
  items: string[];
  tail: string[];
  more: (left: number) => string;
}

/** Characters the lines take once joined by newlines, counting the newline after each. */
function cost(lines: readonly string[]): number {
  return lines.reduce((n, line) => n + line.length + 1, 0);
}

/** A part's lines in full; nothing at all when it has no items. */
export function partLines(part: Part): string[] {
  return part.items.length === 0 ? [] : [...part.head, ...part.items, ...part.tail];
}

/** The part cut to budget: every item if they fit, else the first items that fit and a line for the rest. */
function fitPart(part: Part, budget: number): string[] {
  const whole = partLines(part);
  if (cost(whole) <= budget) return whole;
  let used = cost(part.head) + cost(part.tail);
  const kept: string[] = [];
  for (const item of part.items) {
    const next = used + item.length + 1;
    if (next + cost([part.more(part.items.length - kept.length - 1)]) > budget) break;
    kept.push(item);
    used = next;
  }
  // Even with nothing kept, the heading and the count stay: a warning is never silently dropped.
  return [...part.head, ...kept, part.more(part.items.length - kept.length), ...part.tail];
}

/** The least a part takes: its heading, closing lines and the count of everything in it. */
function minimum(part: Part): number {
  return part.items.length === 0 ? 0 : cost([...part.head, part.more(part.items.length), ...part.tail]);
}

/**
 * Each part in turn, first to last, gets what the ones before it left of the budget, less the least the
 * ones after it need: earlier parts come first, but no later part is cut to nothing.
 */
export function fitParts(parts: readonly Part[], budget: number): string[][] {
  const least = parts.map(minimum);
  let left = budget;
  return parts.map((part, i) => {
    const later = least.slice(i + 1).reduce((sum, n) => sum + n, 0);
    const lines = fitPart(part, left - later);
    left -= cost(lines);
    return lines;
  });
}
