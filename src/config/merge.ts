// Merges bases into an environment (`extends:`), keeping for every value the file and node it was written at.

import { HOSTS_FIELD, memberKey } from '../domain/members.js';
import { packageName } from '../domain/package-spec.js';
import { normalizeHost } from '../hash/host.js';
import { PACKAGE_MANAGERS, type PackageManager } from '../model.js';
import type { Located, ParsedDocument, PathSegment } from './parse.js';

/** Where one value was written: a file, its document, and the node's path in that document. */
export interface Origin {
  file: string;
  doc: ParsedDocument;
  path: readonly PathSegment[];
}

/** A document's value as a tree whose every node remembers its origin, so merged values stay located. */
export type Node =
  | { kind: 'leaf'; value: string | number | boolean | null; origin: Origin }
  | { kind: 'list'; items: Node[]; origin: Origin }
  | { kind: 'map'; entries: Map<string, Node>; origin: Origin };

/** An inherited entry a `remove:` block dropped: the field it left, its key there, and the removal's origin. */
export interface Removal {
  /** The field as plans name it: `config.packages.pip`, `config.networking.allowed_hosts`, `metadata`. */
  field: string;
  /** The package name, the host in normal form, or the metadata key. */
  key: string;
  origin: Origin;
}

/** A document, or a base with everything it extends, merged. */
export interface Layer {
  root: Node;
  removals: Removal[];
  /** The base files merged into it, directly or through other bases, in merge order, each once. */
  bases: string[];
}

/** The keys a document may hold that say how to merge it rather than what the environment is. */
export const MERGE_KEYS = ['base', 'extends', 'remove'] as const;

/** The tree of a plain value; the keys in MERGE_KEYS are left out at the top. */
export function nodeOf(value: unknown, file: string, doc: ParsedDocument, path: PathSegment[] = []): Node {
  const origin: Origin = { file, doc, path };
  if (Array.isArray(value))
    return { kind: 'list', items: value.map((v, i) => nodeOf(v, file, doc, [...path, i])), origin };
  if (value !== null && typeof value === 'object') {
    const entries = new Map<string, Node>();
    for (const [key, v] of Object.entries(value)) {
      if (path.length === 0 && (MERGE_KEYS as readonly string[]).includes(key)) continue;
      entries.set(key, nodeOf(v, file, doc, [...path, key]));
    }
    return { kind: 'map', entries, origin };
  }
  return { kind: 'leaf', value: value as string | number | boolean | null, origin };
}

/** The plain value of a tree. */
export function plainOf(node: Node): unknown {
  if (node.kind === 'leaf') return node.value;
  if (node.kind === 'list') return node.items.map(plainOf);
  const out: Record<string, unknown> = {};
  for (const [key, child] of node.entries) out[key] = plainOf(child);
  return out;
}

/** Mappings merged key by key; any other value is replaced whole by the child's. */
export const MERGED_MAPS: ReadonlySet<string> = new Set([
  '',
  'metadata',
  'config',
  'config.packages',
  'config.networking',
  'lifecycle',
]);

/** A field's path one key deeper: `config` + `type` → `config.type`. */
export const join = (field: string, key: string) => (field === '' ? key : `${field}.${key}`);

function text(node: Node): string | undefined {
  return node.kind === 'leaf' && typeof node.value === 'string' ? node.value : undefined;
}

/** The child's value over the parent's: sets unioned by member key, the mappings above key by key. */
function mergeNode(field: string, parent: Node | undefined, own: Node | undefined): Node | undefined {
  if (own === undefined) return parent;
  if (parent === undefined) return own;
  const key = memberKey(field);
  if (key && parent.kind === 'list' && own.kind === 'list') {
    const mine = new Set(own.items.map((n) => text(n)).flatMap((t) => (t === undefined ? [] : [key(t)])));
    const kept = parent.items.filter((n) => {
      const t = text(n);
      return t === undefined || !mine.has(key(t));
    });
    return { kind: 'list', items: [...kept, ...own.items], origin: own.origin };
  }
  if (!MERGED_MAPS.has(field) || parent.kind !== 'map' || own.kind !== 'map') return own;
  // A child that makes networking unrestricted drops the inherited allow-list with it: it has no meaning there.
  const ownType = own.entries.get('type');
  if (field === 'config.networking' && ownType && text(ownType) === 'unrestricted') return own;
  const entries = new Map<string, Node>();
  for (const k of new Set([...parent.entries.keys(), ...own.entries.keys()])) {
    const merged = mergeNode(join(field, k), parent.entries.get(k), own.entries.get(k));
    if (merged !== undefined) entries.set(k, merged);
  }
  return { kind: 'map', entries, origin: own.origin };
}

function child(node: Node | undefined, key: string): Node | undefined {
  return node?.kind === 'map' ? node.entries.get(key) : undefined;
}

/** A copy of root with the node at path replaced (or removed, with undefined); missing mappings are not made. */
function replaceAt(root: Node, path: readonly string[], next: Node | undefined): Node {
  const [head, ...rest] = path;
  if (head === undefined || root.kind !== 'map') return root;
  const current = root.entries.get(head);
  if (current === undefined) return root;
  const entries = new Map(root.entries);
  const replaced = rest.length === 0 ? next : replaceAt(current, rest, next);
  if (replaced === undefined) entries.delete(head);
  else entries.set(head, replaced);
  return { ...root, entries };
}

/** A `remove:` entry as written: the field it removes from, the key it names, and where it is. */
interface RemoveEntry {
  field: string;
  path: string[];
  key: string;
  origin: Origin;
}

function removeEntries(remove: unknown, file: string, doc: ParsedDocument): RemoveEntry[] {
  const out: RemoveEntry[] = [];
  const r = (remove ?? {}) as {
    packages?: Partial<Record<PackageManager, string[]>>;
    allowed_hosts?: string[];
    metadata?: string[];
  };
  const at = (path: PathSegment[]): Origin => ({ file, doc, path });
  for (const manager of PACKAGE_MANAGERS) {
    (r.packages?.[manager] ?? []).forEach((spec, i) => {
      const field = `config.packages.${manager}`;
      out.push({
        field,
        path: ['config', 'packages', manager],
        key: packageName(manager, spec),
        origin: at(['remove', 'packages', manager, i]),
      });
    });
  }
  (r.allowed_hosts ?? []).forEach((host, i) => {
    out.push({
      field: HOSTS_FIELD,
      path: ['config', 'networking', 'allowed_hosts'],
      key: normalizeHost(host),
      origin: at(['remove', 'allowed_hosts', i]),
    });
  });
  (r.metadata ?? []).forEach((key, i) => {
    out.push({ field: 'metadata', path: ['metadata', key], key, origin: at(['remove', 'metadata', i]) });
  });
  return out;
}

/** What removing from an inherited tree gives: the tree, what was removed, and the entries that matched nothing. */
export interface Removed {
  root: Node;
  removals: Removal[];
  unmatched: Origin[];
}

/** Drops from an inherited tree what a document's `remove:` block names. */
export function applyRemove(inherited: Node, remove: unknown, file: string, doc: ParsedDocument): Removed {
  let root = inherited;
  const removals: Removal[] = [];
  const unmatched: Origin[] = [];
  for (const entry of removeEntries(remove, file, doc)) {
    const target = entry.path.reduce<Node | undefined>((n, k) => child(n, k), root);
    let hit = false;
    if (entry.field === 'metadata') {
      hit = target !== undefined;
      if (hit) root = replaceAt(root, entry.path, undefined);
    } else if (target?.kind === 'list') {
      const key = memberKey(entry.field) as (m: string) => string;
      const items = target.items.filter((n) => {
        const t = text(n);
        return t === undefined || key(t) !== entry.key;
      });
      hit = items.length < target.items.length;
      if (hit) root = replaceAt(root, entry.path, { ...target, items });
    }
    if (hit) removals.push({ field: entry.field, key: entry.key, origin: entry.origin });
    else unmatched.push(entry.origin);
  }
  return { root, removals, unmatched };
}

/** The parent's layer and a document's own tree merged: what the document means once its bases are in. */
export function mergeLayers(parent: Layer | null, own: Node, removals: Removal[], bases: string[]): Layer {
  const root = parent === null ? own : (mergeNode('', parent.root, own) as Node);
  return { root, removals: [...(parent?.removals ?? []), ...removals], bases };
}

/** The node at a path, or the deepest node on the way there and the segments left over. */
function reach(root: Node, path: readonly PathSegment[]): { node: Node; rest: PathSegment[] } {
  let node = root;
  for (let i = 0; i < path.length; i++) {
    const segment = path[i] as PathSegment;
    const next =
      node.kind === 'map'
        ? node.entries.get(String(segment))
        : node.kind === 'list' && typeof segment === 'number'
          ? node.items[segment]
          : undefined;
    if (next === undefined) return { node, rest: path.slice(i) };
    node = next;
  }
  return { node, rest: [] };
}

/**
 * A merged layer as a document the schema, rule and policy checks read like any other: its value is the
 * merged environment, and a path locates in the file that wrote the value (`file` set when that is a base).
 */
export function mergedDocument(layer: Layer, own: ParsedDocument, ownFile: string): ParsedDocument {
  return {
    index: own.index,
    value: plainOf(layer.root),
    start: own.start,
    locate(path, at): Located {
      const { node, rest } = reach(layer.root, path);
      const { file, doc } = node.origin;
      const written = [...node.origin.path, ...rest];
      const place = doc.locate(written, at);
      return file === ownFile ? { ...place, path: written } : { ...place, file, path: written };
    },
  };
}
