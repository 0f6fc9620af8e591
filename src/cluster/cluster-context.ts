import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { defaultOrLoopbackCredentials } from '../util/loopback-credentials.js';

/** Where a cluster keeps its segments: `--deep-store s3://<bucket>/<prefix>`. */
export interface DeepStoreLocation {
  readonly bucket: string;
  /** Key prefix without leading or trailing slash; '' for the bucket's root. */
  readonly prefix: string;
}

/** The serve flags that turn a lone server into a cluster member. */
export interface ClusterFlags {
  /** From `--cluster dynamodb:<table-prefix>`. */
  readonly tablePrefix: string;
  readonly deepStore: DeepStoreLocation;
  /** `--server-id`; default host:port of the listener. */
  readonly serverId?: string;
}

/** The DynamoDB tables a cluster keeps, all named from the prefix (created when missing). */
export interface ClusterTableNames {
  /** One item per (table, shard): holder, lease counter, heartbeat (KCL-style). */
  readonly leases: string;
  /** One item per committed sealed segment: S3 key, partition, offsets, rows, the lease counter it was committed under. */
  readonly segments: string;
  /** Schemas and table configs, so that a table created through any server is seen by all. */
  readonly tables: string;
  /** One item per live server: id, advertised URL, heartbeat (the brokers' membership view). */
  readonly servers: string;
}

/** What every cluster part is given: the clients, names and who this server is. */
export interface ClusterContext {
  readonly serverId: string;
  /** The base URL peers reach this server at, e.g. `http://127.0.0.1:9001`. */
  readonly advertisedUrl: string;
  readonly tables: ClusterTableNames;
  readonly deepStore: DeepStoreLocation;
  readonly dynamodb: DynamoDBClient;
  readonly s3: S3Client;
  destroy(): void;
}

/** `dynamodb:<table-prefix>` → the prefix; throws naming the flag and the expected form. */
export function parseClusterFlag(value: string): string {
  const match = /^dynamodb:([A-Za-z0-9_.-]{1,200})$/.exec(value);
  if (!match) throw new Error(`--cluster ${JSON.stringify(value)}: expected dynamodb:<table-prefix> (letters, digits, '_', '-', '.')`);
  return match[1]!;
}

/** `s3://<bucket>/<prefix>` → bucket and prefix; throws naming the flag and the expected form. */
export function parseDeepStoreFlag(value: string): DeepStoreLocation {
  const match = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])(?:\/(.*))?$/.exec(value);
  if (!match) throw new Error(`--deep-store ${JSON.stringify(value)}: expected s3://<bucket>/<prefix> with a valid bucket name`);
  return { bucket: match[1]!, prefix: (match[2] ?? '').replace(/^\/+|\/+$/g, '') };
}

export function clusterTableNames(prefix: string): ClusterTableNames {
  return { leases: `${prefix}-leases`, segments: `${prefix}-segments`, tables: `${prefix}-tables`, servers: `${prefix}-servers` };
}

const FALLBACK_REGION = 'us-east-1';

/**
 * The cluster's clients: endpoints from the SDK's standard variables (`AWS_ENDPOINT_URL_DYNAMODB`,
 * `AWS_ENDPOINT_URL_S3`, read by the SDK itself), region from its chain (else us-east-1), the
 * default credential chain (dummy keys only when an endpoint is on loopback, as for moto).
 */
export function createClusterContext(flags: ClusterFlags, advertisedUrl: string): ClusterContext {
  const credentials = defaultOrLoopbackCredentials([process.env.AWS_ENDPOINT_URL_DYNAMODB, process.env.AWS_ENDPOINT_URL_S3, process.env.AWS_ENDPOINT_URL]);
  const region = process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? FALLBACK_REGION;
  const common = { region, credentials, requestHandler: new NodeHttpHandler({ connectionTimeout: 5_000, requestTimeout: 30_000 }) };
  const dynamodb = new DynamoDBClient({ ...common, maxAttempts: 3 });
  const s3 = new S3Client({ ...common, maxAttempts: 3, forcePathStyle: process.env.AWS_ENDPOINT_URL_S3 !== undefined });
  const serverId = flags.serverId ?? new URL(advertisedUrl).host;
  return {
    serverId,
    advertisedUrl,
    tables: clusterTableNames(flags.tablePrefix),
    deepStore: flags.deepStore,
    dynamodb,
    s3,
    destroy() {
      dynamodb.destroy();
      s3.destroy();
    },
  };
}
