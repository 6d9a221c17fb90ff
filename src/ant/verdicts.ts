// What `import --from-ant` does with each entry of claude-lock.json, and why: pure, from what the files, the
// API and the changelog say about it. Every entry gets a verdict; none is passed over in silence.

import { type Owner, ownershipOf } from '../domain/ownership.js';
import { EnvsyncError } from '../errors.js';
import type {
  AntRefusal,
  AntResourceOutcome,
  AntVerdict,
  DesiredEnvironment,
  LiveEnvironment,
} from '../model.js';
import { escapeText } from '../text/escape.js';
import type { AntLockResource } from './lock.js';

/** What a lookup by the lock's ID answered. */
export type Retrieved =
  | { kind: 'live'; env: LiveEnvironment }
  | { kind: 'gone' }
  | { kind: 'unreadable'; problem: string };

/** Where the entry's file stands for envsync. */
export type FileState =
  | { kind: 'declared'; environments: DesiredEnvironment[] }
  /** Markdown or JSON: ant reads it, envsync reads environment files as YAML. */
  | { kind: 'not_yaml' }
  | { kind: 'missing' }
  | { kind: 'outside_dirs' }
  /** In envsync's folders, but it declares no environment (a base, an empty file). */
  | { kind: 'no_environment' };

export interface VerdictInput {
  resource: AntLockResource;
  /** The lock, as shown. */
  lock: string;
  /** The entry's file, relative to the project root. */
  file: string;
  state: FileState;
  retrieved: Retrieved | null;
  owner: Owner;
  /** The folders envsync reads (as shown), for the hint of a file outside them. */
  dirs: string;
}

const q = (s: string) => JSON.stringify(escapeText(s));

/** A candidate for adoption: the environment the file declares and the live one it is. */
export interface Candidate {
  resource: AntLockResource;
  file: string;
  desired: DesiredEnvironment;
  env: LiveEnvironment;
}

export function verdictOf(input: VerdictInput): { outcome: AntResourceOutcome; candidate: Candidate | null } {
  const { resource: r, lock, file, state } = input;
  const base = { key: r.key, kind: r.kind, id: r.id, location: r.location };
  const out = (
    verdict: AntVerdict,
    reason: AntRefusal | null,
    message: string,
    hint: string | null,
    name: string | null = null,
  ): AntResourceOutcome => ({
    ...base,
    file: r.kind === 'environment' ? file : null,
    name,
    verdict,
    reason,
    message,
    hint,
  });
  const refuse = (reason: AntRefusal, message: string, hint: string, name: string | null = null) => ({
    outcome: out('refused', reason, message, hint, name),
    candidate: null,
  });
  const removeEntry = `remove the entry ${q(r.key)} from ${lock} (ant apply would otherwise make a new one on its next run)`;

  if (r.kind !== 'environment')
    return {
      outcome: out(
        'stays',
        'another_kind',
        `${/^[aeiou]/i.test(r.kind) ? 'an' : 'a'} ${r.kind}: stays with ant apply (envsync manages environments only)`,
        null,
      ),
      candidate: null,
    };
  const got = input.retrieved;
  if (got?.kind === 'gone')
    return refuse(
      'gone',
      `${r.id} no longer exists (the API answered 404)`,
      `${removeEntry}; then \`envsync plan\` creates it from ${file}`,
    );
  if (got?.kind === 'unreadable')
    return refuse(
      'unreadable',
      `${r.id} does not read as an environment envsync knows: ${got.problem}`,
      'envsync adopts nothing it cannot read: upgrade envsync, or fix the environment in the console',
    );
  if (got?.kind === 'live' && got.env.archived_at !== null)
    return refuse(
      'archived',
      `${r.id} was archived at ${got.env.archived_at}: an archived environment takes no new sessions or updates`,
      `${removeEntry}; then delete ${file} if it was retired on purpose, or keep it and \`envsync plan\` creates a new environment (a new ID) from it`,
    );
  switch (state.kind) {
    case 'not_yaml':
      return refuse(
        'not_yaml',
        `${file} is not YAML: ant reads Markdown and JSON environment files, envsync reads YAML (.yaml, .yml)`,
        `write it as a YAML file in envsync's folders (a Markdown body becomes \`description:\`), point the lock entry at it, and import again`,
      );
    case 'missing':
      return refuse('no_file', `${file} does not exist`, `restore it from git, or ${removeEntry}`);
    case 'outside_dirs':
      return refuse(
        'outside_dirs',
        `${file} is outside the folders envsync reads (${input.dirs})`,
        'move it into one of them (or add its folder to `dirs` in envsync.yaml), then import again: an environment envsync adopts must stay declared, or its next plan archives it',
      );
    case 'no_environment':
      return refuse(
        'no_environment',
        `${file} declares no environment`,
        `check that ${r.key} is the environment's file`,
      );
    case 'declared':
      break;
  }
  const [d, ...others] = state.environments;
  if (d === undefined || others.length > 0)
    return refuse(
      'several_environments',
      `${file} declares ${state.environments.length} environments; ant's file is one`,
      'split it: one environment per file, as ant apply writes them',
    );
  if (got?.kind !== 'live')
    throw new EnvsyncError('internal', `${r.key}: an environment entry was not looked up`, {
      source: 'envsync',
    });
  const env = got.env;
  if (env.name !== d.name)
    return refuse(
      'renamed',
      `${r.id} is named ${q(env.name)} now, but ${file} says ${q(d.name)} (renamed in the console?)`,
      `rename it back to ${q(d.name)} in the console, or set name: ${q(env.name)} in ${file}; then import again`,
      d.name,
    );
  const ownership = ownershipOf(env, input.owner);
  if (ownership.kind === 'foreign')
    return refuse(
      'other_project',
      `${r.id} belongs to envsync project ${q(ownership.owner)}`,
      `agree with that project which one keeps ${r.id}; envsync never takes another project's environment`,
      d.name,
    );
  if (ownership.kind !== 'unmanaged') {
    if (ownership.kind === 'mine' && !input.owner.recorded(env.id))
      return refuse(
        'changelog_behind',
        `${r.id} carries this project's tag, but this changelog does not record it`,
        'git pull (another checkout adopted it and committed its run file), then import again',
        d.name,
      );
    return {
      outcome: out('already', null, `${d.name} (${r.id}) is this project's already`, null, d.name),
      candidate: null,
    };
  }
  if (env.config.type !== d.config.type)
    return refuse(
      'type_change',
      `${r.id} is a ${env.config.type} environment, but ${file} says ${d.config.type}: taking it would mean a new environment (a new ID)`,
      `make ${file} say config.type: ${env.config.type} to take it over as it is; change the type afterwards with a plan of its own`,
      d.name,
    );
  return {
    outcome: out('adopt', null, `${d.name} (${r.id}): adopt in place, same ID`, null, d.name),
    candidate: { resource: r, file, desired: d, env },
  };
}
