// The project file `envsync.yaml` (DESIGN §5): found by walking up like `.git`, parsed with positions, checked.

import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { checkServiceUrl, type UrlPurpose } from '../api/base-url.js';
import { supplyChainRule } from '../config/gate-policies.js';
import { validate as projectValidator } from '../config/generated/project.validator.js';
import { type PathSegment, parseYamlFile } from '../config/parse.js';
import { checkAgainst, type PatternProblem } from '../config/schema-check.js';
import { EnvsyncError, ValidationError } from '../errors.js';
import type {
  Diagnostic,
  OsvSetting,
  PackageManager,
  Policy,
  RegistrySetting,
  RegistrySettings,
  SourceLocation,
} from '../model.js';
import { PACKAGE_MANAGERS } from '../model.js';

export const PROJECT_FILE = 'envsync.yaml';
export const DEFAULT_DIR = 'environments';
export const DEFAULT_KEY_ENV = 'ANTHROPIC_API_KEY';
export const PROJECT_NAME = /^[a-z0-9][a-z0-9._-]{0,62}$/;

export interface WorkspaceSettings {
  name: string;
  workspace_id: string | null;
  api_key_env: string;
  /** Relative to the project root. */
  dirs: string[];
  /** This workspace's own policies (the project's apply too). */
  policies: Policy[];
  /** The registries this workspace sets itself; they replace the project's for those managers. */
  registries: RegistrySettings;
  /** The OSV API this workspace sets itself (`registries: {osv: URL}`); null: the project's. */
  osv: OsvSetting | null;
}

export interface ProjectFile {
  /** The absolute path of envsync.yaml. */
  file: string;
  /** The path as messages show it: relative to where the command runs. */
  shown: string;
  /** The directory holding it: every relative path in the project is relative to it. */
  root: string;
  project: string;
  dir: string;
  /** Policies for every workspace. */
  policies: Policy[];
  /** Registries for every workspace (a workspace may replace one manager's). */
  registries: RegistrySettings;
  /** The OSV API envsync.yaml names (`registries: {osv: URL}`); null: the public one. */
  osv: OsvSetting | null;
  workspaces: WorkspaceSettings[];
}

/** The nearest envsync.yaml at or above `from`, or null. */
export function findProjectFile(from: string): string | null {
  for (let dir = path.resolve(from); ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, PROJECT_FILE);
    try {
      if (statSync(candidate).isFile()) return candidate;
    } catch {
      // Not here: keep walking up.
    }
    if (path.dirname(dir) === dir) return null;
  }
}

// Compiled ahead of time (scripts/build-validators.mjs): nothing is compiled at start-up.
const validator = () => projectValidator;

const projectPattern: PatternProblem = (p, e) => {
  const shown = JSON.stringify(String(e.data));
  const at = { path: p, at: 'value' as const };
  if (p[0] === 'project') {
    return { ...at, message: `${shown} is not a valid name`, hint: NAME_HINT };
  }
  if (p[0] === 'workspaces' && e.propertyName !== undefined) {
    return {
      path: [...p, e.propertyName],
      at: 'key',
      message: `workspace name ${JSON.stringify(e.propertyName)} is not a valid name`,
      hint: NAME_HINT,
    };
  }
  if (p[p.length - 1] === 'workspace_id')
    return {
      ...at,
      message: `${shown} is not a workspace ID`,
      hint: 'workspace IDs look like wrkspc_01Abc…',
    };
  return {
    ...at,
    message: `${shown} is not an environment variable name`,
    hint: 'for example ANTHROPIC_API_KEY_STAGING',
  };
};

const NAME_HINT =
  'use lower-case letters, digits, ".", "_" and "-", starting with a letter or digit (at most 63)';

/** Paths in the project file stay inside the project: a shared checkout must not read another's files. */
function dirProblems(
  file: string,
  value: unknown,
  locate: (p: (string | number)[]) => Diagnostic,
): Diagnostic[] {
  const out: Diagnostic[] = [];
  const check = (dir: unknown, at: (string | number)[]) => {
    if (typeof dir !== 'string') return;
    const normal = path.posix.normalize(dir.split(path.sep).join('/'));
    if (path.isAbsolute(dir) || normal === '..' || normal.startsWith('../')) {
      out.push({
        ...locate(at),
        message: `"${dir}" leaves the project`,
        hint: `give a path relative to ${file}, inside its folder`,
      });
    }
  };
  const v = value as { dir?: unknown; workspaces?: Record<string, { dirs?: unknown }> };
  check(v.dir, ['dir']);
  for (const [name, ws] of Object.entries(v.workspaces ?? {})) {
    if (!Array.isArray(ws?.dirs)) continue;
    ws.dirs.forEach((d, i) => {
      check(d, ['workspaces', name, 'dirs', i]);
    });
  }
  return out;
}

/**
 * Two workspaces of one project that reach the same API workspace (the same workspace_id, or no ID and the
 * same key variable) would each plan to archive the other's environments: an error at each, naming the other.
 */
function sharedWorkspaces(value: unknown, locate: (p: (string | number)[]) => Diagnostic): Diagnostic[] {
  const workspaces = (value as RawProject).workspaces ?? {};
  const byTarget = new Map<string, string[]>();
  for (const [name, ws] of Object.entries(workspaces)) {
    const target = ws.workspace_id
      ? `the workspace_id ${ws.workspace_id}`
      : `the key in ${ws.api_key_env ?? DEFAULT_KEY_ENV} with no workspace_id`;
    byTarget.set(target, [...(byTarget.get(target) ?? []), name]);
  }
  const out: Diagnostic[] = [];
  for (const [target, names] of byTarget) {
    if (names.length < 2) continue;
    for (const name of names) {
      const others = names.filter((n) => n !== name).join(', ');
      const field = workspaces[name]?.workspace_id ? 'workspace_id' : 'api_key_env';
      const at = workspaces[name]?.[field] === undefined ? ['workspaces', name] : ['workspaces', name, field];
      out.push({
        ...locate(at),
        message: `workspaces ${name} and ${others} both reach ${target}: each would archive the other's environments`,
        hint: 'give each workspace its own workspace_id (or its own key), or merge them into one',
      });
    }
  }
  return out;
}

const REGISTRY_URL: UrlPurpose = {
  what: 'a registry URL',
  secret: 'registry requests',
  example: 'https://pypi.org',
  served: 'registries are reached over https:// (or http:// on this machine, for a local one)',
  credentials: 'put the token in an environment variable and name it with token_env',
};

type RawRegistry = string | { url: string; token_env?: string; checksum_db?: string };
type RawRegistries = Partial<Record<PackageManager | 'osv', RawRegistry>>;

/** Every registry URL (and checksum database) in a registries block that breaks the URL rules, located. */
function registryProblems(
  raw: RawRegistries | undefined,
  at: PathSegment[],
  locate: (p: PathSegment[]) => Diagnostic,
): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const manager of [...PACKAGE_MANAGERS, 'osv'] as const) {
    const entry = raw?.[manager];
    if (entry === undefined) continue;
    const place = typeof entry === 'string' ? [...at, manager] : [...at, manager, 'url'];
    const urls: Array<[string, PathSegment[]]> = [[typeof entry === 'string' ? entry : entry.url, place]];
    if (typeof entry !== 'string' && entry.checksum_db !== undefined && entry.checksum_db !== 'off')
      urls.push([entry.checksum_db, [...at, manager, 'checksum_db']]);
    for (const [url, p] of urls) {
      const checked = checkServiceUrl(url, REGISTRY_URL);
      if (!('url' in checked)) out.push({ ...locate(p), message: checked.message, hint: checked.hint });
    }
  }
  return out.sort((a, b) => a.line - b.line || a.column - b.column);
}

/** Reads and checks a project file; any problem is a ValidationError with file:line:column. */
export function readProjectFile(file: string, cwd: string): ProjectFile {
  const shown = path.relative(cwd, file) || file;
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (e) {
    throw new EnvsyncError('project_unreadable', `cannot read the project file ${shown}`, { cause: e });
  }
  const parsed = parseYamlFile(shown, bytes);
  const diagnostics = [...parsed.diagnostics];
  const doc = parsed.documents[0];
  if (diagnostics.length === 0 && (parsed.documents.length !== 1 || !doc)) {
    diagnostics.push({
      severity: 'error',
      file: shown,
      line: 1,
      column: 1,
      path: '',
      message: 'the project file must hold exactly one YAML document',
      hint: 'see `envsync init` for an example',
    });
  }
  if (diagnostics.length > 0 || !doc) throw new ValidationError(diagnostics, 'the project file');
  diagnostics.push(...checkAgainst(validator(), shown, doc, projectPattern));
  if (diagnostics.length === 0) {
    const at = (p: PathSegment[]): Diagnostic => {
      const { line, column } = doc.locate(p, 'value');
      return { severity: 'error', file: shown, line, column, path: p.join('.'), message: '' };
    };
    const raw = doc.value as RawProject;
    diagnostics.push(...dirProblems(shown, doc.value, at), ...sharedWorkspaces(doc.value, at));
    diagnostics.push(...registryProblems(raw.registries, ['registries'], at));
    for (const [name, ws] of Object.entries(raw.workspaces ?? {}))
      diagnostics.push(...registryProblems(ws.registries, ['workspaces', name, 'registries'], at));
  }
  if (diagnostics.length > 0) throw new ValidationError(diagnostics, 'the project file');
  const locate = (p: PathSegment[]): SourceLocation => ({ file: shown, ...doc.locate(p, 'key') });
  return toProjectFile(file, shown, doc.value as RawProject, locate);
}

type RawPolicies = Record<string, unknown>;

interface RawProject {
  project: string;
  dir?: string;
  policies?: RawPolicies;
  registries?: RawRegistries;
  workspaces?: Record<
    string,
    {
      workspace_id?: string;
      api_key_env?: string;
      dirs?: string[];
      policies?: RawPolicies;
      registries?: RawRegistries;
    }
  >;
}

/** A schema-valid, URL-checked registries block as settings, each with the place it was set. */
function registriesOf(
  raw: RawRegistries | undefined,
  at: PathSegment[],
  locate: (p: PathSegment[]) => SourceLocation,
): RegistrySettings {
  const out: RegistrySettings = {};
  for (const manager of PACKAGE_MANAGERS) {
    const entry = raw?.[manager];
    if (entry === undefined) continue;
    const full = typeof entry === 'string' ? { url: entry } : entry;
    const url = checkServiceUrl(full.url, REGISTRY_URL);
    const db = full.checksum_db;
    const setting: RegistrySetting = {
      // Checked by registryProblems before this runs.
      url: 'url' in url ? url.url : full.url,
      token_env: full.token_env ?? null,
      checksum_db: db === undefined ? null : db === 'off' ? 'off' : db.replace(/\/+$/, ''),
      setAt: locate([...at, manager]),
    };
    out[manager] = setting;
  }
  return out;
}

/** The OSV API a registries block names, or null. */
function osvOf(
  raw: RawRegistries | undefined,
  at: PathSegment[],
  locate: (p: PathSegment[]) => SourceLocation,
): OsvSetting | null {
  const entry = raw?.osv;
  if (entry === undefined) return null;
  const given = typeof entry === 'string' ? entry : entry.url;
  const url = checkServiceUrl(given, REGISTRY_URL);
  // Checked by registryProblems before this runs.
  return { url: 'url' in url ? url.url : given, setAt: locate([...at, 'osv']) };
}

/** A schema-valid policies block as typed rules, each with the place it was set. */
function policiesOf(
  raw: RawPolicies | undefined,
  at: PathSegment[],
  scope: string,
  locate: (p: PathSegment[]) => SourceLocation,
): Policy[] {
  const base = [...at, 'policies'];
  // The schema has fixed each rule's value's shape; this pairs the key with it for the type checker, and
  // gives the supply-chain rules (a string or a mapping in the file) one shape.
  return Object.entries(raw ?? {}).map(([rule, value]) => {
    const setAt = locate([...base, rule]);
    const gate = supplyChainRule(rule, value, [...base, rule], locate);
    return gate === null ? ({ rule, value, scope, setAt } as Policy) : { ...gate, scope, setAt };
  });
}

function toProjectFile(
  file: string,
  shown: string,
  raw: RawProject,
  locate: (p: PathSegment[]) => SourceLocation,
): ProjectFile {
  const dir = raw.dir ?? DEFAULT_DIR;
  return {
    file,
    shown,
    root: path.dirname(file),
    project: raw.project,
    dir,
    policies: policiesOf(raw.policies, [], 'project', locate),
    registries: registriesOf(raw.registries, ['registries'], locate),
    osv: osvOf(raw.registries, ['registries'], locate),
    workspaces: Object.entries(raw.workspaces ?? {}).map(([name, ws]) => ({
      name,
      workspace_id: ws.workspace_id ?? null,
      api_key_env: ws.api_key_env ?? DEFAULT_KEY_ENV,
      dirs: ws.dirs ?? [dir],
      policies: policiesOf(ws.policies, ['workspaces', name], name, locate),
      registries: registriesOf(ws.registries, ['workspaces', name, 'registries'], locate),
      osv: osvOf(ws.registries, ['workspaces', name, 'registries'], locate),
    })),
  };
}

/** A valid project name from a folder name: `My Team's Agents` → `my-team-s-agents`. */
export function projectNameFrom(folder: string): string {
  const name = folder
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/^[^a-z0-9]+/, '')
    .slice(0, 63)
    .replace(/[-._]+$/, '');
  return PROJECT_NAME.test(name) ? name : 'envsync-project';
}
