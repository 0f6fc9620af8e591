import type { MessageBatch, StreamMessage } from '../../../spi/message-batch.js';
import type { StreamOffset } from '../../../spi/offset.js';
import { PermanentStreamError, TransientStreamError } from '../../../spi/partition-consumer.js';
import type { PartitionConsumer } from '../../../spi/partition-consumer.js';
import { itemSize, wireItem } from './dynamodb-attributes.js';
import type { DynamoDbConfig } from './dynamodb-config.js';
import { toStreamError } from './dynamodb-errors.js';
import { readDataFile } from './dynamodb-export.js';
import type { ExportManifest, GetObject } from './dynamodb-export.js';
import { ExportOffset } from './dynamodb-offset.js';
import { itemMessage } from './dynamodb-records.js';
import type { SourceTable } from './dynamodb-source.js';

export interface ExportConsumerOptions {
  readonly get: GetObject;
  readonly config: DynamoDbConfig;
  /** This snapshot partition's number: it reads data files `segment`, `segment + segments`, ... */
  readonly segment: number;
  readonly manifest: () => Promise<ExportManifest>;
  readonly source: () => Promise<SourceTable>;
  readonly now?: () => number;
}

/**
 * Reads one snapshot partition of an export load: the export's data files dealt round-robin over
 * the `stream.dynamodb.scan.segments` partitions, each file read whole (gunzip), one item a line
 * (`{"Item":{...}}`, DynamoDB JSON). Each item's offset is its ordinal, the partition's bytes so
 * far, the file and the lines read (`ExportOffset`), so a restart resumes after the last sealed
 * item, reading its file again and skipping the lines already sealed. The partition's end is
 * `endOfPartition`. A data file that is missing or fails to read is retried (transient); a line
 * that is not an item stops the partition, naming the file and the line.
 */
export class DynamoDbExportConsumer implements PartitionConsumer {
  private files: readonly string[] | undefined;
  private file = 0;
  private lines: string[] | undefined;
  private line = 0;
  private ordinal = 0;
  private bytes = 0;
  private cursorAfter: string | null | undefined = undefined;
  private readonly now: () => number;

  constructor(private readonly o: ExportConsumerOptions) {
    this.now = o.now ?? Date.now;
  }

  async fetchMessages(after: StreamOffset | null, timeoutMs: number): Promise<MessageBatch> {
    const afterText = after === null ? null : after.toString();
    if (afterText !== this.cursorAfter) this.reposition(after as ExportOffset | null);
    const source = await this.o.source();
    if (this.files === undefined) {
      const { dataKeys } = await this.o.manifest();
      const segments = this.o.config.scanSegments;
      this.files = dataKeys.filter((_, j) => j % segments === this.o.segment);
    }
    const messages: StreamMessage[] = [];
    const arrivalTimeMs = this.now();
    while (this.file < this.files.length && messages.length === 0) {
      this.lines ??= await this.load(this.files[this.file]!, timeoutMs);
      const end = Math.min(this.lines.length, this.line + this.o.config.maxRecords);
      for (; this.line < end; ) {
        const text = this.lines[this.line]!;
        this.line++;
        const item = this.parse(text);
        this.ordinal++;
        this.bytes += itemSize(item);
        messages.push(itemMessage(item, source, { deleted: false, offset: new ExportOffset(this.ordinal, this.bytes, this.file, this.line), arrivalTimeMs }));
      }
      if (this.line >= this.lines.length) {
        this.file++;
        this.line = 0;
        this.lines = undefined;
      }
    }
    if (messages.length > 0) this.cursorAfter = messages[messages.length - 1]!.offset.toString();
    const done = this.file >= this.files.length;
    return { messages, endOfPartition: done, millisBehindLatest: done ? 0 : 1 };
  }

  private reposition(offset: ExportOffset | null): void {
    this.ordinal = offset?.ordinal ?? 0;
    this.bytes = offset?.bytes ?? 0;
    this.file = offset?.file ?? 0;
    this.line = offset?.line ?? 0;
    this.lines = undefined;
    this.cursorAfter = offset === null ? null : offset.toString();
  }

  private async load(key: string, timeoutMs: number): Promise<string[]> {
    const { bucket } = this.o.config.export!;
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), Math.max(30_000, timeoutMs));
    try {
      return await readDataFile(this.o.get, bucket, key, controller.signal);
    } catch (err) {
      if (controller.signal.aborted) throw new TransientStreamError(`reading export data file s3://${bucket}/${key} took longer than ${Math.max(30_000, timeoutMs)} ms`);
      const e = toStreamError(err, 'GetObject', `export data file s3://${bucket}/${key}`);
      // A file the manifest names but S3 does not have will not appear: stop, naming it.
      throw e instanceof PermanentStreamError || /NoSuchKey/.test(e.message) ? new PermanentStreamError(e.message, { cause: err }) : e;
    } finally {
      clearTimeout(timer);
    }
  }

  private parse(text: string): ReturnType<typeof wireItem> {
    const where = `export data file s3://${this.o.config.export!.bucket}/${this.files![this.file]!} line ${this.line}`;
    try {
      const record = JSON.parse(text) as { Item?: unknown };
      return wireItem(record.Item, 'Item');
    } catch (err) {
      throw new PermanentStreamError(`${where} is not an item of a DYNAMODB_JSON export: ${(err as Error).message}`);
    }
  }

  async close(): Promise<void> {
    this.lines = undefined;
  }
}
