/** The smallest GetRecords `Limit` the consumer shrinks to: one record per call still moves on. */
export const MIN_FETCH_LIMIT = 1;

/**
 * The `Limit` of one shard's GetRecords calls, adapted to how fast the endpoint answers, so a
 * shard whose full-size answers take longer than `stream.kinesis.fetch.timeout.millis` (10,000
 * records of 1 KB from a slow endpoint) still makes progress instead of timing out from the same
 * position forever.
 *
 * Policy (multiplicative both ways, like TCP's window after a loss):
 * - it starts at `maxRecordsToFetch`, the configured ceiling;
 * - a call that times out halves it (rounded down), never below {@link MIN_FETCH_LIMIT};
 * - a call that came back full (as many records as it asked for, so the limit was what bounded
 *   it) within half of its time budget doubles it, up to the ceiling: the measured time says
 *   twice as many records fit;
 * - any other answer (a partial batch, or a full one that took more than half the budget) keeps it.
 *
 * A limit lowered by an outage (every call timing out) therefore grows back within a few full
 * batches once the shard has records to read again: from 1 to 10,000 in 14 calls.
 *
 * @example
 *   const limit = new AdaptiveFetchLimit(config.maxRecordsToFetch);
 *   // on a timeout:
 *   if (limit.timedOut()) note = `GetRecords Limit lowered to ${limit.value} records`;
 *   // on an answer:
 *   limit.answered(out.Records.length, elapsedMs, budgetMs);
 */
export class AdaptiveFetchLimit {
  private current: number;

  constructor(readonly ceiling: number) {
    if (!(Number.isSafeInteger(ceiling) && ceiling >= MIN_FETCH_LIMIT)) throw new RangeError(`fetch limit must be a positive integer (got ${ceiling})`);
    this.current = ceiling;
  }

  /** The `Limit` of the next GetRecords call. */
  get value(): number {
    return this.current;
  }

  /** A call ran out of time: halves the limit. Returns true when it changed (it was above the floor). */
  timedOut(): boolean {
    const next = Math.max(MIN_FETCH_LIMIT, Math.floor(this.current / 2));
    const changed = next !== this.current;
    this.current = next;
    return changed;
  }

  /** A call answered with `records` Kinesis records after `elapsedMs` of its `budgetMs`. */
  answered(records: number, elapsedMs: number, budgetMs: number): void {
    if (records >= this.current && elapsedMs * 2 < budgetMs) this.current = Math.min(this.ceiling, this.current * 2);
  }
}
