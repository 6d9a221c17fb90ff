// The one error family of envsync, by job: the codes (errors/codes.ts), the classes (errors/error.ts) and the
// system-call errors (errors/fs.ts). Which exit code an error means is the CLI's to decide (cli/render-errors.ts).

export * from './errors/codes.js';
export * from './errors/error.js';
export * from './errors/fs.js';
