import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { errorDocument, exitCodeOf, renderError } from '../../../src/cli/render-errors.js';
import { ApiError, BlockedError, EnvsyncError, ValidationError, wrapFsError } from '../../../src/errors.js';
import { quietIo, tempDir } from '../../helpers/cli.js';
import { unsafeIn } from '../text/hostile.js';

function errno(code: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`${code}: simulated`), { code });
}

/** What a real fs call threw. */
function thrownBy(f: () => unknown): unknown {
  try {
    f();
  } catch (e) {
    return e;
  }
  throw new Error('expected a throw');
}

function rendered(e: unknown, verbose = false): { code: number; stderr: string } {
  let stderr = '';
  const code = renderError(
    undefined,
    quietIo((s) => {
      stderr += s;
    }),
    e,
    verbose,
  );
  return { code, stderr };
}

describe('wrapFsError', () => {
  const dir = tempDir();
  const file = path.join(dir, 'file');
  writeFileSync(file, 'x');

  it.each([
    ['ENOENT (real)', () => thrownBy(() => readFileSync(path.join(dir, 'missing'))), 'fs_not_found'],
    ['EISDIR (real)', () => thrownBy(() => readFileSync(dir)), 'fs_is_directory'],
    ['ENOTDIR (real)', () => thrownBy(() => readFileSync(path.join(file, 'below'))), 'fs_not_directory'],
    ['EEXIST (real)', () => thrownBy(() => mkdirSync(dir)), 'fs_exists'],
    ['EACCES', () => errno('EACCES'), 'fs_permission'],
    ['EPERM', () => errno('EPERM'), 'fs_permission'],
    ['EROFS', () => errno('EROFS'), 'fs_read_only'],
    ['ENOSPC', () => errno('ENOSPC'), 'fs_full'],
    ['an errno without its own code', () => errno('EIO'), 'fs_error'],
  ])('%s → %s, naming the path, with a hint, as the user’s', (_name, make, code) => {
    const e = wrapFsError(make(), '/some/where.jsonl', 'write the changelog');
    expect(e.code).toBe(code);
    expect(e.source).toBe('user');
    expect(e.message).toMatch(/^cannot write the changelog \/some\/where\.jsonl: /);
    expect(e.hint).toBeTruthy();
  });

  it('passes an EnvsyncError through and marks anything else as envsync’s bug', () => {
    const own = new EnvsyncError('locked', 'held');
    expect(wrapFsError(own, 'x', 'read')).toBe(own);
    const bug = wrapFsError(new TypeError('undefined is not a function'), 'x', 'read');
    expect([bug.code, bug.source]).toEqual(['internal', 'envsync']);
  });
});

describe('renderError', () => {
  it('prints error[code], the hint, and no bug report for the user’s errors', () => {
    const r = rendered(new EnvsyncError('no_files', 'no .yaml files', { hint: 'run envsync init' }));
    expect(r).toEqual({ code: 1, stderr: 'error[no_files]: no .yaml files\n  hint: run envsync init\n' });
  });

  it('wraps a raw system error with its path instead of calling it a bug', () => {
    const dir = tempDir();
    const r = rendered(thrownBy(() => mkdirSync(dir)));
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      `error[fs_exists]: cannot create the folder ${dir}: something already exists there`,
    );
    expect(r.stderr).toContain(`hint: move ${dir} away or choose another path`);
    expect(r.stderr).not.toContain('bug');
  });

  it('calls only a real bug a bug, and shows its stack with --verbose', () => {
    const r = rendered(new TypeError('x is undefined'));
    expect(r.stderr).toContain('error[internal]: internal error: x is undefined\n');
    expect(r.stderr).toContain('hint: this is a bug in envsync');
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(rendered(new TypeError('x is undefined'), true).stderr).toMatch(/\n\s+at /);
  });
});

describe('errorDocument', () => {
  it('carries the code, the source, and the API’s own type and code raw', () => {
    const e = new ApiError('list environments: 429 rate_limit_error: slow down', {
      status: 429,
      type: 'rate_limit_error',
      errorCode: null,
      requestId: 'req_1',
    });
    expect(errorDocument(e)).toEqual({
      format_version: 1,
      error: {
        code: 'api_error',
        source: 'user',
        message: 'list environments: 429 rate_limit_error: slow down',
        hint: null,
        location: null,
        api: { status: 429, type: 'rate_limit_error', error_code: null, request_id: 'req_1' },
      },
    });
  });
});

describe('errors that carry names from files or the API', () => {
  it('reach the terminal escaped: no raw control or bidi character in the message, hint or reasons', () => {
    const hostile = 'evil\u001b]0;owned\u0007\u001b[2J\u202ename';
    const { stderr } = rendered(
      new EnvsyncError('changed_since_plan', `${hostile} (env_1) changed since the plan was made`, {
        hint: `run \`envsync plan\` again for ${hostile}`,
      }),
    );
    expect(unsafeIn(stderr)).toEqual([]);
    expect(stderr).toContain('evil\\x1B]0;owned\\x07');
  });
});

describe('diagnostics in an error', () => {
  it('print in the one diagnostic form validate uses, escaped: file, path, message and hint', () => {
    const hostile = 'bad\nname\u202e';
    const { stderr } = rendered(
      new ValidationError([
        {
          severity: 'error',
          file: `environments/${hostile}.yaml`,
          line: 2,
          column: 3,
          path: `metadata.${hostile}`,
          message: `unknown key "${hostile}"`,
          hint: `did you mean "${hostile}x"?`,
        },
      ]),
    );
    expect(unsafeIn(stderr)).toEqual([]);
    expect(stderr).toContain(
      'error    environments/bad\\x0Aname\\u{202E}.yaml:2:3  metadata.bad\\x0Aname\\u{202E}  unknown key "bad\\x0Aname\\u{202E}"\n         hint: did you mean "bad\\x0Aname\\u{202E}x"?',
    );
    expect(stderr).toContain('error[invalid_config]: 1 error in the environment files');
  });
});

describe('the exit code an error means', () => {
  it.each([
    ['preview_conflict', 3],
    // A command's own refusal (forget of another project's environment) is not a blocked plan.
    ['blocked', 1],
    ['invalid_config', 1],
    ['stale_plan', 1],
    ['api_error', 1],
    ['internal', 1],
  ] as const)('%s exits %i', (code, exit) => {
    expect(exitCodeOf(new EnvsyncError(code, 'x'))).toBe(exit);
    expect(rendered(new EnvsyncError(code, 'x')).code).toBe(exit);
  });

  it('a blocked plan exits 3 whatever its first item says', () => {
    expect(exitCodeOf(new BlockedError([]))).toBe(3);
    expect(rendered(new BlockedError([])).code).toBe(3);
  });
});
