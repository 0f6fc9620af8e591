import type { StreamConfig } from '../../../config/table-config.js';
import { ShardtableError } from '../../../errors.js';
import { parseDurationMs } from '../../../config/stream-config.js';
import { parseEfoConfig } from './kinesis-efo-config.js';
import type { KinesisEfoConfig } from './kinesis-efo-config.js';

/** The `streamConfigs` keys the Kinesis plugin reads (Pinot's names). */
export const KINESIS_KEYS = Object.freeze({
  topicName: 'stream.kinesis.topic.name',
  region: 'region',
  endpoint: 'endpoint',
  accessKey: 'accessKey',
  secretKey: 'secretKey',
  shardIteratorType: 'shardIteratorType',
  /** Where `AT_TIMESTAMP` starts (ISO-8601 or epoch millis). */
  iteratorTimestamp: 'stream.kinesis.iterator.timestamp',
  /** Older alias of `iteratorTimestamp`, still accepted. */
  shardIteratorTimestamp: 'shardIteratorTimestamp',
  /** For `AT_/AFTER_SEQUENCE_NUMBER`: a JSON map shardId → sequence number. */
  iteratorSequenceNumbers: 'stream.kinesis.iterator.sequenceNumbers',
  maxRecordsToFetch: 'maxRecordsToFetch',
  fetchTimeoutMs: 'stream.kinesis.fetch.timeout.millis',
  /** shardtable's: deadline of a shard listing (ListShards pages, and the credentials they need). */
  metadataTimeoutMs: 'stream.kinesis.metadata.timeout.millis',
  requestsPerSecondLimit: 'requests_per_second_limit',
  discoveryIntervalMs: 'stream.kinesis.shard.discovery.interval.ms',
  /** Spark's: MB/s read per shard; after B bytes the shard's next call waits B / rate. */
  maxFetchRate: 'maxFetchRate',
  /** Spark's: minimum spacing of GetRecords calls on a shard (ms or a duration like `200ms`). */
  minFetchPeriod: 'minFetchPeriod',
  /** shardtable's: GetRecords calls of one table in flight at once. */
  maxConcurrentFetches: 'stream.kinesis.max.concurrent.fetches',
  iamRoleBasedAccessEnabled: 'iamRoleBasedAccessEnabled',
  roleArn: 'roleArn',
  externalId: 'externalId',
  roleSessionName: 'roleSessionName',
  sessionDurationSeconds: 'sessionDurationSeconds',
  /** shardtable's addition: STS endpoint override for assume-role (else env `AWS_ENDPOINT_URL_STS`). */
  stsEndpoint: 'stsEndpoint',
});

/** What `iamRoleBasedAccessEnabled=true` assumes, validated. */
export interface AssumeRoleConfig {
  readonly roleArn: string;
  readonly externalId: string | undefined;
  /** undefined = `shardtable-<table>` (see `kinesis-credentials.ts`). */
  readonly roleSessionName: string | undefined;
  /** 900..43200, default 900. */
  readonly sessionDurationSeconds: number;
  /** STS endpoint override (`stsEndpoint`, else env `AWS_ENDPOINT_URL_STS`); undefined = AWS. */
  readonly stsEndpoint: string | undefined;
}

export const SHARD_ITERATOR_TYPES = ['TRIM_HORIZON', 'LATEST', 'AT_TIMESTAMP', 'AT_SEQUENCE_NUMBER', 'AFTER_SEQUENCE_NUMBER'] as const;
export type ShardIteratorTypeName = (typeof SHARD_ITERATOR_TYPES)[number];

export const KINESIS_DEFAULTS: Readonly<{
  shardIteratorType: ShardIteratorTypeName;
  maxRecordsToFetch: number;
  fetchTimeoutMs: number;
  metadataTimeoutMs: number;
  requestsPerSecondLimit: number;
  discoveryIntervalMs: number;
  sessionDurationSeconds: number;
}> = Object.freeze({
  shardIteratorType: 'LATEST',
  maxRecordsToFetch: 10_000,
  fetchTimeoutMs: 5_000,
  metadataTimeoutMs: 5_000,
  requestsPerSecondLimit: 1,
  discoveryIntervalMs: 60_000,
  sessionDurationSeconds: 900,
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
  /**
   * Assume this role through STS (`iamRoleBasedAccessEnabled=true`); the STS call itself signs with
   * `credentials` when given, else the default chain. undefined = no role.
   */
  readonly assumeRole: AssumeRoleConfig | undefined;
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
  /**
   * For `AT_SEQUENCE_NUMBER` / `AFTER_SEQUENCE_NUMBER`: shardId → starting sequence number, from
   * `stream.kinesis.iterator.sequenceNumbers`. A shard not in the map starts at `TRIM_HORIZON`.
   * Empty for the other types.
   */
  readonly startingSequenceNumbers: Readonly<Record<string, string>>;
  /** Human-readable starting position for status, e.g. `TRIM_HORIZON (AFTER_SEQUENCE_NUMBER with no sequence number)`. */
  readonly initialPositionDescription: string;
  /** GetRecords `Limit`, 1..10000. */
  readonly maxRecordsToFetch: number;
  readonly fetchTimeoutMs: number;
  /**
   * How long one listing of the stream's shards may take, all pages and credentials included
   * (`stream.kinesis.metadata.timeout.millis`): past it the listing fails as a transient stream
   * error, so `POST /tables` against an endpoint that never answers is a 400 within it.
   */
  readonly metadataTimeoutMs: number;
  /** GetRecords calls per second per shard (may be fractional: 0.5 = one call every 2 s). */
  readonly requestsPerSecondLimit: number;
  readonly discoveryIntervalMs: number;
  /** `maxFetchRate`: MB (MiB) per second read per shard, shared by every table of the process. */
  readonly maxFetchRateMBps: number;
  /** `minFetchPeriod`: minimum millis between GetRecords calls on a shard (0 = only the rps limit). */
  readonly minFetchPeriodMs: number;
  /** `stream.kinesis.max.concurrent.fetches`: fetches of this table in flight at once. */
  readonly maxConcurrentFetches: number;
  /** Enhanced fan-out (`stream.kinesis.consumer.type=efo`, kinesis-efo-config.ts); undefined = polling. */
  readonly efo?: KinesisEfoConfig | undefined;
}

/**
 * Parses and validates the Kinesis part of a stream config. Collects every problem and throws one
 * `ShardtableError('STREAM_CONFIG')` whose detail names each key and what was wrong.
 *
 * @example
 *   const config = parseKinesisConfig(tableConfig.stream); // config.maxRecordsToFetch === 10000
 */
export function parseKinesisConfig(stream: StreamConfig, env: NodeJS.ProcessEnv = process.env, tableName?: string): KinesisConfig {
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

  const assumeRole = parseAssumeRole(get, env, problems);

  let shardIteratorType = KINESIS_DEFAULTS.shardIteratorType;
  const typeText = get(KINESIS_KEYS.shardIteratorType);
  if (typeText !== undefined) {
    const upper = typeText.toUpperCase();
    if ((SHARD_ITERATOR_TYPES as readonly string[]).includes(upper)) shardIteratorType = upper as ShardIteratorTypeName;
    else problems.push(`shardIteratorType must be one of ${SHARD_ITERATOR_TYPES.join(', ')} (got ${JSON.stringify(typeText)})`);
  }

  const initialTimestampMs = parseTimestamp(get, shardIteratorType, problems);
  const startingSequenceNumbers = parseSequenceNumbers(get, shardIteratorType, problems);

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
  const metadataTimeoutMs = int(KINESIS_KEYS.metadataTimeoutMs, KINESIS_DEFAULTS.metadataTimeoutMs, 100, 120_000);
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

  const rate = parseRateKeys(get, problems);
  const efo = parseEfoConfig(get, tableName, problems);
  if (problems.length > 0) throw new ShardtableError('STREAM_CONFIG', { detail: problems.join('; ') });

  const initialIteratorType = shardIteratorType === 'AT_SEQUENCE_NUMBER' || shardIteratorType === 'AFTER_SEQUENCE_NUMBER' ? 'TRIM_HORIZON' : shardIteratorType;
  const initialPositionDescription = initialIteratorType !== shardIteratorType
    ? `TRIM_HORIZON (${shardIteratorType} with no sequence number for the shard starts from the oldest record)`
    : initialIteratorType === 'AT_TIMESTAMP' ? `AT_TIMESTAMP ${new Date(initialTimestampMs!).toISOString()}` : initialIteratorType;

  return Object.freeze({
    streamName: streamName!,
    region,
    endpoint,
    credentials: accessKey !== undefined && secretKey !== undefined ? Object.freeze({ accessKeyId: accessKey, secretAccessKey: secretKey }) : undefined,
    assumeRole,
    shardIteratorType,
    initialIteratorType,
    initialTimestampMs,
    startingSequenceNumbers,
    initialPositionDescription,
    maxRecordsToFetch,
    fetchTimeoutMs,
    metadataTimeoutMs,
    requestsPerSecondLimit,
    discoveryIntervalMs,
    ...rate,
    efo,
  });
}

/**
 * Where a shard with no checkpoint starts, for status: `AT_SEQUENCE_NUMBER <seq>` from the map, or
 * the table-wide position (`TRIM_HORIZON (...)` for a shard missing from the map).
 */
export function initialPositionFor(config: KinesisConfig, shardId: string): string {
  const sequenceNumber = config.startingSequenceNumbers[shardId];
  if (sequenceNumber !== undefined) return `${config.shardIteratorType} ${sequenceNumber} (${KINESIS_KEYS.iteratorSequenceNumbers})`;
  if (config.initialIteratorType !== config.shardIteratorType && Object.keys(config.startingSequenceNumbers).length > 0) {
    return `TRIM_HORIZON (shard not in ${KINESIS_KEYS.iteratorSequenceNumbers}; starts from the oldest record)`;
  }
  return config.initialPositionDescription;
}

type Get = (key: string) => string | undefined;

function parseTimestamp(get: Get, type: ShardIteratorTypeName, problems: string[]): number | undefined {
  const key = get(KINESIS_KEYS.iteratorTimestamp) !== undefined ? KINESIS_KEYS.iteratorTimestamp
    : get(KINESIS_KEYS.shardIteratorTimestamp) !== undefined ? KINESIS_KEYS.shardIteratorTimestamp : undefined;
  if (key === undefined) {
    if (type === 'AT_TIMESTAMP') problems.push(`${KINESIS_KEYS.iteratorTimestamp} is required when shardIteratorType is AT_TIMESTAMP (ISO-8601 or epoch millis)`);
    return undefined;
  }
  const text = get(key)!;
  if (type !== 'AT_TIMESTAMP') {
    problems.push(`${key} is only used with shardIteratorType AT_TIMESTAMP (shardIteratorType is ${type})`);
    return undefined;
  }
  const ms = /^[0-9]+$/.test(text) ? Number(text) : ISO_8601.test(text) ? Date.parse(text) : Number.NaN;
  if (!Number.isSafeInteger(ms)) {
    problems.push(`${key} must be epoch millis or an ISO-8601 time such as 2024-01-02T03:04:05Z (got ${JSON.stringify(text)})`);
    return undefined;
  }
  return ms;
}

/** ISO-8601 date or date-time (`2024-01-02`, `2024-01-02T03:04:05Z`, `…05.123+02:00`). */
const ISO_8601 = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?)?$/i;
const SEQUENCE_NUMBER = /^[0-9]{1,128}$/;

function parseSequenceNumbers(get: Get, type: ShardIteratorTypeName, problems: string[]): Readonly<Record<string, string>> {
  const key = KINESIS_KEYS.iteratorSequenceNumbers;
  const text = get(key);
  if (text === undefined) return Object.freeze({});
  if (type !== 'AT_SEQUENCE_NUMBER' && type !== 'AFTER_SEQUENCE_NUMBER') {
    problems.push(`${key} is only used with shardIteratorType AT_SEQUENCE_NUMBER or AFTER_SEQUENCE_NUMBER (shardIteratorType is ${type})`);
    return Object.freeze({});
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    problems.push(`${key} must be a JSON object mapping shard ids to sequence numbers, e.g. {"shardId-000000000000":"4959..."} (got text that is not JSON)`);
    return Object.freeze({});
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    problems.push(`${key} must be a JSON object mapping shard ids to sequence numbers (got ${Array.isArray(parsed) ? 'an array' : typeof parsed})`);
    return Object.freeze({});
  }
  const map: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const [shardId, value] of Object.entries(parsed)) {
    const seq = typeof value === 'string' ? value.trim() : typeof value === 'number' && Number.isSafeInteger(value) ? String(value) : undefined;
    if (seq === undefined || !SEQUENCE_NUMBER.test(seq)) {
      problems.push(`${key}[${JSON.stringify(shardId)}] must be a sequence number of 1-128 decimal digits, as a string (got ${JSON.stringify(value)})`);
      continue;
    }
    if (shardId.trim() === '' || shardId.length > 128) {
      problems.push(`${key} has an invalid shard id ${JSON.stringify(shardId)}`);
      continue;
    }
    map[shardId] = BigInt(seq).toString();
  }
  return Object.freeze({ ...map });
}

const ROLE_ARN = /^arn:aws[a-z-]*:iam::[0-9]{12}:role\/[\w+=,.@\/-]{1,512}$/;
const ROLE_SESSION_NAME = /^[\w+=,.@-]{2,64}$/;
const EXTERNAL_ID = /^[\w+=,.@:\/-]{2,1224}$/;

function parseAssumeRole(get: Get, env: NodeJS.ProcessEnv, problems: string[]): AssumeRoleConfig | undefined {
  const iam = get(KINESIS_KEYS.iamRoleBasedAccessEnabled)?.toLowerCase();
  if (iam !== undefined && iam !== 'true' && iam !== 'false') {
    problems.push(`${KINESIS_KEYS.iamRoleBasedAccessEnabled} must be true or false (got ${JSON.stringify(get(KINESIS_KEYS.iamRoleBasedAccessEnabled))})`);
    return undefined;
  }
  const roleKeys = [KINESIS_KEYS.roleArn, KINESIS_KEYS.externalId, KINESIS_KEYS.roleSessionName, KINESIS_KEYS.sessionDurationSeconds, KINESIS_KEYS.stsEndpoint];
  if (iam !== 'true') {
    const stray = roleKeys.filter((k) => get(k) !== undefined);
    if (stray.length > 0) problems.push(`${stray.join(', ')} ${stray.length === 1 ? 'is' : 'are'} only used when ${KINESIS_KEYS.iamRoleBasedAccessEnabled} is true`);
    return undefined;
  }
  const before = problems.length;
  const roleArn = get(KINESIS_KEYS.roleArn);
  if (roleArn === undefined) problems.push(`${KINESIS_KEYS.roleArn} is required when ${KINESIS_KEYS.iamRoleBasedAccessEnabled} is true`);
  else if (!ROLE_ARN.test(roleArn)) problems.push(`${KINESIS_KEYS.roleArn} must be an IAM role ARN like arn:aws:iam::123456789012:role/name (got ${JSON.stringify(roleArn)})`);
  const externalId = get(KINESIS_KEYS.externalId);
  // The external id is a shared secret of sorts: name the key, never echo the value.
  if (externalId !== undefined && !EXTERNAL_ID.test(externalId)) problems.push(`${KINESIS_KEYS.externalId} must be 2-1224 characters of letters, digits and +=,.@:/-`);
  const roleSessionName = get(KINESIS_KEYS.roleSessionName);
  if (roleSessionName !== undefined && !ROLE_SESSION_NAME.test(roleSessionName)) {
    problems.push(`${KINESIS_KEYS.roleSessionName} must be 2-64 characters of letters, digits and _+=,.@- (got ${JSON.stringify(roleSessionName)})`);
  }
  let sessionDurationSeconds = KINESIS_DEFAULTS.sessionDurationSeconds;
  const durationText = get(KINESIS_KEYS.sessionDurationSeconds);
  if (durationText !== undefined) {
    const value = /^[0-9]+$/.test(durationText) ? Number(durationText) : Number.NaN;
    if (!(Number.isSafeInteger(value) && value >= 900 && value <= 43_200)) {
      problems.push(`${KINESIS_KEYS.sessionDurationSeconds} must be an integer from 900 to 43200 (got ${JSON.stringify(durationText)})`);
    } else {
      sessionDurationSeconds = value;
    }
  }
  const stsKey = get(KINESIS_KEYS.stsEndpoint) !== undefined ? KINESIS_KEYS.stsEndpoint : 'AWS_ENDPOINT_URL_STS (env)';
  const stsEndpoint = get(KINESIS_KEYS.stsEndpoint) ?? (env.AWS_ENDPOINT_URL_STS?.trim() || undefined);
  if (stsEndpoint !== undefined && !isHttpUrl(stsEndpoint)) problems.push(`${stsKey} must be an http:// or https:// URL (got ${JSON.stringify(stsEndpoint)})`);
  if (problems.length > before) return undefined;
  return Object.freeze({ roleArn: roleArn!, externalId, roleSessionName, sessionDurationSeconds, stsEndpoint });
}

function isHttpUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}

/** Defaults of the rate keys (`parseRateKeys`). */
export const KINESIS_RATE_DEFAULTS: Readonly<{ maxFetchRateMBps: number; minFetchPeriodMs: number; maxConcurrentFetches: number }> = Object.freeze({
  maxFetchRateMBps: 2.0,
  minFetchPeriodMs: 200,
  maxConcurrentFetches: 16,
});

/** `maxFetchRate`, `minFetchPeriod`, `stream.kinesis.max.concurrent.fetches`; problems name the key. */
function parseRateKeys(get: Get, problems: string[]): { maxFetchRateMBps: number; minFetchPeriodMs: number; maxConcurrentFetches: number } {
  const result = { ...KINESIS_RATE_DEFAULTS };
  const rateText = get(KINESIS_KEYS.maxFetchRate);
  if (rateText !== undefined) {
    const value = /^[0-9]*\.?[0-9]+$/.test(rateText) ? Number(rateText) : Number.NaN;
    if (value > 0 && value <= 1000) result.maxFetchRateMBps = value;
    else problems.push(`${KINESIS_KEYS.maxFetchRate} must be a number of MB/s greater than 0 and at most 1000 (got ${JSON.stringify(rateText)})`);
  }
  const periodText = get(KINESIS_KEYS.minFetchPeriod);
  if (periodText !== undefined) {
    const value = parseDurationMs(periodText);
    if (value !== undefined && value <= 60_000) result.minFetchPeriodMs = value;
    else problems.push(`${KINESIS_KEYS.minFetchPeriod} must be millis or a duration such as 200ms or 1s, at most 60s (got ${JSON.stringify(periodText)})`);
  }
  const concurrencyText = get(KINESIS_KEYS.maxConcurrentFetches);
  if (concurrencyText !== undefined) {
    const value = /^[0-9]+$/.test(concurrencyText) ? Number(concurrencyText) : Number.NaN;
    if (Number.isSafeInteger(value) && value >= 1 && value <= 1000) result.maxConcurrentFetches = value;
    else problems.push(`${KINESIS_KEYS.maxConcurrentFetches} must be an integer from 1 to 1000 (got ${JSON.stringify(concurrencyText)})`);
  }
  return result;
}
