import { describe, expect, it } from 'vitest';
import { collectSecrets, isSecretKey, keyWords, REDACTED, redactTableConfig, restoreRedactedSecrets, scrubSecrets } from '../../../src/config/redact.js';
import { eventsTableConfig, TEST_ACCESS_KEY, TEST_SECRET_KEY } from '../../helpers/pinot-config-fixtures.js';
import { INNOCENT_KEYS, SECRET_ISH_KEYS } from '../../helpers/secret-keys.js';

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

describe('secrets by pattern', () => {
  it('every secret-ish key name is a secret', () => {
    expect(SECRET_ISH_KEYS.filter((key) => !isSecretKey(key))).toEqual([]);
  });

  it('innocent keys are not', () => {
    expect(INNOCENT_KEYS.filter((key) => isSecretKey(key))).toEqual([]);
  });

  it('splits keys into words at punctuation, camelCase and acronyms', () => {
    expect(keyWords('AWSSecretAccessKey')).toEqual(['aws', 'secret', 'access', 'key']);
    expect(keyWords('stream.kinesis.aws_secret-access key')).toEqual(['stream', 'kinesis', 'aws', 'secret', 'access', 'key']);
  });

  it('masks each secret-ish key in a config, and everything under a secret key that holds an object', () => {
    const streamConfigs: Record<string, unknown> = { streamType: 'kinesis' };
    SECRET_ISH_KEYS.forEach((key, i) => (streamConfigs[key] = `value-of-secret-${i}`));
    INNOCENT_KEYS.forEach((key, i) => (streamConfigs[key] = `innocent-${i}`));
    const config = { tableIndexConfig: { streamConfigs }, custom: { credentials: { user: 'bob-the-user', pin: 123456, enabled: true } } };
    const redacted = redactTableConfig(config) as typeof config;
    for (const key of SECRET_ISH_KEYS) expect(redacted.tableIndexConfig.streamConfigs[key]).toBe(REDACTED);
    INNOCENT_KEYS.forEach((key, i) => expect(redacted.tableIndexConfig.streamConfigs[key]).toBe(`innocent-${i}`));
    expect(redacted.custom.credentials).toEqual({ user: REDACTED, pin: REDACTED, enabled: true });
    expect(collectSecrets(config)).toContain('bob-the-user');
    expect(restoreRedactedSecrets(redacted, config)).toEqual(config);
  });

  it('masks values that are secrets by their shape under any key', () => {
    const pem = '-----BEGIN RSA PRIVATE KEY-----\nMIIE\n-----END RSA PRIVATE KEY-----';
    const config = { streamConfigs: { 'stream.kinesis.auth': 'AKIAIOSFODNN7EXAMPLE', 'custom.blob': pem, note: 'AKIA is how AWS key ids start' } };
    const redacted = redactTableConfig(config);
    expect(redacted.streamConfigs).toEqual({ 'stream.kinesis.auth': REDACTED, 'custom.blob': REDACTED, note: 'AKIA is how AWS key ids start' });
    expect(restoreRedactedSecrets(redacted, config)).toEqual(config);
  });

  it('shows an empty secret as empty and leaves booleans alone', () => {
    expect(redactTableConfig({ secretKey: '', useToken: true, password: 0 })).toEqual({ secretKey: '', useToken: true, password: REDACTED });
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
