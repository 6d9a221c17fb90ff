// `envsync export`: live environments as environment files, the first step to managing hand-made ones.

import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { isMine, liveHash, type Owner, ownerLabel, ownershipOf, userMetadata } from '../domain/ownership.js';
import { previewOf } from '../domain/preview.js';
import { wrapFsError } from '../errors.js';
import {
  checkEnvironmentText,
  environmentDocument,
  environmentFileText,
  fileNameFor,
  schemaRefFor,
} from '../export/environment-file.js';
import { normalizeConfig } from '../hash/config-hash.js';
import { type EnvironmentsApi, isReservedKey, type LiveEnvironment } from '../model.js';
import { compareCodeUnits, compareNatural, groupBy } from '../util/order.js';
import { listLive } from './live.js';

/** A file can hold 14 metadata keys: envsync keeps 2 of the API's 16 for its ownership tags. */
const MAX_FILE_METADATA = 14;

export interface ExportOptions {
  /** Absolute. */
  outDir: string;
  /** The project root: paths are shown relative to it. */
  projectRoot: string;
  /** Which environments: this project's (default), unmanaged ones only (to adopt them), or both. */
  which: 'managed' | 'unmanaged' | 'all';
  /** Only these names; empty: every name. */
  names: readonly string[];
  /** Names a file already declares, with where: never exported again (validate would fail on the duplicate). */
  declared: ReadonlyMap<string, string>;
  /** File names already in outDir: a new file never takes one (export never overwrites). */
  existingFiles: ReadonlySet<string>;
  /** This project: its environments are exported as managed; other projects' are never exported. */
  owner: Owner;
}

export interface ExportFile {
  path: string;
  /** The path relative to the project root, for messages. */
  shown: string;
  name: string;
  env_id: string;
  managed: boolean;
  text: string;
}

export interface ExportSkip {
  name: string;
  env_id: string;
  reason: string;
}

export interface ExportPlan {
  files: ExportFile[];
  skipped: ExportSkip[];
  /** Unmanaged environments left out because only managed ones were asked for. */
  unmanagedLeftOut: number;
  /** --name values that match no live environment. */
  unknownNames: string[];
}

/** The user's metadata; empty values are left out, as the API deletes a key set to "" on the first update anyway. */
function fileMetadata(metadata: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(userMetadata(metadata)).filter(([, value]) => value !== ''));
}

/** Why an environment cannot be written as a file envsync would accept, or null when it can. */
function inexpressible(
  env: LiveEnvironment,
  managed: boolean,
  sameName: LiveEnvironment[],
  owner: Owner,
): string | null {
  const preview = managed ? previewOf(env.metadata) : null;
  if (preview)
    return `a preview copy (preview ${preview.id}), not an environment of the files: \`envsync preview down --id ${preview.id}\` removes it`;
  if (env.name.includes('~')) {
    return managed
      ? 'a superseded environment (`<name>~<hash>`): the file of its name keeps it, so it gets no file of its own'
      : 'its name holds `~`, which environment files reserve for superseded environments; rename it first';
  }
  if (sameName.length > 1) {
    const managedOnes = sameName.filter((e) => isMine(e, owner));
    if (managedOnes.length === 1 && !managed)
      return `envsync's ${managedOnes[0]?.id} has the same name; rename one`;
    if (managedOnes.length !== 1) {
      return `${sameName.length} live environments are named ${env.name} (${sameName.map((e) => e.id).join(', ')}); rename all but one`;
    }
  }
  if (managed) return null;
  const reserved = Object.keys(env.metadata).filter(isReservedKey);
  if (reserved.length > 0) {
    return `metadata key${reserved.length === 1 ? '' : 's'} ${reserved.join(', ')} look${reserved.length === 1 ? 's' : ''} like envsync's reserved keys; rename them first`;
  }
  const keys = Object.keys(fileMetadata(env.metadata)).length;
  if (keys > MAX_FILE_METADATA) {
    return `${keys} metadata keys; a file holds at most ${MAX_FILE_METADATA} (envsync adds 2 of the API's 16)`;
  }
  return null;
}

/** Which environments become which files, with each file's text; pure, so it can be tested without an API. */
export function planExport(live: readonly LiveEnvironment[], o: ExportOptions): ExportPlan {
  const active = live
    .filter((e) => !e.archived_at)
    .sort((a, b) => compareNatural(a.name, b.name) || compareCodeUnits(a.id, b.id));
  const byName = groupBy(active, (e) => e.name);
  const schemaRef = schemaRefFor(o.outDir);
  const taken = new Set([...o.existingFiles].map((f) => f.toLowerCase()));
  const wanted = new Set(o.names);
  const plan: ExportPlan = {
    files: [],
    skipped: [],
    unmanagedLeftOut: 0,
    unknownNames: o.names.filter((n) => !byName.has(n)),
  };
  for (const env of active) {
    if (wanted.size > 0 && !wanted.has(env.name)) continue;
    const declaredAt = o.declared.get(env.name);
    if (declaredAt !== undefined) {
      plan.skipped.push({ name: env.name, env_id: env.id, reason: `already declared in ${declaredAt}` });
      continue;
    }
    const ownership = ownershipOf(env, o.owner);
    if (ownership.kind === 'foreign') {
      plan.skipped.push({
        name: env.name,
        env_id: env.id,
        reason: `belongs to ${ownerLabel(ownership.owner)}`,
      });
      continue;
    }
    const managed = ownership.kind !== 'unmanaged';
    if (!managed && o.which === 'managed') {
      plan.unmanagedLeftOut++;
      continue;
    }
    if (managed && o.which === 'unmanaged') continue;
    const why = inexpressible(env, managed, byName.get(env.name) ?? [], o.owner);
    if (why !== null) {
      plan.skipped.push({ name: env.name, env_id: env.id, reason: why });
      continue;
    }
    const config = normalizeConfig(env.config);
    const doc = environmentDocument({
      name: env.name,
      description: env.description,
      metadata: fileMetadata(env.metadata),
      config,
      scope: env.scope ?? null,
    });
    const note = managed
      ? 'managed by envsync'
      : 'not managed by envsync yet: `envsync plan --adopt` takes it over';
    const text = environmentFileText(doc, schemaRef, [
      `Exported from ${env.id} (${note}); config hash ${liveHash(env)}.`,
    ]);
    const file = path.join(o.outDir, fileNameFor(env.name, taken));
    const shown = path.relative(o.projectRoot, file) || file;
    const errors = checkEnvironmentText(shown, text).filter((d) => d.severity === 'error');
    if (errors.length > 0) {
      const first = errors[0];
      const where = first?.path ? `${first.path}: ` : '';
      plan.skipped.push({
        name: env.name,
        env_id: env.id,
        reason: `would not validate: ${where}${first?.message}`,
      });
      continue;
    }
    plan.files.push({ path: file, shown, name: env.name, env_id: env.id, managed, text });
  }
  return plan;
}

/** Lists the live environments and writes one new file each; never overwrites a file. */
export async function exportEnvironments(api: EnvironmentsApi, o: ExportOptions): Promise<ExportPlan> {
  const plan = planExport((await listLive(api)).envs, o);
  if (plan.files.length > 0) mkdirSync(o.outDir, { recursive: true });
  for (const f of plan.files) {
    try {
      // wx: never overwrite, even a file that appeared since outDir was listed.
      writeFileSync(f.path, f.text, { flag: 'wx' });
    } catch (e) {
      throw wrapFsError(e, f.shown, 'write');
    }
  }
  return plan;
}
