// User mistakes are values, not exceptions: a location, a message, a hint. One formatter prints them.

export interface Diagnostic {
  severity: 'error' | 'warning';
  file: string;
  line: number; // 1-based; 0 when the problem has no place in a file
  col: number; // 1-based
  message: string;
  hint?: string;
}

/** Thrown at the edges (CLI, providers) to carry diagnostics up to the one place that prints them. */
export class UserError extends Error {
  constructor(readonly diagnostics: Diagnostic[]) {
    super(diagnostics.map((d) => d.message).join('; '));
    this.name = 'UserError';
  }

  static plain(message: string, hint?: string): UserError {
    return new UserError([{ severity: 'error', file: '', line: 0, col: 0, message, hint }]);
  }
}
