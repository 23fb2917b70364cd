// One file's analysis failing must not cost the others theirs. Wherever files are analysed one by
// one (the index, the facts workers, the lint engine), a throw becomes this one diagnostic on that
// file, and the loop goes on. The walks themselves are bounded (MAX_NESTING in module-facts.ts);
// this is the net under whatever is still missed, so that a user reports a diagnostic, not a crash.

/** The diagnostic code of a file whose analysis threw. */
export const ANALYSIS_FAILED = 'analysis-failed';

/** The reason as a user reads it: the error's message, without a stack. */
export function failureReason(error: unknown): string {
  if (error instanceof RangeError && /call stack/i.test(error.message)) return 'the code nests too deeply for the analysis (stack exhausted)';
  const message = error instanceof Error ? error.message : String(error);
  return message.length > 300 ? `${message.slice(0, 300)}…` : message;
}

/** The message of the analysis-failed diagnostic. */
export function analysisFailedMessage(reason: string): string {
  return `Not analysed: the analysis failed on this file (${reason}). Other files are not affected; please report this with the file.`;
}

/** Runs `analyse`; a throw comes back as its reason. */
export function isolated<T>(analyse: () => T): { value: T } | { failed: string } {
  try {
    return { value: analyse() };
  } catch (error) {
    return { failed: failureReason(error) };
  }
}
