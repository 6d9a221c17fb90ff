// `envsync init`: a starting point for a new project — one commented example file and the .gitignore line.

import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { schemaRefFor } from '../export/environment-file.js';
import { findProjectFile, PROJECT_FILE, projectNameFrom } from '../project/project-file.js';

export function exampleFile(modeline: string): string {
  return `# yaml-language-server: $schema=${modeline}
# One environment per document. Every key but \`lifecycle\` is the body of POST /v1/environments.
# Check it with \`envsync validate\`; see what would change with \`envsync plan\`.
name: example-python
description: Python data stack for analysis agents
metadata:
  team: platform              # up to 14 keys; keys starting with "envsync" are reserved
config:
  type: cloud                 # or self_hosted (no packages or networking)
  packages:                   # pin versions: the same file should build the same container tomorrow
    pip: [pandas==2.2.0, numpy==2.1.3]
    # apt: [curl=7.88.1-10+deb12u5]
    # npm: [typescript@5.6.3]
  networking:
    type: limited             # unrestricted (default) or limited to an allow-list
    allowed_hosts: [api.example.com]
    allow_package_managers: true   # needed for packages under limited networking
    allow_mcp_servers: false
lifecycle:                    # envsync only; never sent to the API
  on_config_change: update    # update in place (same ID), or recreate (a new ID per config)
  prevent_archive: false      # true: envsync never archives or recreates it
`;
}

export interface InitResult {
  created: string[];
  skipped: string[];
  /**
   * The project file found here or in a folder above, when there is one: then nothing is created, since a
   * file init adds to a live project (say an example environment someone deleted) would be applied for real.
   */
  existing: string | null;
}

/** The project file: the project's name (its ownership tag) and where its environment files are. */
export function projectFileText(project: string, dir: string, modeline: string): string {
  return `# yaml-language-server: $schema=${modeline}
# The envsync project: every envsync command run in this folder or below uses it.
project: ${project}            # written as envsync_managed on every environment this project manages
dir: ${dir}
# Staging and production as workspaces (each with its own key, files and changelog):
# workspaces:
#   staging:
#     workspace_id: wrkspc_...
#     api_key_env: ANTHROPIC_API_KEY_STAGING
#     dirs: [${dir}/common, ${dir}/staging]
#   production:
#     workspace_id: wrkspc_...
#     dirs: [${dir}/common, ${dir}/production]
`;
}

/**
 * Scaffolds a new project: the project file, an example environment and the .gitignore line. Inside an
 * existing project (an envsync.yaml here or above) it creates nothing and says where that project is.
 */
export function initProject(cwd: string, dir: string, project: string | undefined): InitResult {
  const existing = findProjectFile(cwd);
  if (existing !== null) return { created: [], skipped: [], existing };
  const created: string[] = [];
  const skipped: string[] = [];
  const name = project ?? projectNameFrom(path.basename(cwd));
  writeFileSync(
    path.join(cwd, PROJECT_FILE),
    projectFileText(name, dir.split(path.sep).join('/'), schemaRefFor(cwd, 'project')),
    { flag: 'wx' },
  );
  created.push(PROJECT_FILE);
  const envDir = path.resolve(cwd, dir);
  mkdirSync(envDir, { recursive: true });
  const example = path.join(envDir, 'example.yaml');
  const rel = (p: string) => path.relative(cwd, p) || p;
  if (existsSync(example)) skipped.push(rel(example));
  else {
    writeFileSync(example, exampleFile(schemaRefFor(envDir)), { flag: 'wx' });
    created.push(rel(example));
  }
  const gitignore = path.join(cwd, '.gitignore');
  const line = '.envsync/local/';
  const current = existsSync(gitignore) ? readFileSync(gitignore, 'utf8') : '';
  if (current.split(/\r?\n/).some((l) => l.trim() === line || l.trim() === '.envsync/local'))
    skipped.push('.gitignore');
  else {
    const sep = current === '' || current.endsWith('\n') ? '' : '\n';
    writeFileSync(gitignore, `${current}${sep}# envsync's local API state (envsync --local)\n${line}\n`);
    created.push(current ? '.gitignore (added .envsync/local/)' : '.gitignore');
  }
  return { created, skipped, existing: null };
}
