// `envsync audit-packages`: every locked version against OSV's known vulnerabilities, judged by the policies.

import type { PackageFinding } from '../model.js';
import { findingLine, verdictText } from '../plan/render-findings.js';
import { escapeText } from '../text/escape.js';
import { auditPackages } from '../workflow/gate.js';
import { type Ctx, plural } from './context.js';
import { defineCommand, type OptionsOf, type Subject } from './define.js';
import { formatOption } from './options.js';
import { registryRun } from './registries.js';
import { formatDiagnostics } from './render-errors.js';
import { workspacesOf } from './shared.js';

function line(ctx: Ctx, f: PackageFinding): string {
  const mark =
    f.verdict === 'ignored'
      ? ctx.out.dim('·')
      : f.verdict === 'block'
        ? ctx.out.red('⚠')
        : ctx.out.yellow('⚠');
  const where = `${f.manager}${f.section === null ? '' : `, workspace ${f.section}`}; in ${f.environments.join(', ')}`;
  return `  ${mark} ${escapeText(findingLine(f))}  ${ctx.out.dim(escapeText(`(${where}) [${verdictText(f)}]`))}`;
}

async function runAudit(ctx: Ctx, opts: AuditOptions): Promise<number> {
  const projects = workspacesOf(ctx);
  const report = await auditPackages({ ...registryRun(ctx, opts.offline === true), projects });
  const blocked = report.findings.some((f) => f.verdict === 'block');
  if (opts.format === 'json') {
    ctx.io.stdout.write(`${JSON.stringify({ format_version: 1, ...report }, null, 2)}\n`);
    return blocked ? 3 : 0;
  }
  if (report.warnings.length > 0) ctx.io.stderr.write(`${formatDiagnostics(report.warnings, ctx.err)}\n\n`);
  const open = report.findings.filter((f) => f.verdict !== 'ignored').length;
  const head =
    report.findings.length === 0
      ? ctx.out.green(`No known vulnerabilities in ${plural(report.versions, 'locked version')}.`)
      : `${`${open} known ${open === 1 ? 'vulnerability' : 'vulnerabilities'}`} in ${plural(report.versions, 'locked version')}${report.findings.length > open ? ` (${report.findings.length - open} ignored)` : ''}:`;
  ctx.io.stdout.write(`${[head, ...report.findings.map((f) => line(ctx, f))].join('\n')}\n`);
  if (!ctx.global.quiet)
    ctx.io.stderr.write(
      `${ctx.err.dim(`(${plural(report.requests, 'OSV request')}, ${report.fromCache} answered from the cache)`)}\n`,
    );
  return blocked ? 3 : 0;
}

function declare(c: Subject) {
  return c
    .option('--offline', 'use only the OSV cache; never the network')
    .addOption(formatOption(['text', 'json'], 'text'));
}
type AuditOptions = OptionsOf<typeof declare>;

export default defineCommand({
  name: 'audit-packages',
  description: 'list the known vulnerabilities (OSV) of every version envsync.lock holds',
  needs: ['registries'],
  examples: [
    'envsync audit-packages                    # every workspace',
    'envsync audit-packages --format json      # IDs, severities, fixed versions, verdicts',
  ],
  exitCodes:
    '0 no finding the policies block, 1 error (an expired ignore, an OSV failure), 3 a finding policies.vulnerabilities blocks',
  declare,
  handler: runAudit,
});
