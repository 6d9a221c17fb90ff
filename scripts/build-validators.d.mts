// Types for scripts/build-validators.mjs, so tests can check the generated validators against the schemas.
export const SCHEMAS: string[];
export function generatedPath(name: string): string;
export function ajvOptions(): Record<string, unknown>;
export function generate(name: string): string;
