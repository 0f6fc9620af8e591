/**
 * Runs work one at a time per key, in call order; work under different keys runs concurrently.
 * The table manager keys it by table name, so a table whose stream is slow to answer holds up only
 * the other mutations of that same table.
 *
 * @example
 *   const queue = new KeyedQueue();
 *   await queue.run('events', () => launch(entry)); // a second run('events', ...) waits for it
 */
export class KeyedQueue {
  private readonly tails = new Map<string, Promise<unknown>>();

  run<T>(key: string, work: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    const result = previous.then(work);
    const tail = result.catch(() => undefined);
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return result;
  }

  /** Resolves once every piece of work queued so far, under every key, has settled. */
  async idle(): Promise<void> {
    await Promise.all([...this.tails.values()]);
  }
}
