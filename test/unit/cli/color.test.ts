import { describe, expect, it } from 'vitest';
import { colorEnabled } from '../../../src/cli/io.js';

type Env = Record<string, string | undefined>;

// [case, env, isTTY, --color flag (false with --no-color), expected]
const TABLE: [string, Env, boolean, boolean, boolean][] = [
  ['a TTY, nothing set', {}, true, true, true],
  ['off a TTY, nothing set', {}, false, true, false],
  ['--no-color on a TTY', {}, true, false, false],
  ['--no-color beats FORCE_COLOR', { FORCE_COLOR: '1' }, true, false, false],
  ['NO_COLOR=1 on a TTY', { NO_COLOR: '1' }, true, true, false],
  ['NO_COLOR empty is not set', { NO_COLOR: '' }, true, true, true],
  ['NO_COLOR beats FORCE_COLOR', { NO_COLOR: '1', FORCE_COLOR: '1' }, false, true, false],
  ['FORCE_COLOR=1 off a TTY', { FORCE_COLOR: '1' }, false, true, true],
  ['FORCE_COLOR=2 off a TTY', { FORCE_COLOR: '2' }, false, true, true],
  ['FORCE_COLOR=3 off a TTY', { FORCE_COLOR: '3' }, false, true, true],
  ['FORCE_COLOR=true off a TTY', { FORCE_COLOR: 'true' }, false, true, true],
  ['FORCE_COLOR empty off a TTY', { FORCE_COLOR: '' }, false, true, true],
  ['FORCE_COLOR=0 on a TTY', { FORCE_COLOR: '0' }, true, true, false],
  ['FORCE_COLOR=false on a TTY', { FORCE_COLOR: 'false' }, true, true, false],
  ['FORCE_COLOR=yes is ignored: TTY decides (on)', { FORCE_COLOR: 'yes' }, true, true, true],
  ['FORCE_COLOR=yes is ignored: TTY decides (off)', { FORCE_COLOR: 'yes' }, false, true, false],
  ['TERM=dumb on a TTY', { TERM: 'dumb' }, true, true, false],
  ['TERM=dumb with FORCE_COLOR=1', { TERM: 'dumb', FORCE_COLOR: '1' }, false, true, true],
  ['TERM=xterm on a TTY', { TERM: 'xterm-256color' }, true, true, true],
  ['TERM=xterm off a TTY', { TERM: 'xterm-256color' }, false, true, false],
];

describe('colorEnabled', () => {
  it.each(TABLE)('%s', (_case, env, isTTY, flag, expected) => {
    expect(colorEnabled(env, isTTY, flag)).toBe(expected);
  });
});
