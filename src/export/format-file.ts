// `envsync fmt`: an environment file in its canonical layout — key order, sorted sets, the modeline — comments kept.

import { type Document, isMap, isScalar, isSeq, parseAllDocuments, type YAMLMap, type YAMLSeq } from 'yaml';
import { canonicalJson } from '../hash/canonical-json.js';
import { normalizeHost } from '../hash/host.js';
import { PACKAGE_MANAGERS } from '../model.js';

/** Key order per mapping, as DESIGN §3 writes a file (and `export`, `show` and `init` do); unknown keys go last. */
const ORDER: Record<string, readonly string[]> = {
  // ant's kind marker and a base's say what the file is, first; what a file extends comes before what it
  // sets, and what it removes after.
  '': [
    'type',
    'base',
    'extends',
    'name',
    'description',
    'metadata',
    'scope',
    'config',
    'remove',
    'lifecycle',
  ],
  config: ['type', 'packages', 'networking'],
  'config.packages': PACKAGE_MANAGERS,
  'config.networking': ['type', 'allowed_hosts', 'allow_mcp_servers', 'allow_package_managers'],
  lifecycle: [
    'on_config_change',
    'keep_superseded',
    'prevent_archive',
    'repoint_deployments',
    'previous_names',
  ],
};

/** Lists that are sets (order means nothing to the API or the hash), with the key they sort by. */
const SETS: Record<string, (item: string) => string> = {
  'config.networking.allowed_hosts': normalizeHost,
  ...Object.fromEntries(PACKAGE_MANAGERS.map((m) => [`config.packages.${m}`, (item: string) => item])),
};

const MODELINE = /^\s*yaml-language-server:\s*\$schema=/;

const keyOf = (pair: { key: unknown }): string => (isScalar(pair.key) ? String(pair.key.value) : '');

function orderMap(map: YAMLMap, order: readonly string[]): void {
  const rank = (key: string) => {
    const i = order.indexOf(key);
    return i === -1 ? order.length : i;
  };
  // Array.prototype.sort is stable: unknown keys keep the order they were written in.
  map.items.sort((a, b) => rank(keyOf(a)) - rank(keyOf(b)));
}

function sortSet(seq: YAMLSeq, by: (item: string) => string): void {
  const sortKey = (node: unknown) => (isScalar(node) ? by(String(node.value)) : '');
  seq.items.sort((a, b) => {
    const ka = sortKey(a);
    const kb = sortKey(b);
    return ka < kb ? -1 : ka > kb ? 1 : 0;
  });
}

/** Orders the keys of every known mapping and sorts every set, walking down from the document's mapping. */
function canonicalize(node: unknown, path: string): void {
  if (isMap(node)) {
    const order = ORDER[path];
    if (order) orderMap(node, order);
    for (const pair of node.items)
      canonicalize(pair.value, path === '' ? keyOf(pair) : `${path}.${keyOf(pair)}`);
  } else if (isSeq(node)) {
    const by = SETS[path];
    if (by) sortSet(node, by);
  }
}

/**
 * The comment block above the first key holds the file's header (the modeline, notes) and maybe a comment
 * on that key; the last blank line in it separates the two. The header is taken out (it stays at the top
 * whichever key comes first), the modeline dropped (it is written anew), the key's own comment left on it.
 */
function takeHeader(doc: Document): string[] {
  const first = isMap(doc.contents) ? doc.contents.items[0] : undefined;
  const key = first && isScalar(first.key) ? first.key : undefined;
  const lines = (c: string | null | undefined) => (c ? c.split('\n').filter((l) => !MODELINE.test(l)) : []);
  const trim = (list: string[]) => {
    const from = list.findIndex((l) => l.trim() !== '');
    const to = list.map((l) => l.trim() !== '').lastIndexOf(true);
    return from === -1 ? [] : list.slice(from, to + 1);
  };
  // A comment yaml already set apart from the first key (a blank line after it) is all header.
  const above = lines(doc.commentBefore);
  doc.commentBefore = null;
  const onKey = lines(key?.commentBefore);
  const blank = onKey.map((l) => l.trim() === '').lastIndexOf(true);
  const own = trim(onKey.slice(blank + 1));
  if (key) key.commentBefore = own.length > 0 ? own.join('\n') : null;
  return trim([...above, '', ...(blank === -1 ? [] : onKey.slice(0, blank))]);
}

/** What a document means, with its sets in order: formatting must leave it exactly the same. */
function meaning(doc: Document): string {
  const value = doc.toJS();
  const sortSets = (v: unknown, path: string): unknown => {
    if (Array.isArray(v)) {
      const by = SETS[path];
      return by ? [...v].sort((a, b) => (by(String(a)) < by(String(b)) ? -1 : 1)) : v;
    }
    if (v !== null && typeof v === 'object')
      return Object.fromEntries(
        Object.entries(v).map(([k, x]) => [k, sortSets(x, path === '' ? k : `${path}.${k}`)]),
      );
    return v;
  };
  return canonicalJson(sortSets(value, '') ?? null);
}

export type FormatResult =
  | { ok: true; text: string }
  /** The file does not read as YAML: fmt leaves it alone (`envsync validate` says where). */
  | { ok: false; line: number; column: number; message: string };

/**
 * The canonical text of an environment file: the `yaml-language-server` modeline first (pointing at
 * `schemaRef`), the header comments after it, each environment's keys in DESIGN §3's order, package lists
 * and allowed hosts sorted, two-space indentation, no line folding. Comments stay with what they describe,
 * quoting and flow style stay as written, and the result always means exactly what the input meant.
 */
export function formatEnvironmentText(text: string, schemaRef: string): FormatResult {
  const docs = parseAllDocuments(text, { prettyErrors: false, uniqueKeys: false });
  if (!Array.isArray(docs)) return { ok: false, line: 1, column: 1, message: 'not a YAML stream' };
  for (const doc of docs) {
    const e = doc.errors[0];
    if (e) {
      const at = e.linePos?.[0] ?? { line: 1, col: 1 };
      return { ok: false, line: at.line, column: at.col, message: e.message.split('\n')[0] ?? e.message };
    }
  }
  const before = docs.map(meaning);
  const header = docs[0] ? takeHeader(docs[0]) : [];
  for (const doc of docs) canonicalize(doc.contents, '');
  const body = docs
    .map((doc) => doc.toString({ lineWidth: 0, flowCollectionPadding: false, indent: 2 }))
    .join('');
  const top = [
    `# yaml-language-server: $schema=${schemaRef}`,
    ...header.map((l) => (l.trim() === '' ? '' : `#${l}`)),
  ];
  const out = `${top.join('\n')}\n${header.length > 0 ? '\n' : ''}${body}`;
  // The guard of the promise above: if the layout changed what a document says, that is a bug, not a format.
  const after = parseAllDocuments(out, { uniqueKeys: false });
  if (!Array.isArray(after) || after.map(meaning).join('\n') !== before.join('\n')) {
    return {
      ok: false,
      line: 1,
      column: 1,
      message:
        'formatting would change what the file says (a bug in envsync: please report it); left as it is',
    };
  }
  return { ok: true, text: out };
}
