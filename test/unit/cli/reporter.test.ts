// The CLI reporter draws events whose text came from files or the API: every such text is escaped.

import { describe, expect, it } from 'vitest';
import { globalOptions, makeCtx } from '../../../src/cli/context.js';
import { cliReporter } from '../../../src/cli/reporter.js';
import { Redactor } from '../../../src/text/redact.js';
import { quietIo } from '../../helpers/cli.js';
import { HOSTILE, unsafeIn } from '../text/hostile.js';

describe('cliReporter with hostile text', () => {
  it.each(HOSTILE.map((h) => [JSON.stringify(h).slice(0, 30), h] as const))(
    'prints a warning on one line, escaped: %s',
    (_, text) => {
      let stderr = '';
      const ctx = makeCtx(
        quietIo((s) => {
          stderr += s;
        }),
        globalOptions({ color: false }),
        new Redactor(),
      );
      cliReporter(ctx).event({ type: 'warning', message: `found ${text} in the file` });
      expect(stderr.startsWith('warning: found ')).toBe(true);
      expect(unsafeIn(stderr)).toEqual([]);
      expect(stderr.split('\n')).toEqual([expect.stringContaining('in the file'), '']);
    },
  );
});
