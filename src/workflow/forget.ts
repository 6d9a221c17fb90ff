// `envsync forget NAME`: stop managing an environment without archiving it (Terraform's `removed { destroy = false }`).
//
// Ownership lives on the environment itself (the `envsync_managed` tag), not in a state file, so "stop
// managing" means taking envsync's two tags off it and recording that in the changelog. Taking the tags off
// is what makes it stick: every checkout and every later plan sees an unmanaged environment, which envsync
// never archives or changes; the `forget` entry keeps the history honest (who, when, from which commit) and
// drops the ID from what the changelog holds current. Taking it back is `plan --adopt` with a file for it.

import { randomUUID } from 'node:crypto';
import { believe, Halt } from '../apply/answers.js';
import { gatedApi, record } from '../apply/context.js';
import { liveRecordFields } from '../apply/reconcile.js';
import { acquireLockWithin, reportedLockWait, takeoverWarning } from '../changelog/lock.js';
import { changelogLocation } from '../changelog/store.js';
import { RunWriter, runFileName } from '../changelog/writer.js';
import { closest } from '../config/suggest.js';
import { ownerLabel, ownershipOf } from '../domain/ownership.js';
import { previewOf } from '../domain/preview.js';
import { EnvsyncError } from '../errors.js';
import type { DesiredEnvironment, LiveEnvironment } from '../model.js';
import { HASH_KEY, MANAGED_KEY } from '../model.js';
import { listLive } from './live.js';
import { isPreviewCopy } from './preview-live.js';
import { readState } from './recorded.js';
import type { RunSetup } from './run-setup.js';

export interface ForgetOptions extends RunSetup {
  /** The names to forget, as live has them. */
  names: readonly string[];
  /** What the files declare: a name still declared would be planned again, so it is refused. */
  desired: readonly DesiredEnvironment[];
  /** Say what would happen; change nothing. */
  dryRun: boolean;
}

export interface Forgotten {
  name: string;
  env_id: string;
}

/** Which live environment each name is, refused unless it is this project's and no file declares it. */
function chooseTargets(
  o: ForgetOptions,
  live: readonly LiveEnvironment[],
  recorded: Set<string>,
): LiveEnvironment[] {
  const owner = { project: o.project, recorded: (id: string) => recorded.has(id) };
  const active = live.filter((e) => !e.archived_at);
  return [...new Set(o.names)].map((name) => {
    const env = active.find((e) => e.name === name);
    if (!env) {
      const near = closest(
        name,
        active.map((e) => e.name),
      );
      throw new EnvsyncError('unknown_name', `no live environment is named ${name}`, {
        hint: near ? `did you mean ${near}?` : 'run `envsync status` to see the environments and their names',
      });
    }
    const ownership = ownershipOf(env, owner);
    if (ownership.kind === 'foreign') {
      throw new EnvsyncError('blocked', `${name} (${env.id}) belongs to ${ownerLabel(ownership.owner)}`, {
        hint: 'only the project that manages an environment can forget it',
      });
    }
    if (ownership.kind === 'unmanaged') {
      throw new EnvsyncError(
        'not_managed',
        `${name} (${env.id}) is not managed by envsync: nothing to forget`,
        {
          hint: 'envsync already leaves it alone',
        },
      );
    }
    if (isPreviewCopy(env, o.project, recorded)) {
      // A copy belongs to its preview's runs: a forget would write it into the main history it was never in.
      const id = previewOf(env.metadata)?.id ?? '?';
      throw new EnvsyncError('not_managed', `${name} (${env.id}) is a copy made by preview ${id}`, {
        hint: `\`envsync preview down --id ${id}\` archives the preview's copies; forget is for environments of the main history`,
      });
    }
    const file = o.desired.find((d) => d.name === name || d.lifecycle.previous_names.includes(name));
    if (file) {
      throw new EnvsyncError(
        'still_declared',
        `${name} is still declared in ${file.source.file}:${file.source.line}`,
        {
          hint: 'remove it from the files first (as with Terraform’s removed block): otherwise the next plan finds it unmanaged and blocks',
          location: file.source,
        },
      );
    }
    return env;
  });
}

/**
 * Takes envsync's ownership tags off each named environment and records a `forget` entry for it, in a run
 * of its own under the changelog lock. The environment keeps running, unchanged otherwise; no plan
 * archives it afterwards, since it is no longer this project's. Refused while an interrupted apply is
 * open (the next apply reconciles it first).
 */
export async function forgetEnvironments(o: ForgetOptions): Promise<Forgotten[]> {
  const location = changelogLocation(o.changelogPath);
  const lock = await acquireLockWithin(location.dir, reportedLockWait(o.lockTimeoutMs, o.reporter));
  let writer: RunWriter | undefined;
  try {
    const takeover = takeoverWarning(lock);
    if (takeover) o.reporter.event({ type: 'warning', message: takeover });
    const state = readState(location, o.reporter);
    if (state.open.length > 0 || state.repairs.length > 0) {
      throw new EnvsyncError('changelog_behind', 'an earlier apply was interrupted: its run is still open', {
        hint: 'run `envsync apply` first: it records what that run did; then forget',
      });
    }
    const recorded = new Set(state.recorded.filter((r) => !r.archived).map((r) => r.env_id));
    const live = (await listLive(o.api)).envs;
    const targets = chooseTargets(o, live, recorded);
    if (o.dryRun) return targets.map((e) => ({ name: e.name, env_id: e.id }));
    const planId = `forget_${randomUUID()}`;
    // The run file's name and its begin carry one time: verify checks they agree.
    const started = o.now();
    writer = new RunWriter(location.dir, runFileName(started, planId), () => lock.check());
    const halt = new Halt();
    const deps = {
      api: gatedApi(o.api, writer, halt),
      owner: { project: o.project, recorded: (id: string) => recorded.has(id) },
      writer,
      halt,
      knownIds: new Set([...recorded, ...live.map((e) => e.id)]),
      adoptDetails: {},
      parents: state.parents,
      reporter: o.reporter,
      identity: { ...o.identity, plan_id: planId },
      now: o.now,
    };
    record(deps, {
      op: 'begin',
      at: started.toISOString(),
      detail: JSON.stringify({ forget: targets.length }),
    });
    const done: Forgotten[] = [];
    for (const env of targets) {
      // Deleting both tags in one write: an environment is never left owned but untagged for its hash.
      const answer = await deps.api.update(env.id, { metadata: { [MANAGED_KEY]: null, [HASH_KEY]: null } });
      const { env: untagged } = await believe(
        halt,
        `forget ${env.id}`,
        answer,
        { id: env.id, name: env.name },
        () => deps.api.retrieve(env.id),
      );
      if (untagged.metadata[MANAGED_KEY] || untagged.metadata[HASH_KEY])
        throw new EnvsyncError(
          'api_untrusted',
          `forget ${env.id}: the API answered with its ownership tags still on`,
          {
            hint: 'nothing was recorded for it; run `envsync forget` again',
          },
        );
      record(deps, {
        op: 'forget',
        ...liveRecordFields(untagged),
        detail: `no longer managed by envsync (forget): ownership tags removed, left live as it is`,
      });
      done.push({ name: env.name, env_id: env.id });
    }
    record(deps, { op: 'end', detail: JSON.stringify({ forgotten: done.length, uncertain: [] }) });
    return done;
  } finally {
    writer?.close();
    lock.release();
  }
}
