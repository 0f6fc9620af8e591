import { ScanCommand } from '@aws-sdk/client-dynamodb';
import type { ScanCommandInput, ScanCommandOutput } from '@aws-sdk/client-dynamodb';
import type { MessageBatch, StreamMessage } from '../../../spi/message-batch.js';
import type { StreamOffset } from '../../../spi/offset.js';
import { TransientStreamError } from '../../../spi/partition-consumer.js';
import type { PartitionConsumer } from '../../../spi/partition-consumer.js';
import { itemSize } from './dynamodb-attributes.js';
import type { Item } from './dynamodb-attributes.js';
import type { CapacityBudget } from './dynamodb-capacity-budget.js';
import { BYTES_PER_RCU, pageEstimate, pageItemLimit } from './dynamodb-capacity-budget.js';
import type { DynamoDbConfig } from './dynamodb-config.js';
import { toStreamError } from './dynamodb-errors.js';
import { ScanOffset } from './dynamodb-offset.js';
import { itemMessage, keyOf } from './dynamodb-records.js';
import type { SourceTable } from './dynamodb-source.js';

/** The one DynamoDB call a scan segment makes (the SDK client's `send`, or a test's double). */
export type ScanCall = (input: ScanCommandInput, signal?: AbortSignal) => Promise<Pick<ScanCommandOutput, 'Items' | 'LastEvaluatedKey' | 'ConsumedCapacity'>>;

export function sdkScanCall(client: { send(command: ScanCommand, options?: { abortSignal?: AbortSignal }): Promise<ScanCommandOutput> }): ScanCall {
  return (input, signal) => client.send(new ScanCommand(input), signal ? { abortSignal: signal } : {});
}

export interface ScanConsumerOptions {
  readonly scan: ScanCall;
  readonly config: DynamoDbConfig;
  readonly segment: number;
  readonly source: () => Promise<SourceTable>;
  /** The table's read-capacity budget, shared by every scan segment. */
  readonly budget: CapacityBudget;
  readonly now?: () => number;
}

/**
 * Reads one segment of the initial load's parallel scan (`Segment`/`TotalSegments`,
 * `ConsistentRead`) as a partition (`PartitionConsumer`): each item is a message whose offset is
 * its ordinal in the segment and its key, so a sealed segment checkpoints the scan and a restart
 * resumes with `ExclusiveStartKey` = the last sealed item's key (not from zero); the offset also
 * carries the segment's load counters, so progress continues from the checkpoint. Every page first
 * takes its estimated cost from the table's {@link CapacityBudget} and then settles what it cost
 * (`ConsumedCapacity`, or the items' size where that is larger). Throttling
 * (`ProvisionedThroughputExceededException`) is a throttled `TransientStreamError`: the loop backs
 * off and the same page is asked again. The segment's end is `endOfPartition`.
 */
export class DynamoDbScanConsumer implements PartitionConsumer {
  private buffer: { item: Item; size: number }[] = [];
  private nextStartKey: Item | undefined;
  private done = false;
  private ordinal = 0;
  /** The segment's counters up to the last item handed out (carried by its offset). */
  private bytes = 0;
  private units = 0;
  private cursorAfter: string | null | undefined = undefined;
  private readonly now: () => number;

  constructor(private readonly o: ScanConsumerOptions) {
    this.now = o.now ?? Date.now;
  }

  async fetchMessages(after: StreamOffset | null, timeoutMs: number): Promise<MessageBatch> {
    const afterText = after === null ? null : after.toString();
    if (afterText !== this.cursorAfter) this.reposition(after);
    const source = await this.o.source();
    if (this.buffer.length === 0 && !this.done) await this.readPage(timeoutMs);
    const take = this.buffer.splice(0, this.o.config.maxRecords);
    const messages: StreamMessage[] = [];
    const arrivalTimeMs = this.now();
    for (const { item, size } of take) {
      this.ordinal++;
      this.bytes += size;
      const offset = new ScanOffset(this.ordinal, keyOf(item, source.keyNames), this.bytes, this.units);
      messages.push(itemMessage(item, source, { deleted: false, offset, arrivalTimeMs }));
    }
    if (messages.length > 0) this.cursorAfter = messages[messages.length - 1]!.offset.toString();
    const end = this.done && this.buffer.length === 0;
    return { messages, endOfPartition: end, millisBehindLatest: end ? 0 : 1 };
  }

  private reposition(after: StreamOffset | null): void {
    const offset = after as ScanOffset | null;
    this.buffer = [];
    this.done = false;
    this.ordinal = offset?.ordinal ?? 0;
    this.bytes = offset?.bytes ?? 0;
    this.units = offset?.units ?? 0;
    this.nextStartKey = offset === null ? undefined : offset.key;
    this.cursorAfter = after === null ? null : after.toString();
  }

  private async readPage(timeoutMs: number): Promise<void> {
    const { config, budget, segment } = this.o;
    const share = Math.max(1, budget.capPerSecond / config.scanSegments);
    // Before any item was read its size is unknown: ask for one item, estimated at one unit.
    const largest = budget.largestItemBytes;
    const limit = largest === 0 ? 1 : pageItemLimit(share, largest, config.scanPageLimit);
    const grant = await budget.acquire(pageEstimate(limit, largest === 0 ? BYTES_PER_RCU : largest));
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), Math.max(1000, timeoutMs));
    let page;
    try {
      page = await this.o.scan(
        {
          TableName: config.tableName,
          Segment: segment,
          TotalSegments: config.scanSegments,
          ConsistentRead: true,
          Limit: limit,
          ReturnConsumedCapacity: 'TOTAL',
          ...(this.nextStartKey !== undefined ? { ExclusiveStartKey: this.nextStartKey as ScanCommandInput['ExclusiveStartKey'] } : {}),
        },
        controller.signal,
      );
    } catch (err) {
      grant.settle(grant.units);
      if (controller.signal.aborted) throw new TransientStreamError(`Scan of segment ${segment} of DynamoDB table ${config.tableName} got no answer within ${timeoutMs} ms`);
      throw toStreamError(err, `Scan (segment ${segment})`, `DynamoDB table ${config.tableName}`);
    } finally {
      clearTimeout(timer);
    }
    const items = ((page.Items ?? []) as Item[]).map((item) => ({ item, size: itemSize(item) }));
    let bytes = 0;
    for (const { size } of items) {
      bytes += size;
      budget.largestItemBytes = Math.max(budget.largestItemBytes, size);
    }
    const reported = page.ConsumedCapacity?.CapacityUnits ?? 0;
    const cost = Math.max(reported, items.length === 0 ? 1 : Math.ceil(bytes / BYTES_PER_RCU));
    grant.settle(cost);
    // The page's cost is carried by the offsets of its items (an empty page's by none).
    this.units += cost;
    this.buffer = items;
    this.nextStartKey = page.LastEvaluatedKey as Item | undefined;
    if (this.nextStartKey === undefined) this.done = true;
  }

  async close(): Promise<void> {
    this.buffer = [];
  }
}
