// Durations as people type them for Terraform's -lock-timeout: `30s`, `5m`, `1m30s`, `500ms`, `0`.

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** The duration in milliseconds, or null when the text is not one (a bare number other than 0 needs a unit). */
export function parseDuration(text: string): number | null {
  const t = text.trim();
  if (t === '0') return 0;
  if (!/^(\d+(\.\d+)?(ms|s|m|h))+$/.test(t)) return null;
  let ms = 0;
  for (const m of t.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g))
    ms += Number(m[1]) * (UNIT_MS[m[2] as string] ?? 0);
  return Number.isFinite(ms) ? Math.round(ms) : null;
}

/** `1m30s`, `45s`, `250ms`: how a wait is named in messages. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${ms}ms`;
  const s = Math.round(ms / 1000);
  const m = Math.floor(s / 60);
  return m > 0 ? `${m}m${s % 60 > 0 ? `${s % 60}s` : ''}` : `${s}s`;
}
