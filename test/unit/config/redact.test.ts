import { describe, expect, it } from 'vitest';
import { collectSecrets, isSecretKey, redactTableConfig, restoreRedactedSecrets, scrubSecrets } from '../../../src/config/redact.js';
import { eventsTableConfig, TEST_ACCESS_KEY, TEST_SECRET_KEY } from '../../helpers/pinot-config-fixtures.js';

describe('redactTableConfig', () => {
  it('hides secretKey and accessKey in tableIndexConfig.streamConfigs and leaves the input alone', () => {
    const config = eventsTableConfig();
    const redacted = redactTableConfig(config);
    const streamConfigs = (redacted.tableIndexConfig as { streamConfigs: Record<string, unknown> }).streamConfigs;
    expect(streamConfigs.secretKey).toBe('*****');
    expect(streamConfigs.accessKey).toBe('*****');
    expect(streamConfigs.region).toBe('us-east-1');
    expect(JSON.stringify(redacted)).not.toContain(TEST_SECRET_KEY);
    expect(JSON.stringify(redacted)).not.toContain(TEST_ACCESS_KEY);
    expect(JSON.stringify(config)).toContain(TEST_SECRET_KEY);
  });

  it('hides secrets in streamConfigMaps and anywhere else', () => {
    const config = {
      ingestionConfig: {
        streamIngestionConfig: { streamConfigMaps: [{ secretKey: 's3cret', 'stream.kafka.sasl.jaas.config': 'user pass', 'stream.kafka.ssl.keystore.password': 'pw' }] },
        batchIngestionConfig: { batchConfigMaps: [{ 'input.fs.prop.secretKey': 'batch-secret' }] },
      },
      fieldConfigList: [{ name: 'tokenizer', properties: { tokenizer: 'standard' } }],
    };
    const text = JSON.stringify(redactTableConfig(config));
    for (const secret of ['s3cret', 'user pass', 'pw"', 'batch-secret']) expect(text).not.toContain(secret);
    expect(text).toContain('standard');
  });

  it('knows which keys are secret', () => {
    for (const key of ['secretKey', 'accessKey', 'SECRETKEY', 'stream.kafka.ssl.truststore.password', 'sasl.jaas.config', 'sessionToken']) expect(isSecretKey(key)).toBe(true);
    for (const key of ['region', 'roleArn', 'tokenizer', 'stream.kinesis.topic.name', 'shardIteratorType']) expect(isSecretKey(key)).toBe(false);
  });
});

describe('secret scrubbing', () => {
  it('collects secret values and scrubs them from free text', () => {
    const secrets = collectSecrets(eventsTableConfig());
    expect(secrets.sort()).toEqual([TEST_ACCESS_KEY, TEST_SECRET_KEY].sort());
    expect(scrubSecrets(`Credential=${TEST_ACCESS_KEY}/20240101 signature mismatch`, secrets)).toBe('Credential=*****/20240101 signature mismatch');
  });

  it('restores stored secrets where a config sends the placeholder back', () => {
    const stored = eventsTableConfig();
    const edited = redactTableConfig(stored);
    const restored = restoreRedactedSecrets(edited, stored);
    expect(restored).toEqual(stored);
  });
});
