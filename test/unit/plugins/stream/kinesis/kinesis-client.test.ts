import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createKinesisClient, isLoopback } from '../../../../../src/plugins/stream/kinesis/kinesis-client.js';
import { parseKinesisConfig } from '../../../../../src/plugins/stream/kinesis/kinesis-config.js';

const SAVED = ['AWS_REGION', 'AWS_DEFAULT_REGION', 'AWS_CONFIG_FILE', 'AWS_SHARED_CREDENTIALS_FILE', 'AWS_PROFILE', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_ENDPOINT_URL', 'AWS_ENDPOINT_URL_KINESIS', 'AWS_EC2_METADATA_DISABLED'];

function config(properties: Record<string, string>) {
  return parseKinesisConfig({
    streamType: 'kinesis',
    topicName: 'events',
    properties: { 'stream.kinesis.topic.name': 'events', ...properties },
    flush: { rows: 1, timeMs: 1, segmentSizeBytes: 0 },
    decoderName: 'json',
  });
}

describe('createKinesisClient', () => {
  const saved: Record<string, string | undefined> = {};
  beforeEach(() => {
    for (const key of SAVED) saved[key] = process.env[key];
    for (const key of SAVED) delete process.env[key];
    process.env.AWS_CONFIG_FILE = '/nonexistent/shardtable/config';
    process.env.AWS_SHARED_CREDENTIALS_FILE = '/nonexistent/shardtable/credentials';
    process.env.AWS_EC2_METADATA_DISABLED = 'true';
  });
  afterEach(() => {
    for (const key of SAVED) {
      if (saved[key] === undefined) delete process.env[key];
      else process.env[key] = saved[key];
    }
  });

  it('uses the explicit region, else the SDK chain, else us-east-1 when an endpoint is set', async () => {
    expect(await createKinesisClient(config({ region: 'eu-west-2' })).config.region()).toBe('eu-west-2');
    process.env.AWS_REGION = 'ap-south-1';
    expect(await createKinesisClient(config({ endpoint: 'http://127.0.0.1:4567' })).config.region()).toBe('ap-south-1');
    delete process.env.AWS_REGION;
    expect(await createKinesisClient(config({ endpoint: 'http://127.0.0.1:4567' })).config.region()).toBe('us-east-1');
    await expect(createKinesisClient(config({})).config.region()).rejects.toThrow(/no AWS region/);
  });

  it('uses static credentials when given, and dummy ones only for a loopback endpoint without any', async () => {
    const client = createKinesisClient(config({ region: 'us-east-1', accessKey: 'AK', secretKey: 'SK' }));
    expect(await client.config.credentials()).toMatchObject({ accessKeyId: 'AK', secretAccessKey: 'SK' });
    const local = createKinesisClient(config({ endpoint: 'http://localhost:4567' }));
    expect((await local.config.credentials()).accessKeyId).toBe('shardtable-local');
    const remote = createKinesisClient(config({ endpoint: 'https://kinesis.example.com', region: 'us-east-1' }));
    await expect(remote.config.credentials()).rejects.toThrow();
  });

  it('recognises loopback endpoints', () => {
    expect(['http://127.0.0.1:1', 'http://localhost:2', 'http://[::1]:3'].map(isLoopback)).toEqual([true, true, true]);
    expect(['https://kinesis.us-east-1.amazonaws.com', 'http://10.0.0.1:1', 'nope'].map(isLoopback)).toEqual([false, false, false]);
  });
});
