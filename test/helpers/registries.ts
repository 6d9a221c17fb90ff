// Local package registries for tests: the fixture folder served over HTTP on 127.0.0.1, and the registries:
// block of envsync.yaml that names them.

import path from 'node:path';
import {
  osvUrl,
  type RegistryServerOptions,
  type RunningRegistries,
  registryUrls,
  startRegistries,
} from '../../src/emulator/registries.js';
import { ROOT } from './cli.js';

export const REGISTRY_FIXTURES = path.join(ROOT, 'test/fixtures/registries');

export type Manager = keyof ReturnType<typeof registryUrls>;

export function startFixtureRegistries(o: Partial<RegistryServerOptions> = {}): Promise<RunningRegistries> {
  return startRegistries({ root: REGISTRY_FIXTURES, ...o });
}

/** `registries:` for envsync.yaml, indented by `indent`, naming each manager's registry on this server. */
export function registriesBlock(
  url: string,
  managers: readonly Manager[] = ['pip', 'npm', 'cargo', 'gem', 'go', 'apt'],
  indent = '',
): string {
  const urls = registryUrls(url);
  return `${indent}registries:\n${managers.map((m) => `${indent}  ${m}: ${urls[m]}\n`).join('')}`;
}

/** `registries:` naming each manager's registry and the OSV API on this server. */
export function registriesWithOsv(
  url: string,
  managers: readonly Manager[] = ['pip', 'npm'],
  indent = '',
): string {
  return `${registriesBlock(url, managers, indent)}${indent}  osv: ${osvUrl(url)}\n`;
}
