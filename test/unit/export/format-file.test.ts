// The formatter: canonical key order, sorted sets, the modeline first, comments and meaning kept, idempotent.

import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { formatEnvironmentText } from '../../../src/export/format-file.js';

const REF = '../schema/environment.schema.json';
const fmt = (text: string) => {
  const r = formatEnvironmentText(text, REF);
  if (!r.ok) throw new Error(r.message);
  return r.text;
};

const MESSY = `# yaml-language-server: $schema=somewhere/else.json
# Owned by the data team.

# how the container is built
config:
  networking: {allowed_hosts: [b.example.com, A.example.com], type: limited, allow_package_managers: true}
  packages:
    pip:
      - zeta==1.0   # keep zeta
      - alpha==2.0
  type: cloud
lifecycle: {previous_names: [z, a], on_config_change: recreate}
name: data   # the name
metadata: {b: "2", a: "1"}
description: "Python stack"
---
# second document
name: web
`;

describe('formatEnvironmentText', () => {
  it('puts keys in the file order, sorts sets, writes the modeline, and keeps every comment where it belongs', () => {
    expect(fmt(MESSY)).toBe(`# yaml-language-server: $schema=${REF}
# Owned by the data team.

name: data # the name
description: "Python stack"
metadata: {b: "2", a: "1"}
# how the container is built
config:
  type: cloud
  packages:
    pip:
      - alpha==2.0
      - zeta==1.0 # keep zeta
  networking: {type: limited, allowed_hosts: [A.example.com, b.example.com], allow_package_managers: true}
lifecycle: {on_config_change: recreate, previous_names: [z, a]}
---
# second document
name: web
`);
  });

  it('is idempotent, and means exactly what the input meant (sets aside)', () => {
    const once = fmt(MESSY);
    expect(fmt(once)).toBe(once);
    const values = (t: string) => parseAllDocuments(t).map((d) => (Array.isArray(d) ? null : d.toJS()));
    expect(values(once)[1]).toEqual(values(MESSY)[1]);
    expect(values(once)[0].metadata).toEqual({ b: '2', a: '1' });
  });

  it('adds a modeline to a file without one and leaves a canonical file as it is', () => {
    expect(fmt('name: x\n')).toBe(`# yaml-language-server: $schema=${REF}\nname: x\n`);
    const canonical = `# yaml-language-server: $schema=${REF}\nname: x\n`;
    expect(fmt(canonical)).toBe(canonical);
  });

  it('keeps a comment on the first key with it when that key moves', () => {
    expect(fmt('# about config\nconfig: {type: cloud}\nname: x\n')).toBe(
      `# yaml-language-server: $schema=${REF}\nname: x\n# about config\nconfig: {type: cloud}\n`,
    );
  });

  it('leaves a file that does not read as YAML alone, saying where', () => {
    const r = formatEnvironmentText('name: [unclosed\n', REF);
    expect(r.ok).toBe(false);
    expect(r.ok ? 0 : r.line).toBeGreaterThan(0);
  });
});
