import type { TableSchema } from '../../../config/schema.js';
import type { StreamConfig, TableConfig } from '../../../config/table-config.js';
import { ShardtableError } from '../../../errors.js';
import { ID_COLUMN } from './dynamodb-attributes.js';

const P = 'stream.dynamodb.';

/** The `streamConfigs` keys the DynamoDB plugin reads (docs/config.md, "DynamoDB keys"). */
export const DYNAMODB_KEYS = Object.freeze({
  tableName: `${P}table.name`,
  region: `${P}region`,
  initialLoad: `${P}initial.load`,
  scanRcuLimit: `${P}scan.rcu.limit`,
  scanSegments: `${P}scan.segments`,
  scanPageLimit: `${P}scan.page.limit`,
  exportBucket: `${P}export.s3.bucket`,
  exportPrefix: `${P}export.s3.prefix`,
  exportId: `${P}export.id`,
  shardIteratorType: `${P}shardIteratorType`,
  maxRecords: `${P}max.records`,
  pollIntervalMs: `${P}poll.interval.millis`,
  fetchTimeoutMs: `${P}fetch.timeout.millis`,
  metadataTimeoutMs: `${P}metadata.timeout.millis`,
  discoveryIntervalMs: `${P}shard.discovery.interval.ms`,
  idAttributeRename: `${P}id.attribute.rename`,
  accessKey: `${P}accessKey`,
  secretKey: `${P}secretKey`,
  iamRoleBasedAccessEnabled: `${P}iamRoleBasedAccessEnabled`,
  roleArn: `${P}roleArn`,
  externalId: `${P}externalId`,
  roleSessionName: `${P}roleSessionName`,
  sessionDurationSeconds: `${P}sessionDurationSeconds`,
  stsEndpoint: `${P}stsEndpoint`,
});

export interface DynamoDbAssumeRole {
  readonly roleArn: string;
  readonly externalId: string | undefined;
  readonly roleSessionName: string | undefined;
  readonly sessionDurationSeconds: number;
  readonly stsEndpoint: string | undefined;
}

/** A DynamoDB-fed table's settings, validated once at admission and frozen. */
export interface DynamoDbConfig {
  readonly tableName: string;
  readonly region: string | undefined;
  /** DynamoDB endpoint (env `AWS_ENDPOINT_URL_DYNAMODB`, else `AWS_ENDPOINT_URL`); undefined = AWS. */
  readonly endpoint: string | undefined;
  /** DynamoDB Streams endpoint (env `AWS_ENDPOINT_URL_DYNAMODB_STREAMS`, else `AWS_ENDPOINT_URL`). */
  readonly streamsEndpoint: string | undefined;
  readonly initialLoad: 'scan' | 'export' | 'none';
  /** With `initial.load: export`: the export to load (its files at `s3://bucket/prefix/AWSDynamoDB/<exportId>/`). */
  readonly export: { readonly bucket: string; readonly prefix: string; readonly exportId: string } | undefined;
  /** S3 endpoint (env `AWS_ENDPOINT_URL_S3`, else `AWS_ENDPOINT_URL`); undefined = AWS. */
  readonly s3Endpoint: string | undefined;
  /** Read-capacity units per second the whole scan may use (every segment together). */
  readonly scanRcuLimit: number;
  readonly scanSegments: number;
  /** Scan `Limit` (items per page), before the capacity budget shrinks it. */
  readonly scanPageLimit: number;
  /** Where a shard with no checkpoint starts when there is no initial load. */
  readonly shardIteratorType: 'TRIM_HORIZON' | 'LATEST';
  /** GetRecords `Limit`, 1..1000. */
  readonly maxRecords: number;
  /** Least time between two GetRecords calls on one shard (DynamoDB allows about 5/s per shard). */
  readonly pollIntervalMs: number;
  readonly fetchTimeoutMs: number;
  readonly metadataTimeoutMs: number;
  readonly discoveryIntervalMs: number;
  /** The name an item's own `_id` attribute is given (undefined: an item with one is an error). */
  readonly idAttributeRename: string | undefined;
  /** The table's `upsertConfig.deleteRecordColumn`: true on REMOVE, false otherwise. */
  readonly deleteColumn: string;
  readonly credentials: { readonly accessKeyId: string; readonly secretAccessKey: string } | undefined;
  readonly assumeRole: DynamoDbAssumeRole | undefined;
}

export const DYNAMODB_DEFAULTS = Object.freeze({
  scanRcuLimit: 500,
  scanSegments: 4,
  scanPageLimit: 1000,
  maxRecords: 1000,
  pollIntervalMs: 250,
  fetchTimeoutMs: 5000,
  metadataTimeoutMs: 5000,
  discoveryIntervalMs: 60_000,
  sessionDurationSeconds: 900,
});

const KNOWN = new Set<string>(Object.values(DYNAMODB_KEYS));

/**
 * Parses the `stream.dynamodb.*` keys and checks what a DynamoDB-fed table needs of its table
 * config: an upsert table in FULL mode keyed by `_id` (STRING), with a `deleteRecordColumn` (REMOVE
 * events set it) and the JSON decoder (items reach it as JSON). Throws `STREAM_CONFIG` listing every
 * problem with its key. Opens no connection; the stream view type is checked when the table starts
 * (`dynamodb-shards.ts`), which `POST /tables` waits for.
 */
export function parseDynamoDbConfig(
  stream: StreamConfig,
  table: { readonly config: TableConfig; readonly schema: TableSchema } | undefined,
  env: NodeJS.ProcessEnv = process.env,
): DynamoDbConfig {
  const problems: string[] = [];
  const props = stream.properties;
  const get = (key: string): string | undefined => {
    const v = props[key]?.trim();
    return v === undefined || v === '' ? undefined : v;
  };
  for (const key of Object.keys(props)) {
    if (key.startsWith(P) && !KNOWN.has(key) && !key.startsWith(`${P}decoder.`) && key !== `${P}topic.name`) {
      problems.push(`${key}: unknown key; the DynamoDB keys are listed in docs/config.md`);
    }
  }
  const int = (key: string, dflt: number, min: number, max: number): number => {
    const text = get(key);
    if (text === undefined) return dflt;
    const n = Number(text);
    if (!Number.isInteger(n) || n < min || n > max) problems.push(`${key}: must be an integer from ${min} to ${max}, got ${JSON.stringify(text)}`);
    return n;
  };
  const tableName = get(DYNAMODB_KEYS.tableName) ?? '';
  if (tableName !== '' && !/^[A-Za-z0-9_.-]{3,255}$/.test(tableName)) problems.push(`${DYNAMODB_KEYS.tableName}: ${JSON.stringify(tableName)} is not a DynamoDB table name (3-255 of A-Z a-z 0-9 _ . -)`);
  const load = (get(DYNAMODB_KEYS.initialLoad) ?? 'scan').toLowerCase();
  if (load !== 'scan' && load !== 'none' && load !== 'export') problems.push(`${DYNAMODB_KEYS.initialLoad}: must be scan, export or none, got ${JSON.stringify(load)}`);
  const exportKeys = [DYNAMODB_KEYS.exportBucket, DYNAMODB_KEYS.exportPrefix, DYNAMODB_KEYS.exportId];
  if (load === 'export') {
    for (const key of [DYNAMODB_KEYS.exportBucket, DYNAMODB_KEYS.exportId]) {
      if (get(key) === undefined) problems.push(`${key}: required with ${DYNAMODB_KEYS.initialLoad} export (the S3 bucket and the id of a DYNAMODB_JSON export of the table; docs/dynamodb.md, "Initial load from an export")`);
    }
    const id = get(DYNAMODB_KEYS.exportId);
    if (id !== undefined && !/^[A-Za-z0-9-]{1,64}$/.test(id)) problems.push(`${DYNAMODB_KEYS.exportId}: ${JSON.stringify(id)} is not an export id (the last part of the export ARN, e.g. 01234567890123-abcdef12)`);
  } else {
    for (const key of exportKeys) if (get(key) !== undefined) problems.push(`${key}: only used with ${DYNAMODB_KEYS.initialLoad} export`);
  }
  const rcuText = get(DYNAMODB_KEYS.scanRcuLimit);
  const scanRcuLimit = rcuText === undefined ? DYNAMODB_DEFAULTS.scanRcuLimit : Number(rcuText);
  if (!Number.isFinite(scanRcuLimit) || scanRcuLimit < 1) problems.push(`${DYNAMODB_KEYS.scanRcuLimit}: must be a number of read-capacity units per second, at least 1, got ${JSON.stringify(rcuText)}`);
  const iterator = (get(DYNAMODB_KEYS.shardIteratorType) ?? 'TRIM_HORIZON').toUpperCase();
  if (iterator !== 'TRIM_HORIZON' && iterator !== 'LATEST') problems.push(`${DYNAMODB_KEYS.shardIteratorType}: must be TRIM_HORIZON or LATEST, got ${JSON.stringify(iterator)}`);
  const rename = get(DYNAMODB_KEYS.idAttributeRename);
  if (rename === ID_COLUMN) problems.push(`${DYNAMODB_KEYS.idAttributeRename}: must be another name than ${ID_COLUMN}`);

  const credentials = parseCredentials(get, problems);
  const assumeRole = parseAssumeRole(get, env, problems);
  const deleteColumn = table === undefined ? '' : checkTable(table, stream, problems);

  const config: DynamoDbConfig = {
    tableName,
    region: get(DYNAMODB_KEYS.region) ?? undefined,
    endpoint: env.AWS_ENDPOINT_URL_DYNAMODB?.trim() || env.AWS_ENDPOINT_URL?.trim() || undefined,
    streamsEndpoint: env.AWS_ENDPOINT_URL_DYNAMODB_STREAMS?.trim() || env.AWS_ENDPOINT_URL?.trim() || undefined,
    initialLoad: load === 'none' ? 'none' : load === 'export' ? 'export' : 'scan',
    export: load === 'export' ? { bucket: get(DYNAMODB_KEYS.exportBucket) ?? '', prefix: (get(DYNAMODB_KEYS.exportPrefix) ?? '').replace(/^\/+|\/+$/g, ''), exportId: get(DYNAMODB_KEYS.exportId) ?? '' } : undefined,
    s3Endpoint: env.AWS_ENDPOINT_URL_S3?.trim() || env.AWS_ENDPOINT_URL?.trim() || undefined,
    scanRcuLimit,
    scanSegments: int(DYNAMODB_KEYS.scanSegments, DYNAMODB_DEFAULTS.scanSegments, 1, 1000),
    scanPageLimit: int(DYNAMODB_KEYS.scanPageLimit, DYNAMODB_DEFAULTS.scanPageLimit, 1, 10_000),
    shardIteratorType: iterator === 'LATEST' ? 'LATEST' : 'TRIM_HORIZON',
    maxRecords: int(DYNAMODB_KEYS.maxRecords, DYNAMODB_DEFAULTS.maxRecords, 1, 1000),
    pollIntervalMs: int(DYNAMODB_KEYS.pollIntervalMs, DYNAMODB_DEFAULTS.pollIntervalMs, 0, 60_000),
    fetchTimeoutMs: int(DYNAMODB_KEYS.fetchTimeoutMs, DYNAMODB_DEFAULTS.fetchTimeoutMs, 100, 600_000),
    metadataTimeoutMs: int(DYNAMODB_KEYS.metadataTimeoutMs, DYNAMODB_DEFAULTS.metadataTimeoutMs, 100, 600_000),
    discoveryIntervalMs: int(DYNAMODB_KEYS.discoveryIntervalMs, DYNAMODB_DEFAULTS.discoveryIntervalMs, 100, 86_400_000),
    idAttributeRename: rename,
    deleteColumn,
    credentials,
    assumeRole,
  };
  if (problems.length > 0) throw new ShardtableError('STREAM_CONFIG', { detail: problems.join('; ') });
  return Object.freeze(config);
}

/** What the table config must be for a DynamoDB source; returns the delete column. */
function checkTable(table: { readonly config: TableConfig; readonly schema: TableSchema }, stream: StreamConfig, problems: string[]): string {
  const { config, schema } = table;
  const upsert = config.upsert;
  const need = `a DynamoDB-fed table is an upsert table keyed by ${ID_COLUMN}: schema primaryKeyColumns ["${ID_COLUMN}"] and upsertConfig {"mode":"FULL","deleteRecordColumn":...}`;
  if (upsert === undefined) {
    problems.push(`upsertConfig: missing; ${need}`);
    return '';
  }
  if (upsert.mode !== 'FULL') problems.push(`upsertConfig.mode: must be FULL for a DynamoDB source (each change carries the whole item), got ${upsert.mode}`);
  if (upsert.primaryKeyColumns.length !== 1 || upsert.primaryKeyColumns[0] !== ID_COLUMN) {
    problems.push(`primaryKeyColumns: must be ["${ID_COLUMN}"] (the document id computed from the DynamoDB key), got ${JSON.stringify(upsert.primaryKeyColumns)}; ${need}`);
  } else {
    const id = schema.columns[schema.columnIndex.get(ID_COLUMN) ?? -1];
    if (id !== undefined && id.dataType !== 'STRING') problems.push(`${ID_COLUMN}: must be a STRING column, got ${id.dataType}`);
  }
  if (config.streams.length > 1) problems.push(`streamConfigMaps: a DynamoDB source must be its table's only stream (the load, then the stream, order each item's changes), got ${config.streams.length} streams`);
  if (upsert.deleteRecordColumn === undefined) problems.push(`upsertConfig.deleteRecordColumn: required for a DynamoDB source (REMOVE events set it to true); e.g. a BOOLEAN column "_deleted"`);
  if (stream.decoderName !== 'json') problems.push(`${P}decoder.class.name: a DynamoDB source delivers items as JSON; the ${stream.decoderName} decoder cannot read them`);
  return upsert.deleteRecordColumn ?? '';
}

function parseCredentials(get: (k: string) => string | undefined, problems: string[]): DynamoDbConfig['credentials'] {
  const accessKeyId = get(DYNAMODB_KEYS.accessKey);
  const secretAccessKey = get(DYNAMODB_KEYS.secretKey);
  if ((accessKeyId === undefined) !== (secretAccessKey === undefined)) {
    problems.push(`${accessKeyId === undefined ? DYNAMODB_KEYS.accessKey : DYNAMODB_KEYS.secretKey}: set both ${DYNAMODB_KEYS.accessKey} and ${DYNAMODB_KEYS.secretKey}, or neither`);
    return undefined;
  }
  return accessKeyId === undefined ? undefined : Object.freeze({ accessKeyId, secretAccessKey: secretAccessKey! });
}

function parseAssumeRole(get: (k: string) => string | undefined, env: NodeJS.ProcessEnv, problems: string[]): DynamoDbAssumeRole | undefined {
  const enabled = (get(DYNAMODB_KEYS.iamRoleBasedAccessEnabled) ?? 'false').toLowerCase();
  if (enabled !== 'true' && enabled !== 'false') problems.push(`${DYNAMODB_KEYS.iamRoleBasedAccessEnabled}: must be true or false, got ${JSON.stringify(enabled)}`);
  if (enabled !== 'true') {
    for (const key of [DYNAMODB_KEYS.roleArn, DYNAMODB_KEYS.externalId, DYNAMODB_KEYS.roleSessionName]) {
      if (get(key) !== undefined) problems.push(`${key}: only used with ${DYNAMODB_KEYS.iamRoleBasedAccessEnabled}=true`);
    }
    return undefined;
  }
  const roleArn = get(DYNAMODB_KEYS.roleArn);
  if (roleArn === undefined || !roleArn.startsWith('arn:')) problems.push(`${DYNAMODB_KEYS.roleArn}: required with ${DYNAMODB_KEYS.iamRoleBasedAccessEnabled}=true (an IAM role ARN, arn:aws:iam::<account>:role/<name>)`);
  const durationText = get(DYNAMODB_KEYS.sessionDurationSeconds);
  const duration = durationText === undefined ? DYNAMODB_DEFAULTS.sessionDurationSeconds : Number(durationText);
  if (!Number.isInteger(duration) || duration < 900 || duration > 43_200) problems.push(`${DYNAMODB_KEYS.sessionDurationSeconds}: must be an integer from 900 to 43200, got ${JSON.stringify(durationText)}`);
  return Object.freeze({
    roleArn: roleArn ?? '',
    externalId: get(DYNAMODB_KEYS.externalId),
    roleSessionName: get(DYNAMODB_KEYS.roleSessionName),
    sessionDurationSeconds: duration,
    stsEndpoint: get(DYNAMODB_KEYS.stsEndpoint) ?? (env.AWS_ENDPOINT_URL_STS?.trim() || undefined),
  });
}
