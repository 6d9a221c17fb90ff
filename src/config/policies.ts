// Policies from envsync.yaml checked against each environment file, at the line that breaks them.

import { packageName } from '../domain/package-spec.js';
import { normalizeHost } from '../hash/host.js';
import {
  type Diagnostic,
  type EnvironmentFile,
  PACKAGE_MANAGERS,
  type Policy,
  type PolicyRule,
  type SourceLocation,
} from '../model.js';
import { errorAt } from './diagnostic.js';
import { isPinned, pinHint } from './packages.js';
import type { ParsedDocument, PathSegment } from './parse.js';
import { dottedPath } from './schema-check.js';
import { quote } from './text.js';

/** How a rule reads in messages: `packages: pinned`, `allowed_hosts`. */
export function ruleLabel(rule: PolicyRule): string {
  switch (rule.rule) {
    case 'networking':
    case 'packages':
      return `${rule.rule}: ${rule.value}`;
    case 'allow_mcp_servers':
    case 'allow_package_managers':
      return `${rule.rule}: false`;
    case 'max_environments':
      return `max_environments: ${rule.value}`;
    default:
      return rule.rule;
  }
}

function where(p: Policy): string {
  const at = `${p.setAt.file}:${p.setAt.line}:${p.setAt.column}`;
  return p.scope === 'project' ? at : `${at}, workspace ${p.scope}`;
}

/** `*` stands for any run of characters but `/`; everything else is literal. */
function hostPattern(pattern: string): RegExp {
  const body = normalizeHost(pattern)
    .split('*')
    .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
    .join('[^/]*');
  return new RegExp(`^${body}$`);
}

/** Whether a host entry matches a pattern; a pattern without a scheme also matches an origin's host. */
export function hostAllowed(host: string, patterns: readonly string[]): boolean {
  const h = normalizeHost(host);
  const bare = h.replace(/^https:\/\//, '');
  return patterns.some((p) => {
    const re = hostPattern(p);
    return re.test(h) || (!/^https:\/\//.test(normalizeHost(p)) && re.test(bare));
  });
}

/** Every policy violation in one schema-valid document, each at the line that breaks it. */
export function checkPolicies(
  file: string,
  doc: ParsedDocument,
  env: EnvironmentFile,
  policies: readonly Policy[],
): Diagnostic[] {
  const out: Diagnostic[] = [];
  const add = (policy: Policy, path: PathSegment[], message: string, hint: string) => {
    const { line, column, file: at = file, path: written = path } = doc.locate(path, 'value');
    out.push({
      severity: 'error',
      file: at,
      line,
      column,
      path: dottedPath(written),
      message: `violates policy "${ruleLabel(policy)}" (set at ${where(policy)}): ${message}`,
      hint,
    });
  };
  const config = env.config;
  const networking = config?.networking;
  const packages = config?.packages ?? {};
  for (const policy of policies) {
    switch (policy.rule) {
      case 'networking':
        if (networking?.type !== 'limited' && config?.type !== 'self_hosted') {
          const path = networking ? ['config', 'networking', 'type'] : config ? ['config'] : ['name'];
          add(
            policy,
            path,
            'networking is unrestricted',
            'set config.networking.type: limited with allowed_hosts',
          );
        }
        break;
      case 'packages':
        for (const manager of PACKAGE_MANAGERS) {
          (packages[manager] ?? []).forEach((spec, i) => {
            if (!isPinned(manager, spec))
              add(
                policy,
                ['config', 'packages', manager, i],
                `${quote(spec)} is not pinned`,
                pinHint(manager, spec),
              );
          });
        }
        break;
      case 'allow_mcp_servers':
      case 'allow_package_managers':
        if (networking?.type === 'limited' && networking[policy.rule] === true)
          add(
            policy,
            ['config', 'networking', policy.rule],
            `${policy.rule} is true`,
            `set it to false or remove it`,
          );
        break;
      case 'allowed_hosts':
        if (networking?.type === 'limited') {
          (networking.allowed_hosts ?? []).forEach((host, i) => {
            if (!hostAllowed(host, policy.value)) {
              add(
                policy,
                ['config', 'networking', 'allowed_hosts', i],
                `${quote(host)} matches none of ${policy.value.map((p) => quote(p)).join(', ')}`,
                'remove the host, or ask for it to be added to the policy',
              );
            }
          });
        }
        break;
      case 'forbidden_packages':
        for (const manager of PACKAGE_MANAGERS) {
          const banned = new Set((policy.value[manager] ?? []).map((n) => packageName(manager, n)));
          (packages[manager] ?? []).forEach((spec, i) => {
            if (banned.has(packageName(manager, spec)))
              add(
                policy,
                ['config', 'packages', manager, i],
                `${quote(spec)} is a forbidden ${manager} package`,
                'remove it',
              );
          });
        }
        break;
      case 'required_metadata':
        for (const key of policy.value) {
          if (env.metadata?.[key] === undefined || env.metadata[key] === '') {
            add(
              policy,
              env.metadata ? ['metadata'] : ['name'],
              `metadata ${quote(key)} is missing`,
              `add metadata.${key}`,
            );
          }
        }
        break;
      case 'max_environments':
        break; // Counted over the whole workspace, by checkEnvironmentCount.
    }
  }
  return out;
}

/** max_environments: one error at the first environment past the limit, naming how many there are. */
export function checkEnvironmentCount(
  names: ReadonlyArray<{ name: string; source: SourceLocation }>,
  policies: readonly Policy[],
): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const policy of policies) {
    if (policy.rule !== 'max_environments' || names.length <= policy.value) continue;
    const first = names[policy.value];
    if (!first) continue;
    out.push(
      errorAt(
        first.source,
        'name',
        `violates policy "${ruleLabel(policy)}" (set at ${where(policy)}): ${names.length} environments, ${names.length - policy.value} over the limit; this is the first past it`,
        'remove environments, or raise max_environments in envsync.yaml',
      ),
    );
  }
  return out;
}
