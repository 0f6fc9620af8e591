/**
 * Which segment this is: its table, its LLC name, and the stream partition and shard whose
 * records it holds. Fixed when the consuming segment is created, passed whole to the seal, and
 * written into the sealed file's footer as top-level fields (`SegmentFooter` extends this type).
 *
 * Not part of it: the LLC sequence number, which the name carries (`parseLlcSegmentName`), and
 * the offsets the segment covers, which grow while it consumes and are taken from its snapshot
 * at seal time.
 *
 * @example
 *   const identity: SegmentIdentity = {
 *     tableName: 'events',
 *     segmentName: llcSegmentName('events', 0, 3, Date.now()),
 *     partitionId: 0,
 *     shardId: 'shardId-000000000000',
 *   };
 *   new ConsumingSegment({ identity, schema, indexing });
 */
export interface SegmentIdentity {
  readonly tableName: string;
  /** Pinot LLC name, `<table>__<partitionId>__<sequence>__<yyyyMMddTHHmmZ>` (`llcSegmentName`). */
  readonly segmentName: string;
  /** The table's number for the stream partition (shard) the segment consumes. */
  readonly partitionId: number;
  /** The stream's own id of that partition (Kinesis: `shardId-000000000000`). */
  readonly shardId: string;
}
