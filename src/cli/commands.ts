// Every command, in the order help lists them: each module holds one definition (define.ts) and is loaded
// only when its command runs, or for help. `--version` loads none; `validate` never loads the SDK.

import type { CommandDefinition } from './define.js';

export type LoadCommand = () => Promise<CommandDefinition>;

export const COMMANDS: Readonly<Record<string, LoadCommand>> = {
  init: async () => (await import('./init.js')).default,
  ping: async () => (await import('./ping.js')).default,
  validate: async () => (await import('./validate.js')).default,
  fmt: async () => (await import('./fmt.js')).default,
  plan: async () => (await import('./plan.js')).default,
  apply: async () => (await import('./apply.js')).default,
  lock: async () => (await import('./lock.js')).default,
  'audit-packages': async () => (await import('./audit-packages.js')).default,
  status: async () => (await import('./status.js')).default,
  forget: async () => (await import('./forget.js')).default,
  import: async () => (await import('./import.js')).default,
  preview: async () => (await import('./preview.js')).default,
  history: async () => (await import('./history.js')).default,
  show: async () => (await import('./show.js')).default,
  resolve: async () => (await import('./resolve.js')).default,
  sessions: async () => (await import('./sessions.js')).default,
  verify: async () => (await import('./verify.js')).default,
  export: async () => (await import('./export.js')).default,
  emulator: async () => (await import('./emulator.js')).default,
};
