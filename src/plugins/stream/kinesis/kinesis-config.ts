import type { StreamConfig } from '../../../config/table-config.js';
import { ShardtableError } from '../../../errors.js';

/** The `streamConfigs` keys the Kinesis plugin reads (Pinot's names). */
export const KINESIS_KEYS = Object.freeze({
  topicName: 'stream.kinesis.topic.name',
  region: 'region',
  endpoint: 'endpoint',
  accessKey: 'accessKey',
  secretKey: 'secretKey',
  shardIteratorType: 'shardIteratorType',
  /** shardtable's addition: where `AT_TIMESTAMP` starts (ISO-8601 or epoch millis). */
  shardIteratorTimestamp: 'shardIteratorTimestamp',
  maxRecordsToFetch: 'maxRecordsToFetch',
  fetchTimeoutMs: 'stream.kinesis.fetch.timeout.millis',
  requestsPerSecondLimit: 'requests_per_second_limit',
  discoveryIntervalMs: 'stream.kinesis.shard.discovery.interval.ms',
  iamRoleBasedAccessEnabled: 'iamRoleBasedAccessEnabled',
});

export const SHARD_ITERATOR_TYPES = ['TRIM_HORIZON', 'LATEST', 'AT_TIMESTAMP', 'AT_SEQUENCE_NUMBER', 'AFTER_SEQUENCE_NUMBER'] as const;
export type ShardIteratorTypeName = (typeof SHARD_ITERATOR_TYPES)[number];

export const KINESIS_DEFAULTS: Readonly<{
  shardIteratorType: ShardIteratorTypeName;
  maxRecordsToFetch: number;
  fetchTimeoutMs: number;
  requestsPerSecondLimit: number;
  discoveryIntervalMs: number;
}> = Object.freeze({
  shardIteratorType: 'LATEST',
  maxRecordsToFetch: 10_000,
  fetchTimeoutMs: 5_000,
  requestsPerSecondLimit: 1,
  discoveryIntervalMs: 60_000,
});

/**
 * The validated Kinesis settings of one table, frozen. Built once by `parseKinesisConfig`; code
 * past it trusts every field.
 */
export interface KinesisConfig {
  readonly streamName: string;
  /** Explicit `region`; undefined = the SDK's region chain (then `us-east-1` if an endpoint is set). */
  readonly region: string | undefined;
  /** Endpoint override (`endpoint`, else env `AWS_ENDPOINT_URL_KINESIS`, else `AWS_ENDPOINT_URL`). */
  readonly endpoint: string | undefined;
  /** Static credentials; undefined = the SDK's default credential chain. Never log or echo. */
  readonly credentials: { readonly accessKeyId: string; readonly secretAccessKey: string } | undefined;
  /** The iterator type as configured. */
  readonly shardIteratorType: ShardIteratorTypeName;
  /**
   * The iterator type used for a shard with no checkpoint. Equal to `shardIteratorType`, except
   * `AT_SEQUENCE_NUMBER` / `AFTER_SEQUENCE_NUMBER`, which have no sequence number to start from
   * when there is no checkpoint and so start from the oldest record (`TRIM_HORIZON`).
   */
  readonly initialIteratorType: 'TRIM_HORIZON' | 'LATEST' | 'AT_TIMESTAMP';
  /** For `AT_TIMESTAMP`: epoch millis. */
  readonly initialTimestampMs: number | undefined;
  /** Human-readable starting position for status, e.g. `TRIM_HORIZON (AFTER_SEQUENCE_NUMBER with no sequence number)`. */
  readonly initialPositionDescription: string;
  /** GetRecords `Limit`, 1..10000. */
  readonly maxRecordsToFetch: number;
  readonly fetchTimeoutMs: number;
  /** GetRecords calls per second per shard (may be fractional: 0.5 = one call every 2 s). */
  readonly requestsPerSecondLimit: number;
  readonly discoveryIntervalMs: number;
}

/**
 * Parses and validates the Kinesis part of a stream config. Collects every problem and throws one
 * `ShardtableError('STREAM_CONFIG')` whose detail names each key and what was wrong.
 *
 * @example
 *   const config = parseKinesisConfig(tableConfig.stream); // config.maxRecordsToFetch === 10000
 */
export function parseKinesisConfig(stream: StreamConfig, env: NodeJS.ProcessEnv = process.env): KinesisConfig {
  const props = stream.properties;
  const problems: string[] = [];
  const get = (key: string): string | undefined => {
    const value = props[key];
    return value === undefined || value.trim() === '' ? undefined : value.trim();
  };

  const streamName = get(KINESIS_KEYS.topicName) ?? (stream.topicName.trim() || undefined);
  if (streamName === undefined) {
    problems.push(`${KINESIS_KEYS.topicName} is required (the Kinesis stream name)`);
  } else if (!/^[a-zA-Z0-9_.-]{1,128}$/.test(streamName)) {
    problems.push(`${KINESIS_KEYS.topicName} must be 1-128 characters of a-z, A-Z, 0-9, _ . - (got ${JSON.stringify(streamName)})`);
  }

  const region = get(KINESIS_KEYS.region);
  if (region !== undefined && !/^[a-z0-9-]{1,64}$/.test(region)) {
    problems.push(`region must look like us-east-1 (got ${JSON.stringify(region)})`);
  }

  const endpointKey = get(KINESIS_KEYS.endpoint) !== undefined ? KINESIS_KEYS.endpoint
    : env.AWS_ENDPOINT_URL_KINESIS?.trim() ? 'AWS_ENDPOINT_URL_KINESIS (env)'
    : env.AWS_ENDPOINT_URL?.trim() ? 'AWS_ENDPOINT_URL (env)' : undefined;
  const endpoint = get(KINESIS_KEYS.endpoint) ?? (env.AWS_ENDPOINT_URL_KINESIS?.trim() || env.AWS_ENDPOINT_URL?.trim() || undefined);
  if (endpoint !== undefined && !isHttpUrl(endpoint)) {
    problems.push(`${endpointKey ?? 'endpoint'} must be an http:// or https:// URL (got ${JSON.stringify(endpoint)})`);
  }

  const accessKey = get(KINESIS_KEYS.accessKey);
  const secretKey = get(KINESIS_KEYS.secretKey);
  if ((accessKey === undefined) !== (secretKey === undefined)) {
    problems.push(accessKey === undefined ? 'accessKey is required when secretKey is set' : 'secretKey is required when accessKey is set');
  }

  const iam = get(KINESIS_KEYS.iamRoleBasedAccessEnabled);
  if (iam !== undefined && iam.toLowerCase() === 'true') {
    problems.push('iamRoleBasedAccessEnabled=true is not supported yet (assuming a role needs STS); use the default credential chain, which honours AWS_ROLE_ARN and profiles with role_arn');
  } else if (iam !== undefined && iam.toLowerCase() !== 'false') {
    problems.push(`iamRoleBasedAccessEnabled must be true or false (got ${JSON.stringify(iam)})`);
  }

  let shardIteratorType = KINESIS_DEFAULTS.shardIteratorType;
  const typeText = get(KINESIS_KEYS.shardIteratorType);
  if (typeText !== undefined) {
    const upper = typeText.toUpperCase();
    if ((SHARD_ITERATOR_TYPES as readonly string[]).includes(upper)) shardIteratorType = upper as ShardIteratorTypeName;
    else problems.push(`shardIteratorType must be one of ${SHARD_ITERATOR_TYPES.join(', ')} (got ${JSON.stringify(typeText)})`);
  }

  let initialTimestampMs: number | undefined;
  const timestampText = get(KINESIS_KEYS.shardIteratorTimestamp);
  if (timestampText !== undefined) {
    initialTimestampMs = /^[0-9]+$/.test(timestampText) ? Number(timestampText) : Date.parse(timestampText);
    if (!Number.isSafeInteger(initialTimestampMs)) {
      problems.push(`${KINESIS_KEYS.shardIteratorTimestamp} must be epoch millis or an ISO-8601 time (got ${JSON.stringify(timestampText)})`);
      initialTimestampMs = undefined;
    }
  } else if (shardIteratorType === 'AT_TIMESTAMP') {
    problems.push(`${KINESIS_KEYS.shardIteratorTimestamp} is required when shardIteratorType is AT_TIMESTAMP`);
  }

  const int = (key: string, fallback: number, min: number, max: number): number => {
    const text = get(key);
    if (text === undefined) return fallback;
    const value = /^[0-9]+$/.test(text) ? Number(text) : Number.NaN;
    if (!Number.isSafeInteger(value) || value < min || value > max) {
      problems.push(`${key} must be an integer from ${min} to ${max} (got ${JSON.stringify(text)})`);
      return fallback;
    }
    return value;
  };
  const maxRecordsToFetch = int(KINESIS_KEYS.maxRecordsToFetch, KINESIS_DEFAULTS.maxRecordsToFetch, 1, 10_000);
  const fetchTimeoutMs = int(KINESIS_KEYS.fetchTimeoutMs, KINESIS_DEFAULTS.fetchTimeoutMs, 1, 600_000);
  const discoveryIntervalMs = int(KINESIS_KEYS.discoveryIntervalMs, KINESIS_DEFAULTS.discoveryIntervalMs, 100, 86_400_000);

  let requestsPerSecondLimit = KINESIS_DEFAULTS.requestsPerSecondLimit;
  const rpsText = get(KINESIS_KEYS.requestsPerSecondLimit);
  if (rpsText !== undefined) {
    const value = /^[0-9]*\.?[0-9]+$/.test(rpsText) ? Number(rpsText) : Number.NaN;
    if (!(value > 0 && value <= 1000)) {
      problems.push(`${KINESIS_KEYS.requestsPerSecondLimit} must be a number greater than 0 and at most 1000 (got ${JSON.stringify(rpsText)})`);
    } else {
      requestsPerSecondLimit = value;
    }
  }

  if (problems.length > 0) throw new ShardtableError('STREAM_CONFIG', { detail: problems.join('; ') });

  const initialIteratorType = shardIteratorType === 'AT_SEQUENCE_NUMBER' || shardIteratorType === 'AFTER_SEQUENCE_NUMBER' ? 'TRIM_HORIZON' : shardIteratorType;
  const initialPositionDescription = initialIteratorType !== shardIteratorType
    ? `TRIM_HORIZON (${shardIteratorType} with no sequence number starts from the oldest record)`
    : initialIteratorType === 'AT_TIMESTAMP' ? `AT_TIMESTAMP ${new Date(initialTimestampMs!).toISOString()}` : initialIteratorType;

  return Object.freeze({
    streamName: streamName!,
    region,
    endpoint,
    credentials: accessKey !== undefined && secretKey !== undefined ? Object.freeze({ accessKeyId: accessKey, secretAccessKey: secretKey }) : undefined,
    shardIteratorType,
    initialIteratorType,
    initialTimestampMs,
    initialPositionDescription,
    maxRecordsToFetch,
    fetchTimeoutMs,
    requestsPerSecondLimit,
    discoveryIntervalMs,
  });
}

function isHttpUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}
