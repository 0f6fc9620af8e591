/**
 * A shard that left the stream's listing (expired past retention) before this table read it to its
 * end (no end-of-shard segment): its unread records are lost. Reported, never silently skipped.
 */
export interface DataLossEntry {
  readonly shardId: string;
  readonly partitionId: number | null;
  /** The last sequence number this table has of the shard (indexed or sealed), or `never read`. */
  readonly lastSequenceNumber: string;
  /** Epoch millis when discovery noticed the shard was gone. */
  readonly detectedAtMs: number;
  readonly reason: string;
}

/** Table-level ingestion status (`consumingSegmentsInfo` → `shardtableTable`). */
export interface TableIngestionStatus {
  readonly dataLoss: readonly DataLossEntry[];
  readonly discovery: {
    /** `stream.kinesis.shard.discovery.interval.ms`. */
    readonly intervalMs: number;
    /** Epoch millis of the last successful listing; null before the first. */
    readonly lastListedAtMs: number | null;
    readonly shardsListed: number;
    readonly runs: number;
    readonly lastError: string | null;
  };
  /** GetRecords calls of this table in flight, against `stream.kinesis.max.concurrent.fetches`. */
  readonly fetchConcurrency: { readonly limit: number; readonly inFlight: number; readonly maxInFlight: number; readonly waiting: number } | null;
}
