/** What `abortable` resolves to when the signal aborts first. */
export const ABORTED = Symbol('aborted');

/**
 * Races `promise` against `signal`: resolves to `ABORTED` as soon as the signal aborts (the
 * promise keeps running; its outcome is then ignored), else settles as the promise does.
 *
 * @example
 *   const batch = await abortable(consumer.fetchMessages(after, timeoutMs), signal);
 *   if (batch === ABORTED) return;
 */
export function abortable<T>(promise: Promise<T>, signal: AbortSignal): Promise<T | typeof ABORTED> {
  if (signal.aborted) return Promise.resolve(ABORTED);
  return new Promise((resolve, reject) => {
    const onAbort = (): void => resolve(ABORTED);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (err: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(err);
      },
    );
  });
}
