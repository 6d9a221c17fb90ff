// Options are typed from their declarations: the @ts-expect-error lines below are checked by `tsc --noEmit`
// (npm test), and fail it if a misspelt option ever compiles.

import { Command } from '@commander-js/extra-typings';
import { describe, expect, it } from 'vitest';
import { type ActionFactory, declareGlobals, globalOptions, makeCtx } from '../../../src/cli/context.js';
import { formatOption, type OptsOf, targetOption } from '../../../src/cli/options.js';
import type { PlanOptions } from '../../../src/cli/plan.js';
import { Redactor } from '../../../src/text/redact.js';
import { quietIo } from '../../helpers/cli.js';

const io = quietIo();

function program() {
  const out = { stderr: '' };
  const root = declareGlobals(new Command('envsync'))
    .exitOverride()
    .configureOutput({ writeErr: (s) => (out.stderr += s) });
  const sub = root
    .command('x')
    .argument('[dir]', 'a folder', 'environments')
    .addOption(formatOption(['text', 'json'], 'text'))
    .addOption(targetOption());
  return { root, sub, out };
}

describe('typed options', () => {
  it('hands the handler its arguments and options, typed and parsed', async () => {
    const { root, sub } = program();
    let seen: { dir: string; opts: OptsOf<typeof sub> } | undefined;
    const action: ActionFactory =
      (handler) =>
      async (...args) => {
        await handler(makeCtx(io, globalOptions(root.opts()), new Redactor()), ...args);
      };
    sub.action(
      action(async (_ctx, dir, opts) => {
        seen = { dir, opts };
        // @ts-expect-error -- `fromat` is not a declared option: a typo does not compile
        return opts.fromat === undefined ? 0 : 1;
      }),
    );
    await root.parseAsync(['x', '--format', 'json', '--target', 'a', '--target', 'b', '--no-color'], {
      from: 'user',
    });
    expect(seen).toEqual({ dir: 'environments', opts: { format: 'json', target: ['a', 'b'] } });
    expect(globalOptions(root.opts())).toEqual({
      local: false,
      baseUrl: undefined,
      changelog: undefined,
      color: false,
      quiet: false,
      verbose: false,
    });
  });

  it('types global flags, --format choices and each command’s options from their declarations', () => {
    const { root } = program();
    // @ts-expect-error -- the global flag is --no-color, parsed as `color`
    expect(root.opts().colour).toBeUndefined();
    // @ts-expect-error -- a default that is not one of the choices does not compile
    expect(() => formatOption(['text', 'json'], 'yaml')).not.toThrow();
    const plan: PlanOptions = { format: 'markdown', maxArchive: 5, maxBytes: 60_000, target: ['a'] };
    // @ts-expect-error -- `plan` has --detailed-exitcode, spelt with a lower-case c
    expect(plan.detailedExitCode).toBeUndefined();
    // @ts-expect-error -- yaml is not a format plan offers
    const yaml: PlanOptions = { format: 'yaml', maxArchive: 5, maxBytes: 60_000 };
    expect(yaml.format).toBe('yaml');
  });

  it('refuses a --format outside the choices at run time too', async () => {
    const { root, sub, out } = program();
    sub.action(() => {});
    await expect(root.parseAsync(['x', '--format', 'yaml'], { from: 'user' })).rejects.toThrow();
    expect(out.stderr).toContain("argument 'yaml' is invalid. Allowed choices are text, json.");
  });
});
