/** TEST ONLY. Pinot schemas and table configs used by the config, table and HTTP tests. */

/** The schema for Pinot's Kinesis documentation example (`kinesisTable`, `timestamp` column). */
export function kinesisDocSchema(): Record<string, unknown> {
  return {
    schemaName: 'kinesisTable',
    dimensionFieldSpecs: [{ name: 'id', dataType: 'STRING' }, { name: 'tags', dataType: 'STRING', singleValueField: false }],
    metricFieldSpecs: [{ name: 'amount', dataType: 'DOUBLE' }],
    dateTimeFieldSpecs: [{ name: 'timestamp', dataType: 'LONG', format: '1:MILLISECONDS:EPOCH', granularity: '1:MILLISECONDS' }],
  };
}

/**
 * Pinot's Kinesis documentation example, exactly as written there; `fill` replaces the two
 * placeholders a user must fill in (stream name and region) and nothing else.
 */
export function kinesisDocTableConfig(fill?: { stream: string; region: string }): Record<string, unknown> {
  const text = (
    '{"tableName":"kinesisTable","tableType":"REALTIME","segmentsConfig":{"timeColumnName":"timestamp","replicasPerPartition":"1"},"tenants":{},"tableIndexConfig":{"loadMode":"MMAP","streamConfigs":{"streamType":"kinesis","stream.kinesis.topic.name":"<your kinesis stream name>","region":"<your region>","accessKey":"<your access key>","secretKey":"<your secret key>","shardIteratorType":"AFTER_SEQUENCE_NUMBER","stream.kinesis.consumer.type":"lowlevel","stream.kinesis.fetch.timeout.millis":"30000","stream.kinesis.decoder.class.name":"org.apache.pinot.plugin.stream.kafka.KafkaJSONMessageDecoder","stream.kinesis.consumer.factory.class.name":"org.apache.pinot.plugin.stream.kinesis.KinesisConsumerFactory","realtime.segment.flush.threshold.rows":"1000000","realtime.segment.flush.threshold.time":"6h"}},"metadata":{"customConfigs":{}}}'
  );
  const filled = fill ? text.replace('<your kinesis stream name>', fill.stream).replace('<your region>', fill.region) : text;
  return JSON.parse(filled) as Record<string, unknown>;
}

export const TEST_SECRET_KEY = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY-s3cr3t';
export const TEST_ACCESS_KEY = 'AKIAIOSFODNN7EXAMPLE';

/** A small `events` schema. */
export function eventsSchema(name = 'events'): Record<string, unknown> {
  return {
    schemaName: name,
    dimensionFieldSpecs: [
      { name: 'user', dataType: 'STRING' },
      { name: 'country', dataType: 'STRING' },
    ],
    metricFieldSpecs: [{ name: 'clicks', dataType: 'LONG' }],
    dateTimeFieldSpecs: [{ name: 'ts', dataType: 'TIMESTAMP', format: '1:MILLISECONDS:TIMESTAMP', granularity: '1:SECONDS' }],
  };
}

/** A Kinesis `streamConfigs` map with static credentials. */
export function kinesisStreamConfigs(topic = 'events-stream'): Record<string, unknown> {
  return {
    streamType: 'kinesis',
    'stream.kinesis.topic.name': topic,
    region: 'us-east-1',
    endpoint: 'http://127.0.0.1:4567',
    accessKey: TEST_ACCESS_KEY,
    secretKey: TEST_SECRET_KEY,
    shardIteratorType: 'TRIM_HORIZON',
    'stream.kinesis.decoder.class.name': 'org.apache.pinot.plugin.inputformat.json.JSONMessageDecoder',
    'realtime.segment.flush.threshold.rows': '1000',
    'realtime.segment.flush.threshold.time': '1h',
  };
}

/** A REALTIME table config for {@link eventsSchema} with secrets in its stream config. */
export function eventsTableConfig(name = 'events', topic = 'events-stream'): Record<string, unknown> {
  return {
    tableName: name,
    tableType: 'REALTIME',
    segmentsConfig: { timeColumnName: 'ts', replication: '1' },
    tableIndexConfig: {
      loadMode: 'MMAP',
      invertedIndexColumns: ['country'],
      sortedColumn: ['user'],
      streamConfigs: kinesisStreamConfigs(topic),
    },
    tenants: {},
    metadata: { customConfigs: {} },
    someFutureKey: { kept: true },
  };
}
