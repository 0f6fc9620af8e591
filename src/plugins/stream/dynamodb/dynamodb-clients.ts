import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { S3Client } from '@aws-sdk/client-s3';
import { fromTemporaryCredentials } from '@aws-sdk/credential-providers';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { defaultOrLoopbackCredentials } from '../../../util/loopback-credentials.js';
import type { CredentialProvider } from '../../../util/loopback-credentials.js';
import type { DynamoDbConfig } from './dynamodb-config.js';

/** Region used when an endpoint override is set and the SDK's region chain finds none (moto ignores it). */
const FALLBACK_REGION = 'us-east-1';

/** The clients a DynamoDB-fed table reads through; one set per table, destroyed with its factory. */
export interface DynamoDbClients {
  readonly dynamodb: DynamoDBClient;
  readonly streams: DynamoDBStreamsClient;
  /** For the export load's files (path-style addressing with an endpoint override, as moto needs). */
  readonly s3: S3Client;
  destroy(): void;
}

/**
 * Builds the table's DynamoDB and DynamoDB Streams clients: HTTP/1.1 (`NodeHttpHandler`), the
 * endpoints from the standard variables (`AWS_ENDPOINT_URL_DYNAMODB`,
 * `AWS_ENDPOINT_URL_DYNAMODB_STREAMS`), region from `stream.dynamodb.region` else the SDK's chain
 * (else `us-east-1` with an endpoint override), credentials: static keys, else the default chain
 * (dummy keys only for a loopback endpoint), with an assumed role on top when enabled. One SDK
 * attempt per call: the consumers own backoff so throttling is counted. Logs nothing.
 */
export function createDynamoDbClients(config: DynamoDbConfig, tableName: string): DynamoDbClients {
  const region = config.region ?? regionChain(config.endpoint ?? config.streamsEndpoint);
  const credentials = credentialProvider(config, tableName, region);
  const common = {
    region,
    credentials,
    requestHandler: new NodeHttpHandler({ connectionTimeout: 5_000, requestTimeout: 30_000 }),
    maxAttempts: 1,
  };
  const dynamodb = new DynamoDBClient({ ...common, ...(config.endpoint !== undefined ? { endpoint: config.endpoint } : {}) });
  const streams = new DynamoDBStreamsClient({ ...common, ...(config.streamsEndpoint !== undefined ? { endpoint: config.streamsEndpoint } : {}) });
  const s3 = new S3Client({ ...common, maxAttempts: 3, ...(config.s3Endpoint !== undefined ? { endpoint: config.s3Endpoint, forcePathStyle: true } : {}) });
  return {
    dynamodb,
    streams,
    s3,
    destroy() {
      dynamodb.destroy();
      streams.destroy();
      s3.destroy();
    },
  };
}

type Provider = CredentialProvider;

function credentialProvider(config: DynamoDbConfig, tableName: string, region: string | (() => Promise<string>)): Provider {
  const staticKeys = config.credentials;
  const base: Provider = staticKeys !== undefined ? async () => staticKeys : defaultOrLoopbackCredentials([config.endpoint, config.streamsEndpoint, config.s3Endpoint]);
  const role = config.assumeRole;
  if (role === undefined) return base;
  return fromTemporaryCredentials({
    params: {
      RoleArn: role.roleArn,
      RoleSessionName: role.roleSessionName ?? `shardtable-${tableName}`.slice(0, 64),
      DurationSeconds: role.sessionDurationSeconds,
      ...(role.externalId !== undefined ? { ExternalId: role.externalId } : {}),
    },
    masterCredentials: base,
    clientConfig: { region, ...(role.stsEndpoint !== undefined ? { endpoint: role.stsEndpoint } : {}) },
  });
}

function regionChain(endpoint: string | undefined): () => Promise<string> {
  let resolved: Promise<string> | undefined;
  return () => {
    resolved ??= (async () => {
      const probe = new DynamoDBClient({});
      try {
        return await probe.config.region();
      } catch (err) {
        if (endpoint !== undefined) return FALLBACK_REGION;
        throw new Error('no AWS region: set stream.dynamodb.region in streamConfigs or AWS_REGION', { cause: err });
      } finally {
        probe.destroy();
      }
    })();
    return resolved;
  };
}
