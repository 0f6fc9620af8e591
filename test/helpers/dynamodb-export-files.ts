import { gzipSync } from 'node:zlib';
import { ScanCommand } from '@aws-sdk/client-dynamodb';
import type { AttributeValue, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import type { S3Client } from '@aws-sdk/client-s3';

/**
 * TEST ONLY. Writes a DynamoDB export of `table` into S3 in the documented DYNAMODB_JSON export
 * layout, as `ExportTableToPointInTime` does on AWS — written by the test because moto's export
 * writes one data file under a random folder and no manifests:
 * `<prefix>/AWSDynamoDB/<exportId>/manifest-summary.json` (exportTime, itemCount, outputFormat,
 * manifestFilesS3Key), `manifest-files.json` (one line per data file, `dataFileS3Key`), and
 * `data/<n>.json.gz` files of `{"Item":{...}}` lines (binary values in base64). The items come
 * from a consistent scan; `exportTime` is when the scan started unless given.
 */
export async function writeDynamoDbExport(
  client: DynamoDBClient,
  s3: S3Client,
  opts: { table: string; bucket: string; prefix: string; exportId: string; files: number; exportTimeMs?: number },
): Promise<{ itemCount: number }> {
  const exportTimeMs = opts.exportTimeMs ?? Date.now();
  const items: Record<string, AttributeValue>[] = [];
  let start: Record<string, AttributeValue> | undefined;
  do {
    const page = await client.send(new ScanCommand({ TableName: opts.table, ConsistentRead: true, ...(start ? { ExclusiveStartKey: start } : {}) }));
    items.push(...(page.Items ?? []));
    start = page.LastEvaluatedKey;
  } while (start !== undefined);
  const base = `${opts.prefix}/AWSDynamoDB/${opts.exportId}/`;
  const manifestLines: string[] = [];
  for (let f = 0; f < opts.files; f++) {
    const mine = items.filter((_, i) => i % opts.files === f);
    const text = mine.map((item) => JSON.stringify({ Item: item }, (_k, v: unknown) => (v instanceof Uint8Array ? Buffer.from(v).toString('base64') : v))).join('\n');
    const key = `${base}data/${String(f).padStart(4, '0')}-${opts.exportId}.json.gz`;
    await s3.send(new PutObjectCommand({ Bucket: opts.bucket, Key: key, Body: gzipSync(text === '' ? '' : `${text}\n`) }));
    manifestLines.push(JSON.stringify({ itemCount: mine.length, md5Checksum: 'test', etag: 'test', dataFileS3Key: key }));
  }
  await s3.send(new PutObjectCommand({ Bucket: opts.bucket, Key: `${base}manifest-files.json`, Body: `${manifestLines.join('\n')}\n` }));
  const summary = {
    version: '2020-06-30',
    exportArn: `arn:aws:dynamodb:us-east-1:123456789012:table/${opts.table}/export/${opts.exportId}`,
    startTime: new Date(exportTimeMs).toISOString(),
    endTime: new Date().toISOString(),
    tableArn: `arn:aws:dynamodb:us-east-1:123456789012:table/${opts.table}`,
    exportTime: new Date(exportTimeMs).toISOString(),
    s3Bucket: opts.bucket,
    s3Prefix: opts.prefix,
    manifestFilesS3Key: `${base}manifest-files.json`,
    billedSizeBytes: 0,
    itemCount: items.length,
    outputFormat: 'DYNAMODB_JSON',
  };
  await s3.send(new PutObjectCommand({ Bucket: opts.bucket, Key: `${base}manifest-summary.json`, Body: JSON.stringify(summary) }));
  return { itemCount: items.length };
}
