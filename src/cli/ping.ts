// `envsync ping`: a connection check before the first plan (as decK's ping): key, base URL, workspace, limits, what the key sees.

import { escapeText } from '../text/escape.js';
import { type PingReport, pingApi } from '../workflow/ping.js';
import { type Ctx, plural } from './context.js';
import { defineCommand, type OptionsOf, type Subject } from './define.js';
import { formatOption } from './options.js';
import { cliReporter } from './reporter.js';
import { projectFor, sayScope } from './shared.js';

function lines(ctx: Ctx, r: PingReport): string[] {
  const p = ctx.out;
  const ok = p.green('✓');
  const bad = p.red('✗');
  const out: string[] = [];
  out.push(
    r.key.present
      ? `${ok} API key     ${r.local ? 'not needed (local API)' : `${r.key.variable} is set (its value is never shown)`}`
      : `${bad} API key     ${r.key.variable} is not set`,
  );
  const urlFailed = r.failure !== null && ['invalid_base_url', 'insecure_base_url'].includes(r.failure.code);
  out.push(`${urlFailed ? bad : ok} base URL    ${escapeText(r.base_url)}`);
  out.push(
    `${ok} workspace   ${
      r.workspace.name === null
        ? 'none selected: the key’s own workspace'
        : `${escapeText(r.workspace.name)} (anthropic-workspace-id ${escapeText(r.workspace.id ?? 'none: the key’s own')})`
    }`,
  );
  out.push(
    `  rate limit  ${
      r.rate_limit
        ? `${r.rate_limit.writesPerMinute} writes, ${r.rate_limit.readsPerMinute} reads per minute (the Anthropic API’s documented limits; --rate-limit W,R on apply changes them)`
        : 'none (not the Anthropic API; a 429 still slows a run down)'
    }`,
  );
  const env = r.environments;
  if (env) {
    const others = Object.entries(r.environments?.other_projects ?? {}).map(
      ([owner, n]) => `${n} of ${escapeText(owner)}`,
    );
    out.push(`${ok} reachable   listed ${plural(env.total, 'environment')} (${env.archived} archived)`);
    out.push(
      `  can see     ${env.this_project} of this project${env.previews > 0 ? ` (and ${`${env.previews} preview ${env.previews === 1 ? 'copy' : 'copies'}`})` : ''}, ${[...others, `${env.unmanaged} unmanaged`].join(', ')}`,
    );
  }
  if (r.deployments && 'count' in r.deployments)
    out.push(`${ok} deployments ${plural(r.deployments.count, 'deployment')} listed`);
  else if (r.deployments)
    out.push(
      `${p.yellow('!')} deployments cannot list them (${escapeText(r.deployments.failure.message)}): plans that archive or recreate cannot check for deployments they would strand`,
    );
  if (r.failure) {
    out.push(`${bad} ${escapeText(r.failure.message)}`);
    if (r.failure.hint) out.push(`  ${p.cyan('hint')}: ${escapeText(r.failure.hint)}`);
  } else out.push(p.green('Ready: envsync can plan and apply here.'));
  return out;
}

async function runPing(ctx: Ctx, opts: PingOptions): Promise<number> {
  const project = projectFor(ctx, 'api');
  sayScope(ctx, project);
  const report = await pingApi({
    project,
    baseUrl: ctx.global.baseUrl,
    env: ctx.io.env,
    reporter: cliReporter(ctx),
  });
  if (opts.format === 'json') {
    const { rate_limit, ...rest } = report;
    const limit = rate_limit
      ? { writes_per_minute: rate_limit.writesPerMinute, reads_per_minute: rate_limit.readsPerMinute }
      : null;
    ctx.io.stdout.write(
      `${JSON.stringify({ format_version: 1, ok: report.failure === null, ...rest, rate_limit: limit }, null, 2)}\n`,
    );
  } else ctx.io.stdout.write(`${lines(ctx, report).join('\n')}\n`);
  return report.failure === null ? 0 : 1;
}

function declare(c: Subject) {
  return c.addOption(formatOption(['text', 'json'], 'text'));
}
type PingOptions = OptionsOf<typeof declare>;

export default defineCommand({
  name: 'ping',
  description:
    'check the connection before a first plan: the API key, base URL, workspace, rate limits, and what the key can see',
  needs: ['api'],
  examples: ['envsync ping', 'envsync ping --workspace production --format json'],
  exitCodes:
    '0 the API answered with this key, base URL and workspace; 1 a check failed (the output says which)',
  declare,
  handler: runPing,
});
