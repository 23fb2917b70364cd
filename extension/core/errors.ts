/**
 * An error the user can act on: what went wrong and the command or change that fixes it.
 * The CLI prints both; the extension shows the message with the fix as detail.
 */
export class UserFacingError extends Error {
  constructor(
    message: string,
    readonly fix: string,
    readonly code: string = 'LUIGI_SPANNER_ERROR',
  ) {
    super(message);
    this.name = 'UserFacingError';
  }
}

export function describeError(error: unknown): { message: string; fix?: string } {
  // By shape, not instanceof: each CLI command is its own bundle with its own copy of the class.
  if (error instanceof Error && typeof (error as { fix?: unknown }).fix === 'string') return { message: error.message, fix: (error as UserFacingError).fix };
  if (error instanceof Error) return { message: error.message };
  return { message: String(error) };
}
