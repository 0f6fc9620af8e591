import { BatchWriteItemCommand, DeleteItemCommand, PutItemCommand, ScanCommand, UpdateTableCommand } from '@aws-sdk/client-dynamodb';
import type { AttributeValue, DynamoDBClient } from '@aws-sdk/client-dynamodb';

/** The schema every DynamoDB integration test uses: the item's attributes plus `_id` and `_deleted`. */
export const ITEMS_SCHEMA = {
  schemaName: 'items',
  dimensionFieldSpecs: [
    { name: '_id', dataType: 'STRING' },
    { name: 'pk', dataType: 'STRING' },
    { name: 'tags', dataType: 'STRING', singleValueField: false },
    { name: 'flag', dataType: 'BOOLEAN' },
    { name: 'doc', dataType: 'JSON' },
    { name: '_deleted', dataType: 'BOOLEAN' },
  ],
  metricFieldSpecs: [
    { name: 'n', dataType: 'LONG' },
    { name: 'price', dataType: 'DOUBLE' },
  ],
  primaryKeyColumns: ['_id'],
};

/** A DynamoDB-fed table config over `ITEMS_SCHEMA`. */
export function itemsTableConfig(dynamoTable: string, extra: Record<string, string> = {}, name = 'items'): Record<string, unknown> {
  return {
    tableName: name,
    tableType: 'REALTIME',
    segmentsConfig: { schemaName: 'items' },
    tableIndexConfig: {
      nullHandlingEnabled: true,
      streamConfigs: {
        streamType: 'dynamodb',
        'stream.dynamodb.table.name': dynamoTable,
        'stream.dynamodb.region': 'us-east-1',
        'stream.dynamodb.scan.segments': '3',
        'stream.dynamodb.poll.interval.millis': '100',
        'stream.dynamodb.shard.discovery.interval.ms': '1000',
        'realtime.segment.flush.threshold.rows': '173',
        'realtime.segment.flush.threshold.time': '1500ms',
        ...extra,
      },
    },
    upsertConfig: { mode: 'FULL', deleteRecordColumn: '_deleted' },
  };
}

/** Item number `i` at version `v`: every attribute type the schema maps. */
export function item(key: string, i: number, v: number): Record<string, AttributeValue> {
  return {
    pk: { S: key },
    n: { N: String(i * 1000 + v) },
    price: { N: `${i}.${v % 100}` },
    ...(i % 3 === 0 ? { tags: { SS: [`t${i % 7}`, `v${v}`] } } : {}),
    flag: { BOOL: i % 2 === 0 },
    ...(i % 5 === 0 ? { doc: { M: { a: { N: String(i) }, b: { L: [{ S: 'x' }, { NULL: true }] } } } } : {}),
  };
}

export async function seedItems(client: DynamoDBClient, table: string, count: number): Promise<void> {
  for (let start = 0; start < count; start += 25) {
    const requests = [];
    for (let i = start; i < Math.min(count, start + 25); i++) requests.push({ PutRequest: { Item: item(`seed-${i}`, i, 0) } });
    await client.send(new BatchWriteItemCommand({ RequestItems: { [table]: requests } }));
  }
}

export async function enableStream(client: DynamoDBClient, table: string): Promise<void> {
  await client.send(new UpdateTableCommand({ TableName: table, StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' } }));
}

/**
 * A writer that keeps putting new items, rewriting seeded ones and deleting items it created
 * (and seeded ones too with `deleteSeeded`).
 */
export class ItemWriter {
  private stopped = false;
  private running: Promise<void> | undefined;
  writes = 0;
  private created: string[] = [];

  constructor(private readonly client: DynamoDBClient, private readonly table: string, private readonly seeded: number, private readonly deleteSeeded = false) {}

  start(): void {
    this.running = this.loop();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.running;
  }

  private async loop(): Promise<void> {
    let v = 1;
    while (!this.stopped) {
      const r = (v * 7919) % 100;
      if (r < 40) {
        const key = `new-${v}`;
        await this.client.send(new PutItemCommand({ TableName: this.table, Item: item(key, v, v) }));
        this.created.push(key);
      } else if (r < 80) {
        const i = (v * 104729) % this.seeded;
        // A whole new version of a seeded item (a MODIFY; an INSERT again if it was deleted).
        await this.client.send(new PutItemCommand({ TableName: this.table, Item: item(`seed-${i}`, i, v) }));
      } else if (this.deleteSeeded && r < 90) {
        await this.client.send(new DeleteItemCommand({ TableName: this.table, Key: { pk: { S: `seed-${(v * 31) % this.seeded}` } } }));
      } else if (this.created.length > 0) {
        const key = this.created.splice((v * 13) % this.created.length, 1)[0]!;
        await this.client.send(new DeleteItemCommand({ TableName: this.table, Key: { pk: { S: key } } }));
      }
      this.writes++;
      v++;
      // About 200 writes a second: a steady load, not a flood the 2-core test machine drowns in.
      if (v % 4 === 0) await new Promise((r) => setTimeout(r, 20));
    }
  }
}

/** Every item of the table by a strongly consistent scan, as the rows the table should answer. */
export async function expectedRows(client: DynamoDBClient, table: string): Promise<unknown[][]> {
  const rows: unknown[][] = [];
  let start: Record<string, AttributeValue> | undefined;
  do {
    const page = await client.send(new ScanCommand({ TableName: table, ConsistentRead: true, ...(start ? { ExclusiveStartKey: start } : {}) }));
    for (const it of page.Items ?? []) {
      rows.push([it.pk!.S, it.pk!.S, Number(it.n!.N), Number(it.price!.N), it.flag!.BOOL, it.tags?.SS ? [...it.tags.SS].sort() : null, it.doc ? JSON.parse(docJson(it.doc)) : null]);
    }
    start = page.LastEvaluatedKey;
  } while (start !== undefined);
  return rows.sort((a, b) => ((a[0] as string) < (b[0] as string) ? -1 : 1));
}

function docJson(value: AttributeValue): string {
  if (value.M) return `{${Object.entries(value.M).map(([k, v]) => `${JSON.stringify(k)}:${docJson(v)}`).join(',')}}`;
  if (value.L) return `[${value.L.map(docJson).join(',')}]`;
  if (value.N !== undefined) return value.N;
  if (value.S !== undefined) return JSON.stringify(value.S);
  return 'null';
}

/** The table's live rows in the same shape as {@link expectedRows}. */
export const ROWS_SQL = 'SELECT _id, pk, n, price, flag, tags, doc FROM items ORDER BY _id LIMIT 100000';

export function normaliseRows(rows: unknown[][]): unknown[][] {
  return rows.map((r) => [r[0], r[1], Number(r[2]), Number(r[3]), r[4] === true || r[4] === 1 || r[4] === 'true', normaliseTags(r[5]), r[6] === null || r[6] === 'null' || r[6] === '' ? null : JSON.parse(r[6] as string)]);
}

function normaliseTags(tags: unknown): unknown {
  if (!Array.isArray(tags)) return null;
  const real = tags.filter((t) => t !== 'null');
  return real.length === 0 ? null : [...real].sort();
}
