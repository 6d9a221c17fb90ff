// Writes an environment as an environment file (DESIGN §3): YAML that validates and hashes back to the same config.

import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import { isInside } from '../config/files.js';
import { parseYamlFile } from '../config/parse.js';
import { checkRules } from '../config/rules.js';
import { checkSchema } from '../config/schema-check.js';
import {
  type Diagnostic,
  type EnvironmentFile,
  type Lifecycle,
  type NormalConfig,
  PACKAGE_MANAGERS,
  type Scope,
} from '../model.js';

/** What an environment file holds, in envsync's terms; metadata is the user's alone (no reserved keys). */
export interface FileFields {
  name: string;
  description: string | null;
  metadata: Record<string, string>;
  config: NormalConfig;
  /** Written only for self-hosted configs: the API reports a scope for every environment, but the file format ties it to self-hosted. */
  scope: Scope | null;
}

/** The config as a file spells it: package managers without packages left out, networking always spelled out. */
export function configDocument(config: NormalConfig): NonNullable<EnvironmentFile['config']> {
  if (config.type === 'self_hosted') return { type: 'self_hosted' };
  const packages: Record<string, string[]> = {};
  for (const manager of PACKAGE_MANAGERS) {
    const list = config.packages[manager];
    if (list.length > 0) packages[manager] = [...list];
  }
  const net = config.networking;
  return {
    type: 'cloud',
    ...(Object.keys(packages).length > 0 ? { packages } : {}),
    networking:
      net.type === 'unrestricted'
        ? { type: 'unrestricted' }
        : {
            type: 'limited',
            allowed_hosts: [...net.allowed_hosts],
            allow_mcp_servers: net.allow_mcp_servers,
            allow_package_managers: net.allow_package_managers,
          },
  };
}

/** The document in the key order of DESIGN §3; an absent description is left out (the same as null to envsync). */
export function environmentDocument(f: FileFields): EnvironmentFile {
  return {
    name: f.name,
    ...(f.description !== null ? { description: f.description } : {}),
    ...(Object.keys(f.metadata).length > 0 ? { metadata: { ...f.metadata } } : {}),
    ...(f.scope !== null && f.config.type === 'self_hosted' ? { scope: f.scope } : {}),
    config: configDocument(f.config),
  };
}

/** The lifecycle settings that differ from the defaults, as a file spells them; nothing when all are defaults. */
export function lifecycleDocument(l: Lifecycle): Pick<EnvironmentFile, 'lifecycle'> {
  const out: NonNullable<EnvironmentFile['lifecycle']> = {
    ...(l.on_config_change !== 'update' ? { on_config_change: l.on_config_change } : {}),
    ...(l.keep_superseded ? { keep_superseded: true } : {}),
    ...(l.prevent_archive ? { prevent_archive: true } : {}),
    ...(l.repoint_deployments ? { repoint_deployments: true } : {}),
    ...(l.previous_names.length > 0 ? { previous_names: [...l.previous_names] } : {}),
  };
  return Object.keys(out).length > 0 ? { lifecycle: out } : {};
}

/** The schema this envsync ships: in a checkout or an installed package, wherever it is. */
export function schemaPath(kind: 'environment' | 'project' = 'environment'): string {
  // The package root is the nearest folder above this module holding package.json and schema/: the same from
  // src/export (a checkout), dist/src/export (compiled) and dist/cli/chunks (the bundle that ships).
  const here = path.dirname(fileURLToPath(import.meta.url));
  let root = path.resolve(here, '../..');
  for (let d = here; path.dirname(d) !== d; d = path.dirname(d)) {
    if (
      existsSync(path.join(d, 'package.json')) &&
      existsSync(path.join(d, 'schema/environment.schema.json'))
    ) {
      root = d;
      break;
    }
  }
  return path.join(root, 'schema', `${kind}.schema.json`);
}

/** Where the schemas say they are published (their `$id`): the reference when no local copy is inside the project. */
export const SCHEMA_URL_BASE = 'https://envsync.dev/schema/';

const posix = (p: string) => p.split(path.sep).join('/');

/** The project a folder belongs to: the nearest folder above it holding envsync.yaml or .git, else the folder. */
function projectRootOf(dir: string): string {
  for (let d = path.resolve(dir); ; d = path.dirname(d)) {
    if (existsSync(path.join(d, 'envsync.yaml')) || existsSync(path.join(d, '.git'))) return d;
    if (path.dirname(d) === d) return path.resolve(dir);
  }
}

/**
 * The `$schema` reference for a file written into dir, always inside the project or the published URL:
 * the installed package's copy (`node_modules/envsync/schema/…`, found without following its link, since
 * `npm install ../envsync` links to a folder outside), else envsync's own schema when this checkout is the
 * project, else the schema's `$id`.
 */
export function schemaRefFor(dir: string, kind: 'environment' | 'project' = 'environment'): string {
  const file = `${kind}.schema.json`;
  const root = projectRootOf(dir);
  for (let d = path.resolve(dir); isInside(d, root); d = path.dirname(d)) {
    const installed = path.join(d, 'node_modules', 'envsync', 'schema', file);
    if (existsSync(installed)) return posix(path.relative(dir, installed));
    if (d === root) break;
  }
  const own = schemaPath(kind);
  if (isInside(own, root)) return posix(path.relative(dir, own));
  return `${SCHEMA_URL_BASE}${file}`;
}

/** The file text: the yaml-language-server modeline, comment lines, then the document. */
export function environmentFileText(
  doc: EnvironmentFile,
  schemaRef: string,
  comments: string[] = [],
): string {
  const header = [
    `# yaml-language-server: $schema=${schemaRef}`,
    ...comments.map((c) => `# ${c.replace(/\s*\n\s*/g, ' ')}`),
  ];
  // No line folding: a long description must come back byte for byte.
  return `${header.join('\n')}\n${stringify(doc, { lineWidth: 0 })}`;
}

/** The same checks `envsync validate` makes on one file's text (schema and rules); duplicates across files aside. */
export function checkEnvironmentText(file: string, text: string): Diagnostic[] {
  const parsed = parseYamlFile(file, new TextEncoder().encode(text));
  const out = [...parsed.diagnostics];
  for (const doc of parsed.documents) {
    const problems = checkSchema(file, doc);
    out.push(...problems);
    if (problems.length === 0) out.push(...checkRules(file, doc, doc.value as EnvironmentFile));
  }
  return out;
}

const WINDOWS_RESERVED = /^(con|prn|aux|nul|com\d|lpt\d)$/i;

/**
 * A file name for an environment: its name with everything but letters, digits, `.`, `_` and `-` turned
 * into `-`, at most 100 characters, made unique (case-insensitively, for macOS and Windows) against taken.
 */
export function fileNameFor(name: string, taken: Set<string>): string {
  let base = name
    .normalize('NFKC')
    .replace(/[^A-Za-z0-9._-]+/g, '-')
    .replace(/-{2,}/g, '-')
    .slice(0, 100)
    .replace(/^[-.]+|[-.]+$/g, '');
  if (base === '') base = 'environment';
  if (WINDOWS_RESERVED.test(base)) base = `${base}-env`;
  let candidate = `${base}.yaml`;
  for (let n = 2; taken.has(candidate.toLowerCase()); n++) candidate = `${base}-${n}.yaml`;
  taken.add(candidate.toLowerCase());
  return candidate;
}
