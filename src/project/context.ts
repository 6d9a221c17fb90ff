// Which project, workspace, files, changelog and key a command works with: the project file, the flags, the cwd.

import { createHash } from 'node:crypto';
import path from 'node:path';
import { closestOrPrefix } from '../config/suggest.js';
import { EnvsyncError } from '../errors.js';
import {
  type OsvSetting,
  PACKAGE_MANAGERS,
  type PackageManager,
  type Policy,
  type RegistrySettings,
} from '../model.js';
import {
  DEFAULT_KEY_ENV,
  findProjectFile,
  type ProjectFile,
  projectNameFrom,
  readProjectFile,
  type WorkspaceSettings,
} from './project-file.js';

export const LOCAL_DIR = '.envsync/local';

export interface ProjectContext {
  /** The project that owns what this run touches. */
  project: string;
  /** The project file, or null (allowed for validate, --local and commands that only read files). */
  file: string | null;
  /** The project root: relative paths of the project file, the changelog and local state hang off it. */
  root: string;
  /** The selected workspace, or null when the project defines none. */
  workspace: WorkspaceSettings | null;
  /** Directories of environment files (absolute). */
  dirs: string[];
  /** The project's policies and the workspace's own: every one holds. */
  policies: Policy[];
  /** The registries envsync.yaml names: the project's, with the workspace's own replacing them by manager. */
  registries: RegistrySettings;
  /** The OSV API: the workspace's own, else the project's; null: the public one. */
  osv: OsvSetting | null;
  /** The managers whose registry the workspace sets itself (their lock entries are the workspace's own). */
  ownRegistries: PackageManager[];
  /**
   * This project's (and workspace's) changelog directory of run files; the legacy single file is the same
   * path plus `.jsonl`, the lock the same path plus `.lock`.
   */
  changelogPath: string;
  /** The variable the API key is read from. */
  apiKeyEnv: string;
  /** Sent as anthropic-workspace-id; null sends none (the key's own workspace). */
  workspaceId: string | null;
  local: boolean;
}

export interface ResolveOptions {
  cwd: string;
  local: boolean;
  /** `--workspace`. */
  workspace: string | undefined;
  /** `--changelog`, relative to cwd. */
  changelog: string | undefined;
  /** The command's DIR argument when given: it replaces the project's dirs. */
  dir: string | undefined;
  /** What the command needs: 'api' stops without a project file (unless --local); 'files' never does. */
  needs: 'api' | 'files';
}

function noProject(cwd: string): EnvsyncError {
  return new EnvsyncError('no_project', `no envsync.yaml in ${cwd} or any folder above it`, {
    hint: 'run `envsync init` at the root of your repository to create one (or try envsync with --local)',
  });
}

function pickWorkspace(project: ProjectFile, wanted: string | undefined): WorkspaceSettings | null {
  const names = project.workspaces.map((w) => w.name);
  if (wanted === undefined) {
    if (project.workspaces.length <= 1) return project.workspaces[0] ?? null;
    throw new EnvsyncError(
      'workspace_required',
      `${project.shown} defines ${names.length} workspaces: pick one`,
      {
        hint: `add --workspace ${names.join(' or --workspace ')}`,
      },
    );
  }
  const ws = project.workspaces.find((w) => w.name === wanted);
  if (ws) return ws;
  if (names.length === 0) {
    throw new EnvsyncError(
      'unknown_workspace',
      `--workspace ${wanted}: the project file defines no workspaces`,
      {
        hint: `add a workspaces: block to ${project.shown}, or drop --workspace`,
      },
    );
  }
  const guess = closestOrPrefix(wanted, names);
  throw new EnvsyncError('unknown_workspace', `--workspace ${wanted} is not defined in ${project.shown}`, {
    hint: guess ? `did you mean --workspace ${guess}?` : `defined: ${names.join(', ')}`,
  });
}

/** The local API needs a workspace ID to keep workspaces apart, even where the real one would use the key's. */
function localWorkspaceId(ws: WorkspaceSettings | null): string | null {
  if (!ws) return null;
  // IDs are letters and digits only; a digest keeps names that differ only in punctuation apart.
  return ws.workspace_id ?? `wrkspc_local${createHash('sha256').update(ws.name).digest('hex').slice(0, 24)}`;
}

/**
 * The changelog directory's default place: per workspace, and apart for the local API so trying never
 * touches the real one. Earlier versions wrote one file at this path plus `.jsonl`; it is read as the root.
 */
export function defaultChangelogPath(root: string, local: boolean, workspace: string | null): string {
  const base = path.join(root, local ? LOCAL_DIR : '.envsync', 'changelog');
  return workspace === null ? base : path.join(base, workspace);
}

/** Finds and reads the project file from cwd upwards and settles the workspace, dirs, changelog and key. */
export function resolveProject(o: ResolveOptions): ProjectContext {
  const found = findProjectFile(o.cwd);
  if (!found && o.needs === 'api' && !o.local) throw noProject(o.cwd);
  if (!found && o.workspace !== undefined) throw noProject(o.cwd);
  const project = found ? readProjectFile(found, o.cwd) : null;
  const root = project?.root ?? o.cwd;
  const workspace = project ? pickWorkspace(project, o.workspace) : null;
  const projectDirs = workspace?.dirs ?? [project?.dir ?? 'environments'];
  const dirs =
    o.dir !== undefined ? [path.resolve(o.cwd, o.dir)] : projectDirs.map((d) => path.resolve(root, d));
  return {
    project: project?.project ?? projectNameFrom(path.basename(root)),
    file: project?.file ?? null,
    root,
    workspace,
    dirs,
    policies: [...(project?.policies ?? []), ...(workspace?.policies ?? [])],
    registries: { ...(project?.registries ?? {}), ...(workspace?.registries ?? {}) },
    osv: workspace?.osv ?? project?.osv ?? null,
    ownRegistries: PACKAGE_MANAGERS.filter((m) => workspace?.registries[m] !== undefined),
    changelogPath: o.changelog
      ? path.resolve(o.cwd, o.changelog)
      : defaultChangelogPath(root, o.local, workspace?.name ?? null),
    apiKeyEnv: workspace?.api_key_env ?? DEFAULT_KEY_ENV,
    workspaceId: o.local ? localWorkspaceId(workspace) : (workspace?.workspace_id ?? null),
    local: o.local,
  };
}

/** Every workspace's context (or the one project-wide one), for commands that check all of them. */
export function allWorkspaces(o: Omit<ResolveOptions, 'workspace'>): ProjectContext[] {
  const found = findProjectFile(o.cwd);
  const project = found ? readProjectFile(found, o.cwd) : null;
  if (!project || project.workspaces.length === 0 || o.dir !== undefined) {
    return [resolveProject({ ...o, workspace: undefined })];
  }
  return project.workspaces.map((ws) => resolveProject({ ...o, workspace: ws.name }));
}
