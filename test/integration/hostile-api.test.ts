// envsync against a server that lies: a proxy between it and the emulator drops, repeats, loops, trickles and
// rewrites answers. For each, apply ends by itself, no desired environment is archived or gets a new ID, no
// entry is recorded that did not happen, and neither the key nor a raw escape reaches any output.

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ChangelogEntry } from '../../src/model.js';
import type { HookAnswer, HookRequest } from '../helpers/hook-proxy.js';
import { envFile, TEST_KEY, Workspace } from '../helpers/workspace.js';

/** Short, so each case ends in seconds: every bound below scales from it (the default is 90 s). */
const TIMEOUT = ['--timeout', '3'];

type Hook = (method: string, path: string, req: HookRequest) => Promise<HookAnswer> | HookAnswer;
type Env = Record<string, unknown> & { id: string; name: string };

const isList = (method: string, p: string) => method === 'GET' && p === '/v1/environments';
const isUpdateOf = (id: string) => (method: string, p: string) =>
  method === 'POST' && p === `/v1/environments/${id}`;

describe('apply against a server that lies', () => {
  let ws: Workspace;
  /** The live IDs by name after the first, honest apply. */
  let ids: Record<string, string>;
  let envs: Record<string, Env>;

  beforeEach(async () => {
    ws = await Workspace.start();
    ws.files({
      'a.yaml': envFile('a', 'description: A\n'),
      'b.yaml': envFile('b', 'description: B\n'),
      'c.yaml': envFile('c', 'description: C\n'),
    });
    expect((await ws.cli(['apply', '--auto-approve'])).code).toBe(0);
    const live = await ws.live();
    ids = Object.fromEntries(live.map((e) => [e.name, e.id]));
    envs = Object.fromEntries(live.map((e) => [e.name, e as unknown as Env]));
    // The next apply has one update to make.
    ws.files({ 'a.yaml': envFile('a', 'description: A2\n') });
  });
  afterEach(() => ws.close());

  /** Applies through the lying proxy and checks what must hold whatever the server says. */
  async function applyThrough(hook: Hook, args: string[] = [], desired = ['a', 'b', 'c']) {
    const before = ws.entries();
    const r = await ws.cliThrough(hook, [...TIMEOUT, 'apply', '--auto-approve', ...args]);
    const output = r.stdout + r.stderr;
    expect(output).not.toContain(TEST_KEY);
    for (const raw of ['\u001b', '\u009b', '\u0007']) expect(output).not.toContain(raw);
    // No desired environment was archived or replaced: each name still has its first ID, live.
    const live = await ws.live(true);
    for (const name of desired) {
      const env = live.find((e) => e.id === ids[name]);
      expect(env?.archived_at ?? null, `${name} was archived`).toBeNull();
    }
    return { r, added: ws.entries().slice(before.length) };
  }

  /** Steps recorded by a run (begin and end aside). */
  const steps = (entries: ChangelogEntry[]) => entries.filter((e) => e.env_id !== null);

  describe('lists it cannot trust: a clear error, nothing planned, nothing recorded', () => {
    it.each<[string, () => Hook, string, string]>([
      [
        'a page that ends early (its last item left out)',
        () => (m, p) =>
          isList(m, p)
            ? { rewrite: (b) => ({ ...(b as object), data: (b as { data: Env[] }).data.slice(0, -1) }) }
            : 'forward',
        'list_incomplete',
        'left out 1 that exist',
      ],
      [
        'a page that leaves an item out of the middle',
        () => (m, p) =>
          isList(m, p)
            ? {
                rewrite: (b) => ({
                  ...(b as object),
                  data: (b as { data: Env[] }).data.filter((_, i) => i !== 1),
                }),
              }
            : 'forward',
        'list_incomplete',
        'left out 1 that exist',
      ],
      [
        'the same ID twice under two names',
        () => (m, p) =>
          isList(m, p)
            ? {
                rewrite: (b) => {
                  const data = (b as { data: Env[] }).data;
                  return { ...(b as object), data: [...data, { ...data[0], name: 'other' }] };
                },
              }
            : 'forward',
        'api_untrusted',
        'appears twice in one list with different content',
      ],
      [
        'a cursor that loops',
        () => {
          let first: unknown;
          return (m, p, req) => {
            if (!isList(m, p)) return 'forward';
            if (req.search.includes('page=loop')) return { respond: { status: 200, body: first } };
            return {
              rewrite: (b) => {
                first = { ...(b as object), next_page: 'loop' };
                return first;
              },
            };
          };
        },
        'api_untrusted',
        'came back twice (a loop)',
      ],
      [
        'empty pages that point on forever',
        () => {
          let n = 0;
          return (m, p) =>
            isList(m, p) ? { respond: { status: 200, body: { data: [], next_page: `c${n++}` } } } : 'forward';
        },
        'api_untrusted',
        'is empty but points to a next page',
      ],
      [
        'pages that never end (a new cursor each time, the same items)',
        () => {
          let n = 0;
          let first: { data: unknown[] } | undefined;
          return (m, p) => {
            if (!isList(m, p)) return 'forward';
            if (first) return { respond: { status: 200, body: { ...first, next_page: `c${n++}` } } };
            return {
              rewrite: (b) => {
                first = b as { data: unknown[] };
                return { ...first, next_page: `c${n++}` };
              },
            };
          };
        },
        'api_untrusted',
        'the list does not end',
      ],
      [
        'a page that is not JSON',
        () => (m, p) => (isList(m, p) ? { respond: { status: 200, body: 'not json {' } } : 'forward'),
        'api_unreadable',
        'the answer is not JSON',
      ],
      [
        'a page whose data is not a list',
        () => (m, p) =>
          isList(m, p) ? { respond: { status: 200, body: { data: { a: 1 }, next_page: null } } } : 'forward',
        'api_untrusted',
        'is not a list page (data: expected a list',
      ],
      [
        'a body a byte at a time',
        () => (m, p) => (isList(m, p) ? { trickle: { everyMs: 200 } } : 'forward'),
        'api_timeout',
        'list environments: ',
      ],
      [
        'a body that never ends',
        () => (m, p) => (isList(m, p) ? { endless: true } : 'forward'),
        'api_too_large',
        'the answer is larger than 64 MiB',
      ],
    ])('%s', async (_title, hook, code, message) => {
      const runFiles = ws.runFiles().length;
      // Reading 64 MiB takes longer than the 1 s attempt a 3 s budget gives: that case waits longer.
      const { r, added } = await applyThrough(hook(), code === 'api_too_large' ? ['--timeout', '60'] : []);
      expect(r.code, r.stderr).toBe(1);
      expect(r.stderr).toContain(`error[${code}]`);
      expect(r.stderr).toContain(message);
      expect(r.stderr).toMatch(/hint: /);
      expect(added).toEqual([]);
      expect(ws.runFiles()).toHaveLength(runFiles);
      expect((await ws.live()).find((e) => e.id === ids.a)?.description).toBe('A');
    });

    it('a 429 asking to wait 999999 s: waited out at most a capped while, then a clear error', async () => {
      const { r, added } = await applyThrough((m, p) =>
        isList(m, p)
          ? {
              respond: {
                status: 429,
                headers: { 'retry-after': '999999' },
                body: { type: 'error', error: { type: 'rate_limit_error', message: 'slow down' } },
              },
            }
          : 'forward',
      );
      expect(r.code).toBe(1);
      // Honoured up to the cap (2 s of a 3 s budget), once; then the budget is spent.
      expect(r.stderr).toContain('waiting 2s for the API (429)');
      expect(r.stderr).toContain('it asked to wait 999999 s');
      expect(added).toEqual([]);
    });

    it('identical copies of one item are merged: nothing to refuse, the apply goes on', async () => {
      const { r } = await applyThrough((m, p) =>
        isList(m, p)
          ? {
              rewrite: (b) => {
                const data = (b as { data: Env[] }).data;
                return { ...(b as object), data: [...data, data[0]] };
              },
            }
          : 'forward',
      );
      expect(r.code, r.stderr).toBe(0);
      expect((await ws.live()).find((e) => e.id === ids.a)?.description).toBe('A2');
    });
  });

  describe('items it cannot read: nothing planned for them or for a file that shares their name or ID', () => {
    it.each<[string, (b: Env) => unknown]>([
      ['a config type envsync does not know', (b) => ({ ...b, config: { type: 'sandbox_v2' } })],
      ['name: null', (b) => ({ ...b, name: null })],
      ['no config', ({ config: _, ...rest }) => rest],
      ['metadata that is not text', (b) => ({ ...b, metadata: { team: 7 } })],
    ])('%s: blocked as unreadable_live, nothing recreated or archived', async (_title, spoil) => {
      const { r, added } = await applyThrough((m, p) =>
        isList(m, p)
          ? {
              rewrite: (body) => ({
                ...(body as object),
                data: (body as { data: Env[] }).data.map((e) => (e.id === ids.b ? spoil(e) : e)),
              }),
            }
          : 'forward',
      );
      expect(r.code, r.stderr).toBe(3);
      expect(r.stdout).toContain('[unreadable_live]');
      expect(r.stdout).toContain(ids.b);
      expect(steps(added)).toEqual([]);
      expect((await ws.live()).map((e) => e.id).sort()).toEqual(Object.values(ids).sort());
    });

    it("another project's environment envsync cannot read is left alone, and the apply goes on", async () => {
      const stranger = {
        ...envs.c,
        id: 'env_stranger',
        name: 'theirs',
        metadata: { envsync_managed: 'other' },
        config: { type: 'new' },
      };
      const { r } = await applyThrough((m, p) =>
        isList(m, p)
          ? { rewrite: (b) => ({ ...(b as object), data: [...(b as { data: Env[] }).data, stranger] }) }
          : 'forward',
      );
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toContain('Notes:');
      expect(r.stdout).toContain('an environment envsync cannot read was left alone');
    });

    it.each([
      ['case', 'A'],
      ['Unicode form', '\uff41'],
      ['an invisible character', 'a\u200b'],
    ])(
      'a name that comes back differing only by %s is the same environment: renamed back in place, never archived',
      async (_t, name) => {
        const { r } = await applyThrough((m, p) =>
          isList(m, p)
            ? {
                rewrite: (b) => ({
                  ...(b as object),
                  data: (b as { data: Env[] }).data.map((e) => (e.id === ids.a ? { ...e, name } : e)),
                }),
              }
            : 'forward',
        );
        expect(r.code, r.stderr).toBe(0);
        expect((await ws.live()).find((e) => e.id === ids.a)).toMatchObject({ name: 'a', description: 'A2' });
      },
    );
  });

  describe('writes answered with something else: the run stops writing, and records only what a lookup confirms', () => {
    it('a create answered with another environment records the one it made, under its own ID', async () => {
      ws.files({ 'd.yaml': envFile('d') });
      const { r, added } = await applyThrough(
        (m, p) => (m === 'POST' && p === '/v1/environments' ? { rewrite: () => envs.b } : 'forward'),
        ['--parallelism', '1'],
      );
      expect(r.code).toBe(1);
      expect(r.stderr).toContain('error[api_untrusted]');
      expect(r.stderr).toContain(
        `create d: the API answered with ${ids.b}, an environment that already existed`,
      );
      const d = (await ws.live()).find((e) => e.name === 'd');
      expect(
        steps(added)
          .filter((e) => e.op === 'create')
          .map((e) => e.env_id),
      ).toEqual([d?.id]);
      const next = await ws.cli(['apply', '--auto-approve']);
      expect(next.code, next.stderr).toBe(0);
      expect((await ws.cli(['verify', '--live'])).code).toBe(0);
    });

    it('an update answered with another environment is recorded once a lookup by ID confirms it', async () => {
      const { r, added } = await applyThrough((m, p) =>
        isUpdateOf(ids.a as string)(m, p) ? { rewrite: () => envs.b } : 'forward',
      );
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(`update ${ids.a}: the API answered with environment ${ids.b}, not ${ids.a}`);
      expect(steps(added).map((e) => [e.op, e.env_id])).toEqual([['update', ids.a]]);
      expect((await ws.cli(['verify', '--live'])).code).toBe(0);
    });

    it.each([
      ['the archive happened', 'forward' as const, [['archive', 'c']]],
      ['nothing happened', 'respond' as const, []],
    ])(
      'an archive answered 200 with archived_at null, when %s: recorded only if a lookup shows it archived',
      async (_t, how, recorded) => {
        ws.files({ 'c.yaml': null });
        const archive = `/v1/environments/${ids.c}/archive`;
        const { r, added } = await applyThrough(
          (m, p) => {
            if (m !== 'POST' || p !== archive) return 'forward';
            const lie = { ...envs.c, name: 'c~x', archived_at: null };
            return how === 'forward'
              ? { rewrite: (b) => ({ ...(b as object), archived_at: null }) }
              : { respond: { status: 200, body: lie } };
          },
          [],
          ['a', 'b'],
        );
        expect(r.code).toBe(1);
        expect(r.stderr).toContain(
          `archive ${ids.c}: the API answered with not archived (archived_at is null)`,
        );
        // Said done only when the lookup shows it done.
        expect(r.stderr.includes('✓ c: archived')).toBe(recorded.length > 0);
        const archives = steps(added)
          .filter((e) => e.op === 'archive')
          .map((e) => [e.op, e.env_id]);
        expect(archives).toEqual(recorded.map(([op, name]) => [op, ids[name as string]]));
        // Whatever happened is what the next apply builds on.
        expect((await ws.cli(['apply', '--auto-approve'])).code).toBe(0);
        expect((await ws.cli(['verify', '--live'])).code).toBe(0);
      },
    );
  });

  describe('nothing printed that should not be', () => {
    const echo: Hook = (m, p, req) =>
      isUpdateOf(ids.a as string)(m, p)
        ? {
            respond: {
              status: 400,
              body: {
                type: 'error',
                error: {
                  type: 'invalid_request_error',
                  message: `bad request; you sent authorization: ${req.headers.authorization} x-api-key: ${req.headers['x-api-key'] ?? ''} \u001b]0;pwned\u0007\u001b[31mred ${'x'.repeat(2000)}`,
                },
              },
            },
          }
        : 'forward';

    it('an error body that echoes the request headers, with terminal escapes: the key removed, the escapes shown, the message cut short', async () => {
      const { r } = await applyThrough(echo);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain('[redacted]');
      expect(r.stderr).toContain('\\x1B]0;pwned\\x07\\x1B[31mred');
      expect(r.stderr).not.toContain('x'.repeat(600));
    });

    it('the same in --format json, which CI posts to pull requests', async () => {
      const r = await ws.cliThrough(
        (m, p, req) => (isList(m, p) ? echo('POST', `/v1/environments/${ids.a}`, req) : 'forward'),
        [...TIMEOUT, 'plan', '--format', 'json'],
      );
      expect(r.code).toBe(1);
      const doc = JSON.parse(r.stdout) as { error: { code: string; message: string } };
      expect(doc.error.code).toBe('api_error');
      expect(doc.error.message).toContain('[redacted]');
      expect(r.stdout + r.stderr).not.toContain(TEST_KEY);
    });
  });
});
