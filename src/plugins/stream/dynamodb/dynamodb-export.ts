import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import type { S3Client } from '@aws-sdk/client-s3';
import { ShardtableError } from '../../../errors.js';
import type { DynamoDbConfig } from './dynamodb-config.js';
import { DYNAMODB_KEYS } from './dynamodb-config.js';
import { errorName } from './dynamodb-errors.js';
import type { SourceTable } from './dynamodb-source.js';

const gunzipAsync = promisify(gunzip);

/** DynamoDB Streams keeps a stream's records this long: an older export cannot be continued by the stream. */
export const STREAM_RETENTION_MS = 24 * 60 * 60 * 1000;

/** Reads one S3 object whole (the SDK's GetObject, or a test's). */
export type GetObject = (bucket: string, key: string, signal?: AbortSignal) => Promise<Uint8Array>;

export function sdkGetObject(s3: S3Client): GetObject {
  return async (bucket, key, signal) => {
    const out = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }), signal ? { abortSignal: signal } : {});
    if (out.Body === undefined) throw new Error(`s3://${bucket}/${key} has no body`);
    return out.Body.transformToByteArray();
  };
}

/** What the export's manifests say: when it was taken, how many items, and its data files (in manifest order). */
export interface ExportManifest {
  readonly exportTimeMs: number;
  readonly itemCount: number;
  /** S3 keys of the `.json.gz` data files, as `manifest-files.json` lists them. */
  readonly dataKeys: readonly string[];
}

/**
 * Reads a DynamoDB export's manifests (`ExportTableToPointInTime` with `ExportFormat:
 * DYNAMODB_JSON`): `<prefix>/AWSDynamoDB/<exportId>/manifest-summary.json` (its `exportTime`,
 * `itemCount`, `outputFormat`, `manifestFilesS3Key`), then `manifest-files.json` (one JSON object a
 * line, each naming a data file by `dataFileS3Key`). Checks that the stream can continue the
 * export: taken no more than 24 hours ago (DynamoDB Streams' retention), and not before the
 * table's stream was enabled. A problem is a `STREAM_CONFIG` error naming the key to change
 * (a 400 at `POST /tables`, which waits for the first listing).
 */
export async function readExportManifest(get: GetObject, config: DynamoDbConfig, table: SourceTable, now: number, signal?: AbortSignal): Promise<ExportManifest> {
  const exp = config.export!;
  const base = `${exp.prefix === '' ? '' : `${exp.prefix}/`}AWSDynamoDB/${exp.exportId}/`;
  const summary = parseJson(await fetchText(get, exp.bucket, `${base}manifest-summary.json`, signal), `s3://${exp.bucket}/${base}manifest-summary.json`) as {
    exportTime?: unknown;
    itemCount?: unknown;
    outputFormat?: unknown;
    manifestFilesS3Key?: unknown;
  };
  const problem = (text: string): never => {
    throw new ShardtableError('STREAM_CONFIG', { detail: `${DYNAMODB_KEYS.exportId}: export ${exp.exportId} in s3://${exp.bucket}/${base}: ${text}` });
  };
  if (summary.outputFormat !== undefined && summary.outputFormat !== 'DYNAMODB_JSON') problem(`its format is ${JSON.stringify(summary.outputFormat)}; only DYNAMODB_JSON exports are read`);
  const exportTimeMs = typeof summary.exportTime === 'string' ? Date.parse(summary.exportTime) : Number.NaN;
  if (!Number.isFinite(exportTimeMs)) problem(`manifest-summary.json has no exportTime (ISO-8601): ${JSON.stringify(summary.exportTime)}`);
  if (now - exportTimeMs > STREAM_RETENTION_MS) {
    problem(`it was taken at ${new Date(exportTimeMs).toISOString()}, more than 24 hours ago; the table's stream no longer holds the changes since. Export the table again (ExportTableToPointInTime) and name the new export, or load by scan`);
  }
  const streamLabel = Date.parse(table.streamArn.split('/stream/')[1] ?? '');
  if (Number.isFinite(streamLabel) && streamLabel > exportTimeMs) {
    problem(`it was taken at ${new Date(exportTimeMs).toISOString()}, before the table's stream was enabled (${new Date(streamLabel).toISOString()}); the changes in between are in neither. Export the table again, or load by scan`);
  }
  const filesKey = typeof summary.manifestFilesS3Key === 'string' ? summary.manifestFilesS3Key : `${base}manifest-files.json`;
  const lines = (await fetchText(get, exp.bucket, filesKey, signal)).split('\n').filter((l) => l.trim() !== '');
  const dataKeys = lines.map((line, i) => {
    const entry = parseJson(line, `s3://${exp.bucket}/${filesKey} line ${i + 1}`) as { dataFileS3Key?: unknown };
    if (typeof entry.dataFileS3Key !== 'string') problem(`${filesKey} line ${i + 1} has no dataFileS3Key`);
    return entry.dataFileS3Key as string;
  });
  return Object.freeze({ exportTimeMs, itemCount: typeof summary.itemCount === 'number' ? summary.itemCount : 0, dataKeys: Object.freeze(dataKeys) });
}

/** One data file's lines (gzip, one `{"Item":{...}}` a line). */
export async function readDataFile(get: GetObject, bucket: string, key: string, signal?: AbortSignal): Promise<string[]> {
  const bytes = await get(bucket, key, signal);
  const text = key.endsWith('.gz') ? (await gunzipAsync(bytes)).toString('utf8') : Buffer.from(bytes).toString('utf8');
  return text.split('\n').filter((l) => l.trim() !== '');
}

async function fetchText(get: GetObject, bucket: string, key: string, signal?: AbortSignal): Promise<string> {
  try {
    return Buffer.from(await get(bucket, key, signal)).toString('utf8');
  } catch (err) {
    if (errorName(err) === 'NoSuchKey' || errorName(err) === 'NoSuchBucket') {
      throw new ShardtableError('STREAM_CONFIG', {
        detail: `${DYNAMODB_KEYS.exportId}: s3://${bucket}/${key} does not exist (${errorName(err)}); check ${DYNAMODB_KEYS.exportBucket}, ${DYNAMODB_KEYS.exportPrefix} and ${DYNAMODB_KEYS.exportId}`,
      });
    }
    throw err;
  }
}

function parseJson(text: string, where: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new ShardtableError('STREAM_CONFIG', { detail: `${DYNAMODB_KEYS.exportId}: ${where} is not JSON: ${(err as Error).message}` });
  }
}
