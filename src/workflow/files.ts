// The environment files as the CLI asks for them: loaded and checked (every problem at once), or one file
// with its bases merged in.

export { expiredEntries } from '../config/gate-policies.js';
export { hasErrors, loadDesired } from '../config/load.js';
export { mergedEnvironments } from '../config/merged-file.js';
