import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { buildTableSchema, validateSchema, validateTableConfig } from '../../../src/config/index.js';
import { PartitionCounters } from '../../../src/ingest/partition-counters.js';
import type { PartitionView } from '../../../src/ingest/partition-counters.js';
import { RecordIndexer } from '../../../src/ingest/record-indexer.js';
import { ThrottledLog } from '../../../src/ingest/throttled-log.js';
import { silentLogger } from '../../../src/logger.js';
import { KinesisOffset } from '../../../src/plugins/stream/kinesis/kinesis-offset.js';
import { ConsumingSegment } from '../../../src/segment/index.js';
import type { StreamMessage } from '../../../src/spi/message-batch.js';
import { resolveTable } from '../../../src/table/table-resolution.js';

const schema = buildTableSchema(
  validateSchema({
    schemaName: 'events',
    dimensionFieldSpecs: [
      { name: 'id', dataType: 'LONG' },
      { name: 'flag', dataType: 'BOOLEAN' },
      { name: 'raw', dataType: 'DOUBLE' },
    ],
    metricFieldSpecs: [
      { name: 'n', dataType: 'INT' },
      { name: 'big', dataType: 'LONG' },
      { name: 'd', dataType: 'DOUBLE' },
      { name: 'f', dataType: 'FLOAT' },
    ],
  }),
);

const POLICIES = ['skip', 'deadLetter', 'fail'] as const;
type Policy = (typeof POLICIES)[number];

function tableConfig(policy: Policy, ingestionConfig: Record<string, unknown> = {}) {
  return validateTableConfig(
    {
      tableName: 'events',
      tableType: 'REALTIME',
      tableIndexConfig: {
        nullHandlingEnabled: true,
        streamConfigs: {
          streamType: 'kinesis',
          'stream.kinesis.topic.name': 'events',
          region: 'us-east-1',
          'stream.kinesis.decoder.errorPolicy': policy,
        },
      },
      ingestionConfig,
    },
    schema,
  );
}

const partition = { partitionId: 0, shardId: 'shardId-000000000000', parentShardIds: [], closed: false };
const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

async function setUp(policy: Policy, ingestionConfig: Record<string, unknown> = {}) {
  const tableDir = await mkdtemp(join(tmpdir(), 'shardtable-indexer-'));
  dirs.push(tableDir);
  const config = tableConfig(policy, ingestionConfig);
  const counters = new PartitionCounters();
  const indexer = new RecordIndexer({
    tableDir,
    schema,
    config,
    partition,
    pipeline: resolveTable(schema, config).pipelineFor(partition.shardId),
    counters,
    throttledLog: new ThrottledLog(),
    logger: silentLogger(),
    now: () => 1,
  });
  const segment = new ConsumingSegment({
    identity: { tableName: 'events', segmentName: 'events__0__0__20260101T0000Z', partitionId: 0, shardId: partition.shardId },
    schema,
    indexing: config.indexing,
  });
  const status = (): ReturnType<PartitionCounters['status']> => {
    const view: PartitionView = { partition, state: 'CONSUMING', segment, currentOffset: segment.lastOffset, startedFrom: 'TRIM_HORIZON', errorPolicy: policy };
    return counters.status(view);
  };
  return { indexer, segment, status, tableDir };
}

function message(seq: number, json: string): StreamMessage {
  const value = new TextEncoder().encode(json);
  return { key: 'k', value, offset: new KinesisOffset(String(seq)), arrivalTimeMs: 1000, serializedSize: value.length };
}

/** Each lossy case: the record, the column, what Pinot's conversion stores, and how the error names it. */
const LOSSY: [string, string, string, unknown, string][] = [
  ['a fraction into INT', '{"id":1,"n":1.5}', 'n', 1, 'field "n": lossy coercion of 1.5 to INT (fraction dropped: stored 1)'],
  ['a fraction into LONG', '{"id":1,"big":-7.25}', 'big', -7n, 'field "big": lossy coercion of -7.25 to LONG (fraction dropped: stored -7)'],
  ['a boolean into INT', '{"id":1,"n":true}', 'n', 1, 'field "n": lossy coercion of true to INT (a boolean: stored 1)'],
  ['a number other than 0/1 into BOOLEAN', '{"id":1,"flag":5}', 'flag', 1, 'field "flag": lossy coercion of 5 to BOOLEAN (neither 0 nor 1: stored true)'],
  ['"NaN" into DOUBLE', '{"id":1,"d":"NaN"}', 'd', null, 'field "d": lossy coercion of "NaN" to DOUBLE (not a number: stored null)'],
  ['1e400 into DOUBLE', '{"id":1,"d":1e400}', 'd', Infinity, 'field "d": lossy coercion of 1e400 to DOUBLE (beyond its range: stored Infinity)'],
  ['"1e39" into FLOAT', '{"id":1,"f":"1e39"}', 'f', Infinity, 'field "f": lossy coercion of "1e39" to FLOAT (beyond its range: stored Infinity)'],
];

function cell(segment: ConsumingSegment, column: string, doc: number): unknown {
  return segment.isNull(column, doc) ? null : segment.getValue(column, doc);
}

describe.each(LOSSY)('RecordIndexer: %s', (_what, json, column, storedValue, named) => {
  it.each(['skip', 'deadLetter'] as const)('%s: indexed as Pinot stores it, counted in recordsWithLossyCoercion, not dropped', async (policy) => {
    const { indexer, segment, status, tableDir } = await setUp(policy);
    expect(await indexer.index(message(10, json), segment)).toBeNull();
    expect(await indexer.index(message(20, '{"id":2,"n":2}'), segment)).toBeNull();
    expect(segment.numDocs).toBe(2);
    expect(cell(segment, column, 0)).toEqual(storedValue);
    expect(segment.lastOffset).toBe('20');
    expect(status()).toMatchObject({ recordsWithLossyCoercion: 1, recordsDropped: 0, recordsDeadLettered: 0 });
    await indexer.close();
    expect(await readdir(tableDir)).toEqual([]);
  });

  it('fail: a record error naming the field, the value and the column type; the record is not consumed', async () => {
    const { indexer, segment, status } = await setUp('fail');
    expect(await indexer.index(message(10, '{"id":0,"n":0}'), segment)).toBeNull();
    const stop = await indexer.index(message(20, json), segment);
    expect(stop).toContain(`record 20 of shard shardId-000000000000 failed: ${named}`);
    expect(stop).toContain('errorPolicy fail');
    expect(segment.numDocs).toBe(1);
    expect(segment.lastOffset).toBe('10');
    expect(status()).toMatchObject({ recordsWithLossyCoercion: 0, recordsDropped: 0 });
  });
});

describe('RecordIndexer: exact coercions are not counted under any policy', () => {
  it.each(POLICIES)('%s', async (policy) => {
    const { indexer, segment, status } = await setUp(policy);
    for (const [i, json] of ['{"id":1,"n":" 17 "}', '{"id":2,"d":"Infinity"}', '{"id":3,"flag":1,"n":1e3}', '{"id":4,"big":"5"}'].entries()) {
      expect(await indexer.index(message((i + 1) * 10, json), segment)).toBeNull();
    }
    expect(segment.numDocs).toBe(4);
    expect(status()).toMatchObject({ recordsWithLossyCoercion: 0, recordsDropped: 0 });
  });
});

describe('RecordIndexer: out-of-range integers stay record errors under every policy', () => {
  it.each(POLICIES)('%s', async (policy) => {
    const { indexer, segment, status } = await setUp(policy);
    const stop = await indexer.index(message(10, '{"id":1,"n":2147483648}'), segment);
    expect(segment.numDocs).toBe(0);
    if (policy === 'fail') expect(stop).toContain('field "n": 2147483648 is out of range for INT');
    else expect(status()).toMatchObject({ recordsDropped: 1, recordsWithLossyCoercion: 0 });
    await indexer.close();
  });
});

describe('RecordIndexer: a transformed value is coerced by the same rules', () => {
  const transforms = { transformConfigs: [{ columnName: 'n', transformFunction: 'raw * 1' }] };

  it.each(['skip', 'deadLetter'] as const)('%s: a transform result with a fraction into INT is truncated and counted', async (policy) => {
    const { indexer, segment, status } = await setUp(policy, transforms);
    expect(await indexer.index(message(10, '{"id":1,"raw":2.75}'), segment)).toBeNull();
    expect(cell(segment, 'n', 0)).toBe(2);
    expect(status()).toMatchObject({ recordsWithLossyCoercion: 1, recordsDropped: 0 });
    await indexer.close();
  });

  it('fail: the partition stops at it, naming the transformed column', async () => {
    const { indexer, segment } = await setUp('fail', transforms);
    const stop = await indexer.index(message(10, '{"id":1,"raw":2.75}'), segment);
    expect(stop).toContain('field "n": lossy coercion of 2.75 to INT (fraction dropped: stored 2)');
    expect(segment.numDocs).toBe(0);
  });
});
