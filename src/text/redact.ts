// Secrets out of every text envsync prints or writes: by value (the key itself, wherever a server echoes it),
// not by the name of the field that happened to hold it.

/** A value shorter than this is too common to be a secret worth replacing everywhere (and would mangle text). */
const MIN_SECRET_LENGTH = 8;
/** Anthropic keys have this shape whatever variable they came from: removed even when not registered. */
const KEY_SHAPE = /sk-ant-[A-Za-z0-9_-]{6,}/g;
export const REDACTED = '[redacted]';

/** Credential-looking variables whose values are secrets wherever they appear. */
const SECRET_VARIABLE = /(KEY|TOKEN|SECRET|PASSWORD)/i;

export class Redactor {
  private secrets: string[] = [];

  /** Registers a secret value (the API key); too-short or empty values are ignored. */
  add(value: string | null | undefined): void {
    if (!value || value.length < MIN_SECRET_LENGTH || this.secrets.includes(value)) return;
    // Longest first, so a secret that contains another is replaced whole.
    this.secrets = [...this.secrets, value].sort((a, b) => b.length - a.length);
  }

  /** Registers the values of every credential-looking variable (`*_API_KEY`, `*_TOKEN`, …). */
  addFromEnv(env: Record<string, string | undefined>): void {
    for (const [name, value] of Object.entries(env)) if (SECRET_VARIABLE.test(name)) this.add(value);
  }

  redact(text: string): string {
    let out = text;
    for (const secret of this.secrets) if (out.includes(secret)) out = out.split(secret).join(REDACTED);
    return out.includes('sk-ant-') ? out.replace(KEY_SHAPE, REDACTED) : out;
  }
}

/** Untrusted text cut to a length a terminal line or a JSON field can hold. */
export function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
