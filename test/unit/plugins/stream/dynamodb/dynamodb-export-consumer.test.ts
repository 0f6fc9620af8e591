import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { parseDynamoDbConfig } from '../../../../../src/plugins/stream/dynamodb/dynamodb-config.js';
import { DynamoDbExportConsumer } from '../../../../../src/plugins/stream/dynamodb/dynamodb-export-consumer.js';
import { readExportManifest } from '../../../../../src/plugins/stream/dynamodb/dynamodb-export.js';
import type { GetObject } from '../../../../../src/plugins/stream/dynamodb/dynamodb-export.js';
import { loadCounts } from '../../../../../src/plugins/stream/dynamodb/dynamodb-load-progress.js';
import { dynamoDbOffsetFactory, ExportOffset } from '../../../../../src/plugins/stream/dynamodb/dynamodb-offset.js';
import type { StreamOffset } from '../../../../../src/spi/offset.js';
import { PermanentStreamError } from '../../../../../src/spi/partition-consumer.js';

const config = parseDynamoDbConfig(
  {
    streamType: 'dynamodb',
    topicName: 'T',
    properties: { 'stream.dynamodb.table.name': 'Tbl', 'stream.dynamodb.initial.load': 'export', 'stream.dynamodb.export.s3.bucket': 'b', 'stream.dynamodb.export.s3.prefix': '/p/', 'stream.dynamodb.export.id': 'e1', 'stream.dynamodb.scan.segments': '2', 'stream.dynamodb.max.records': '4' },
    flush: { rows: 1, timeMs: 1, segmentSizeBytes: 0 },
    decoderName: 'json',
  },
  undefined,
  {},
);
const source = async () => ({ keyNames: ['pk'], idAttributeRename: undefined, deleteColumn: '_deleted', tableName: 'Tbl', streamArn: 'arn:aws:dynamodb:us-east-1:1:table/Tbl/stream/2026-01-01T00:00:00.000', viewType: 'NEW_IMAGE', itemCount: 0, createdAtMs: 0 });

/** In-process S3 objects (a map of keys to bytes) holding an export of `files` data files of `perFile` items. */
function exportObjects(files: number, perFile: number, exportTime = '2026-01-01T01:00:00.000Z'): { get: GetObject; reads: string[] } {
  const objects = new Map<string, Uint8Array>();
  const manifest: string[] = [];
  for (let f = 0; f < files; f++) {
    const lines = Array.from({ length: perFile }, (_, i) => JSON.stringify({ Item: { pk: { S: `f${f}-i${i}` }, b: { B: 'AQI=' } } }));
    const key = `p/AWSDynamoDB/e1/data/${f}.json.gz`;
    objects.set(key, gzipSync(`${lines.join('\n')}\n`));
    manifest.push(JSON.stringify({ itemCount: perFile, dataFileS3Key: key }));
  }
  objects.set('p/AWSDynamoDB/e1/manifest-files.json', Buffer.from(manifest.join('\n')));
  objects.set('p/AWSDynamoDB/e1/manifest-summary.json', Buffer.from(JSON.stringify({ exportTime, itemCount: files * perFile, outputFormat: 'DYNAMODB_JSON' })));
  const reads: string[] = [];
  const get: GetObject = async (bucket, key) => {
    reads.push(key);
    const bytes = objects.get(key);
    if (bucket !== 'b' || bytes === undefined) throw Object.assign(new Error('no such key'), { name: 'NoSuchKey' });
    return bytes;
  };
  return { get, reads };
}

describe('export load', () => {
  it('reads the manifests; refuses an export the stream cannot continue', async () => {
    const now = Date.parse('2026-01-01T02:00:00Z');
    const { get } = exportObjects(3, 2);
    expect(await readExportManifest(get, config, await source(), now)).toEqual({ exportTimeMs: Date.parse('2026-01-01T01:00:00Z'), itemCount: 6, dataKeys: ['p/AWSDynamoDB/e1/data/0.json.gz', 'p/AWSDynamoDB/e1/data/1.json.gz', 'p/AWSDynamoDB/e1/data/2.json.gz'] });
    await expect(readExportManifest(get, config, await source(), now + 2 * 86_400_000)).rejects.toThrow(/stream.dynamodb.export.id: export e1 .* more than 24 hours ago/);
    await expect(readExportManifest(exportObjects(1, 1, '2025-12-31T23:00:00Z').get, config, await source(), now)).rejects.toThrow(/before the table's stream was enabled \(2026-01-01T00:00:00.000Z\)/);
    const missing: GetObject = async () => Promise.reject(Object.assign(new Error('x'), { name: 'NoSuchKey' }));
    await expect(readExportManifest(missing, config, await source(), now)).rejects.toThrow(/s3:\/\/b\/p\/AWSDynamoDB\/e1\/manifest-summary.json does not exist/);
  });

  it('each partition reads its share of the files; a restart resumes after the sealed item, counters continued', async () => {
    const { get } = exportObjects(5, 6);
    const manifest = async () => readExportManifest(get, config, await source(), Date.parse('2026-01-01T02:00:00Z'));
    const read = async (segment: number, from: StreamOffset | null, stopAfter = Infinity): Promise<{ keys: string[]; last: StreamOffset | null }> => {
      const consumer = new DynamoDbExportConsumer({ get, config, segment, manifest, source });
      const keys: string[] = [];
      let after = from;
      for (let fetches = 0; fetches < stopAfter; fetches++) {
        const batch = await consumer.fetchMessages(after, 1000);
        keys.push(...batch.messages.map((m) => m.key));
        if (batch.messages.length > 0) after = batch.messages[batch.messages.length - 1]!.offset;
        if (batch.endOfPartition) break;
      }
      return { keys, last: after };
    };
    // Segment 0 has files 0, 2, 4; segment 1 files 1, 3.
    const whole0 = await read(0, null);
    expect(whole0.keys).toEqual([0, 2, 4].flatMap((f) => Array.from({ length: 6 }, (_, i) => `f${f}-i${i}`)));
    const whole1 = await read(1, null);
    expect(whole1.keys.length).toBe(12);
    // Kill after two fetches (4 + 2 items: file 0 read, file 2 not yet), then resume from the offset.
    const part = await read(0, null, 2);
    expect(part.keys.length).toBe(6);
    const sealed = dynamoDbOffsetFactory.parse(part.last!.toString()) as ExportOffset;
    expect(sealed).toBeInstanceOf(ExportOffset);
    expect(sealed).toMatchObject({ ordinal: 6, file: 0, line: 6 });
    const rest = await read(0, sealed);
    expect([...part.keys, ...rest.keys]).toEqual(whole0.keys);
    // Mid-file too: resume after the 9th item (file 2, line 3).
    const nine = await read(0, null, 3);
    const resumed = await read(0, dynamoDbOffsetFactory.parse(`export:${(nine.last as ExportOffset).ordinal},${(nine.last as ExportOffset).bytes}:1,3`));
    expect(resumed.keys[0]).toBe('f2-i3');
    expect(loadCounts(2, (id) => (id === 'scan-0' ? rest.last!.toString() : id === 'scan-1' ? whole1.last!.toString() : null))).toMatchObject({ items: 30, capacityUnits: 0 });
    expect((rest.last as ExportOffset).bytes).toBe((whole0.last as ExportOffset).bytes);
  });

  it('a line that is not an item stops the partition naming the file and line', async () => {
    const bad: GetObject = async (_b, key) => (key.endsWith('.gz') ? gzipSync('{"Item":{"pk":{"S":"a"}}}\nnot json\n') : key.endsWith('manifest-files.json') ? Buffer.from('{"dataFileS3Key":"d/0.json.gz"}') : Buffer.from('{"exportTime":"2026-01-01T01:00:00Z"}'));
    const consumer = new DynamoDbExportConsumer({ get: bad, config, segment: 0, manifest: () => readExportManifest(bad, config, { streamArn: 'x' } as never, Date.parse('2026-01-01T02:00:00Z')), source });
    const failure = await consumer.fetchMessages(null, 1000).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(PermanentStreamError);
    expect((failure as Error).message).toMatch(/export data file s3:\/\/b\/d\/0.json.gz line 2 is not an item of a DYNAMODB_JSON export/);
  });
});
