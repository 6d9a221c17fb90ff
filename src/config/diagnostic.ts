// One way to make an error diagnostic at a place in a file.

import type { Diagnostic, SourceLocation } from '../model.js';

export function errorAt(place: SourceLocation, path: string, message: string, hint?: string): Diagnostic {
  return {
    severity: 'error',
    file: place.file,
    line: place.line,
    column: place.column,
    path,
    message,
    ...(hint ? { hint } : {}),
  };
}
