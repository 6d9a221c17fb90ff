// Where each value of a merged environment was written, in the paths plans use, for errors and plans to name.

import { HOSTS_FIELD, memberKey } from '../domain/members.js';
import { normalizeHost } from '../hash/host.js';
import type { Provenance, SourceLocation } from '../model.js';
import { join, type Layer, MERGED_MAPS, type Node, type Origin } from './merge.js';

function place(origin: Origin): SourceLocation {
  const { line, column } = origin.doc.locate(origin.path, 'value');
  return { file: origin.file, line, column };
}

/** A set's member as the normal config spells it: hosts in normal form, package specs as written. */
function asMember(field: string, value: string): string {
  return field === HOSTS_FIELD ? normalizeHost(value) : value;
}

/** The provenance of a merged environment: each field's and each set member's place, and each removal's. */
export function provenanceOf(layer: Layer): Provenance {
  const out: Provenance = { bases: [...layer.bases], fields: {}, members: {}, removed: {} };
  const walk = (node: Node, field: string): void => {
    if (node.kind === 'list' && memberKey(field)) {
      const members: Record<string, SourceLocation> = {};
      for (const item of node.items)
        if (item.kind === 'leaf' && typeof item.value === 'string')
          members[asMember(field, item.value)] = place(item.origin);
      out.members[field] = members;
    } else if (node.kind === 'map' && MERGED_MAPS.has(field)) {
      for (const [key, child] of node.entries)
        if (!(field === '' && key === 'name')) walk(child, join(field, key));
    } else out.fields[field] = place(node.origin);
  };
  walk(layer.root, '');
  for (const r of layer.removals) {
    const byKey = out.removed[r.field] ?? {};
    byKey[r.key] = place(r.origin);
    out.removed[r.field] = byKey;
  }
  return out;
}
