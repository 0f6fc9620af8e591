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

/**
 * Whether the table reaches its stream at all (`consumingSegmentsInfo` → `shardtableTable.ingestion`):
 * - `CONNECTING`: the first listing of the stream's partitions is in flight;
 * - `RUNNING`: the stream was listed and every ready partition has its reader (each partition's
 *   own `state` says how its reads go);
 * - `DOWN`: the stream could not be listed since the runtime started (unreachable, hanging,
 *   deleted): nothing is read, the sealed segments are served, and the listing is retried with
 *   backoff until it answers;
 * - `STOPPED`: the runtime stopped.
 */
export type IngestionState = 'CONNECTING' | 'RUNNING' | 'DOWN' | 'STOPPED';

export interface IngestionHealth {
  readonly state: IngestionState;
  /** Epoch millis when the state last changed. */
  readonly sinceMs: number;
  /** Why the stream could not be listed (the last failure while `DOWN`); null otherwise. */
  readonly lastError: string | null;
  /** Failed listings since the state was last `RUNNING`. */
  readonly failedAttempts: number;
  /** Epoch millis of the next listing attempt while `DOWN`; null otherwise. */
  readonly nextAttemptAtMs: number | null;
}

/** Table-level ingestion status (`consumingSegmentsInfo` → `shardtableTable`). */
export interface TableIngestionStatus {
  /** Whether the stream is reached at all; `DOWN` while the table serves only its sealed segments. */
  readonly ingestion: IngestionHealth;
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
