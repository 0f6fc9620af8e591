/** The message of a thrown value, for logs and status (`lastError`): an Error's message, else its string form. */
export function describeError(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
