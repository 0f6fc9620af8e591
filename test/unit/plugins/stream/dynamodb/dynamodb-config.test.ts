import { describe, expect, it } from 'vitest';
import { buildTableSchema } from '../../../../../src/config/schema.js';
import { validateTableConfig } from '../../../../../src/config/table-config-validation.js';
import { parseDynamoDbConfig } from '../../../../../src/plugins/stream/dynamodb/dynamodb-config.js';
import { DynamoDbPartitionIds } from '../../../../../src/plugins/stream/dynamodb/dynamodb-partition-id.js';
import { dynamoDbOffsetFactory, ScanOffset, SequenceOffset } from '../../../../../src/plugins/stream/dynamodb/dynamodb-offset.js';
import { bindStream, streamValidationOptions } from '../../../../../src/plugins/stream/registry.js';

const schema = buildTableSchema({
  schemaName: 'items',
  dimensionFieldSpecs: [
    { name: '_id', dataType: 'STRING' },
    { name: '_deleted', dataType: 'BOOLEAN' },
    { name: 'pk', dataType: 'STRING' },
  ],
  dateTimeFieldSpecs: [{ name: 'ts', dataType: 'LONG', format: '1:MILLISECONDS:EPOCH', granularity: '1:MILLISECONDS' }],
  primaryKeyColumns: ['_id'],
} as never);

function tableJson(keys: Record<string, string> = {}, upsertConfig: unknown = { mode: 'FULL', deleteRecordColumn: '_deleted' }): Record<string, unknown> {
  return {
    tableName: 'items',
    tableType: 'REALTIME',
    segmentsConfig: { timeColumnName: 'ts' },
    tableIndexConfig: { streamConfigs: { streamType: 'dynamodb', 'stream.dynamodb.table.name': 'Orders', ...keys } },
    ...(upsertConfig === null ? {} : { upsertConfig }),
  };
}

/** Admission's two steps: the config layer, then the plugin's parse with the table. */
function admit(json: Record<string, unknown>, env: NodeJS.ProcessEnv = {}) {
  const config = validateTableConfig(json, schema, streamValidationOptions());
  bindStream(config.stream, { tableName: 'items', table: { config, schema } });
  return { config, settings: parseDynamoDbConfig(config.stream, { config, schema }, env) };
}

describe('DynamoDB stream config', () => {
  it('reads the keys with their defaults, endpoints from the standard variables, and needs no comparison column', () => {
    const { config, settings } = admit(tableJson({ 'stream.dynamodb.region': 'eu-west-1', 'stream.dynamodb.scan.rcu.limit': '25.5' }), {
      AWS_ENDPOINT_URL_DYNAMODB: 'http://127.0.0.1:5000',
      AWS_ENDPOINT_URL_DYNAMODB_STREAMS: 'http://127.0.0.1:5001',
    });
    expect(config.stream.topicName).toBe('Orders');
    // The stream orders changes: no comparison column, not even the time column.
    expect(config.upsert?.comparisonColumns).toEqual([]);
    expect(settings).toMatchObject({
      tableName: 'Orders',
      region: 'eu-west-1',
      endpoint: 'http://127.0.0.1:5000',
      streamsEndpoint: 'http://127.0.0.1:5001',
      initialLoad: 'scan',
      scanRcuLimit: 25.5,
      scanSegments: 4,
      shardIteratorType: 'TRIM_HORIZON',
      deleteColumn: '_deleted',
      credentials: undefined,
      assumeRole: undefined,
    });
    expect(Object.isFrozen(settings)).toBe(true);
  });

  it('requires the table name under its own key', () => {
    const json = tableJson();
    delete (json.tableIndexConfig as { streamConfigs: Record<string, string> }).streamConfigs['stream.dynamodb.table.name'];
    expect(() => admit(json)).toThrow(/streamConfigs\["stream.dynamodb.table.name"\]: is required \(the dynamodb source name\)/);
  });

  it.each([
    [{ 'stream.dynamodb.initial.load': 'copy' }, /stream.dynamodb.initial.load: must be scan, export or none, got "copy"/],
    [{ 'stream.dynamodb.initial.load': 'export' }, /stream.dynamodb.export.s3.bucket: required with stream.dynamodb.initial.load export.*stream.dynamodb.export.id: required/],
    [{ 'stream.dynamodb.initial.load': 'export', 'stream.dynamodb.export.s3.bucket': 'b', 'stream.dynamodb.export.id': 'a/b' }, /stream.dynamodb.export.id: "a\/b" is not an export id/],
    [{ 'stream.dynamodb.export.s3.bucket': 'b' }, /stream.dynamodb.export.s3.bucket: only used with stream.dynamodb.initial.load export/],
    [{ 'stream.dynamodb.scan.rcu.limit': 'lots' }, /stream.dynamodb.scan.rcu.limit: must be a number of read-capacity units per second, at least 1, got "lots"/],
    [{ 'stream.dynamodb.scan.segments': '0' }, /stream.dynamodb.scan.segments: must be an integer from 1 to 1000, got "0"/],
    [{ 'stream.dynamodb.max.records': '5000' }, /stream.dynamodb.max.records: must be an integer from 1 to 1000/],
    [{ 'stream.dynamodb.shardIteratorType': 'AT_TIMESTAMP' }, /stream.dynamodb.shardIteratorType: must be TRIM_HORIZON or LATEST/],
    [{ 'stream.dynamodb.id.attribute.rename': '_id' }, /stream.dynamodb.id.attribute.rename: must be another name than _id/],
    [{ 'stream.dynamodb.accessKey': 'AKIA' }, /stream.dynamodb.secretKey: set both/],
    [{ 'stream.dynamodb.iamRoleBasedAccessEnabled': 'true' }, /stream.dynamodb.roleArn: required with stream.dynamodb.iamRoleBasedAccessEnabled=true/],
    [{ 'stream.dynamodb.table.name': 'a' }, /stream.dynamodb.table.name: "a" is not a DynamoDB table name/],
    [{ 'stream.dynamodb.scan.segmnets': '2' }, /stream.dynamodb.scan.segmnets: unknown key/],
    [{ 'stream.dynamodb.decoder.class.name': 'csv' }, /stream.dynamodb.decoder.class.name: a DynamoDB source delivers items as JSON/],
  ])('refuses %j', (keys, message) => {
    expect(() => admit(tableJson(keys))).toThrow(message);
  });

  it('refuses a table that is not an upsert table keyed by _id with a delete column', () => {
    expect(() => admit(tableJson({}, null))).toThrow(/upsertConfig: missing; a DynamoDB-fed table is an upsert table keyed by _id/);
    expect(() => admit(tableJson({}, { mode: 'FULL' }))).toThrow(/upsertConfig.deleteRecordColumn: required for a DynamoDB source/);
    const partial = tableJson({}, { mode: 'PARTIAL', deleteRecordColumn: '_deleted' });
    (partial.tableIndexConfig as { nullHandlingEnabled?: boolean }).nullHandlingEnabled = true;
    expect(() => admit(partial)).toThrow(/upsertConfig.mode: must be FULL for a DynamoDB source/);
    const byPk = buildTableSchema({ schemaName: 'items', dimensionFieldSpecs: [{ name: '_id', dataType: 'STRING' }, { name: 'pk', dataType: 'STRING' }, { name: '_deleted', dataType: 'BOOLEAN' }], primaryKeyColumns: ['pk'] } as never);
    const config = validateTableConfig({ ...tableJson(), segmentsConfig: {} }, byPk, streamValidationOptions());
    expect(() => bindStream(config.stream, { tableName: 'items', table: { config, schema: byPk } })).toThrow(/primaryKeyColumns: must be \["_id"\]/);
  });

  it('a Kinesis upsert table still needs a comparison column or time column', () => {
    const json = { tableName: 'k', segmentsConfig: { timeColumnName: 'ts' }, tableIndexConfig: { streamConfigs: { streamType: 'kinesis', 'stream.kinesis.topic.name': 's' } }, upsertConfig: { mode: 'FULL' } };
    expect(() => validateTableConfig(json, schema, streamValidationOptions())).not.toThrow();
    const noTime = { ...json, segmentsConfig: {} };
    const noTimeSchema = buildTableSchema({ schemaName: 'items', dimensionFieldSpecs: [{ name: '_id', dataType: 'STRING' }], primaryKeyColumns: ['_id'] } as never);
    expect(() => validateTableConfig(noTime, noTimeSchema, streamValidationOptions())).toThrow(/upsertConfig.comparisonColumns: needs a comparison column/);
  });
});

describe('DynamoDB offsets and partition ids', () => {
  it('round-trips both offset kinds in their persisted form and compares within a kind', () => {
    const seq = dynamoDbOffsetFactory.parse('000100000000017454426058');
    expect(seq.toString()).toBe('000100000000017454426058');
    expect(seq.compareTo(new SequenceOffset('99999999999999999999'))).toBeGreaterThan(0);
    const scan = new ScanOffset(42, { pk: { S: 'a:b' }, sk: { B: new Uint8Array([1, 2]) } });
    expect(scan.toString()).toBe('scan:42:{"pk":{"S":"a:b"},"sk":{"B":{"$b64":"AQI="}}}');
    const back = dynamoDbOffsetFactory.parse(scan.toString()) as ScanOffset;
    expect(back.ordinal).toBe(42);
    expect(back.key).toEqual({ pk: { S: 'a:b' }, sk: { B: new Uint8Array([1, 2]) } });
    expect(back.compareTo(new ScanOffset(41, {}))).toBeGreaterThan(0);
    expect(() => seq.compareTo(scan)).toThrow(/cannot compare/);
    expect(() => dynamoDbOffsetFactory.parse('scan:x:{}')).toThrow(/not a scan position/);
    // With the segment's load counters (bytes, units) up to the item; the older form reads them as 0.
    const counted = new ScanOffset(7, { pk: { N: '3' } }, 2100, 3);
    expect(counted.toString()).toBe('scan:7,2100,3:{"pk":{"N":"3"}}');
    expect(dynamoDbOffsetFactory.parse(counted.toString())).toEqual(counted);
    expect(dynamoDbOffsetFactory.parse('scan:7:{"pk":{"N":"3"}}')).toMatchObject({ ordinal: 7, bytes: 0, units: 0 });
    expect(() => dynamoDbOffsetFactory.parse('scan:7,1,2,3:{}')).toThrow(/not a scan position/);
    expect(() => dynamoDbOffsetFactory.parse('scan:7,-1,2:{}')).toThrow(/not a scan position/);
    expect(() => dynamoDbOffsetFactory.parse('12a')).toThrow(/not a DynamoDB Streams sequence number/);
  });

  it('numbers scan segments by their index and shards from 1,000,000 up, persisted', () => {
    const ids = DynamoDbPartitionIds.fromJSON(null);
    expect(ids.idFor('scan-2')).toBe(2);
    expect(ids.changed).toBe(false);
    expect(ids.idFor('shardId-00000001541626099285-f35f62ef')).toBe(1_000_000);
    expect(ids.idFor('shardId-00000001541626099999-aaaaaaaa')).toBe(1_000_001);
    expect(ids.changed).toBe(true);
    const again = DynamoDbPartitionIds.fromJSON(JSON.parse(JSON.stringify(ids.toJSON())));
    expect(again.idFor('shardId-00000001541626099999-aaaaaaaa')).toBe(1_000_001);
    expect(again.idFor('shardId-new')).toBe(1_000_002);
    expect(() => DynamoDbPartitionIds.fromJSON({ version: 1, shards: { a: 5 } })).toThrow(/invalid or duplicate id 5/);
  });
});
