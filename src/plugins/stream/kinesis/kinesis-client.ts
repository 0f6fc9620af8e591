import { KinesisClient } from '@aws-sdk/client-kinesis';
import { defaultProvider } from '@aws-sdk/credential-provider-node';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { KinesisConfig } from './kinesis-config.js';

/** Region used when an endpoint override is set and the SDK's region chain finds none. */
export const FALLBACK_REGION = 'us-east-1';

/** Credentials for loopback endpoints (emulators) when the default chain finds none. */
const LOOPBACK_CREDENTIALS = Object.freeze({ accessKeyId: 'shardtable-local', secretAccessKey: 'shardtable-local' });

export interface KinesisClientOptions {
  /**
   * SDK attempts per call (default 1: no SDK retries). The consumer surfaces throttling and 5xx
   * as `TransientStreamError` at once, so the ingestion loop owns backoff and the event is counted.
   */
  maxAttempts?: number;
  /** Socket-level request timeout, millis (default 30 s); fetches also abort at their own timeout. */
  requestTimeoutMs?: number;
}

/**
 * Builds the Kinesis client for a table's config:
 * - HTTP/1.1 through `NodeHttpHandler` (the SDK's default HTTP/2 handler fails against the
 *   emulators; HTTP/2 is only needed for SubscribeToShard, which shardtable does not use);
 * - the endpoint override when set;
 * - region: the explicit one, else the SDK's chain (env, profile), else `us-east-1` when an
 *   endpoint override is set (emulators and LocalStack ignore the region);
 * - credentials: static `accessKey`/`secretKey`, else the SDK's default chain, else — only for a
 *   loopback endpoint — dummy credentials (emulators accept any).
 * Secrets are never logged: this module logs nothing, and the config object is not echoed.
 *
 * @example
 *   const client = createKinesisClient(parseKinesisConfig(stream));
 */
export function createKinesisClient(config: KinesisConfig, opts: KinesisClientOptions = {}): KinesisClient {
  return new KinesisClient({
    region: config.region ?? regionProvider(config.endpoint),
    ...(config.endpoint !== undefined ? { endpoint: config.endpoint } : {}),
    // Copies: the SDK tags the credentials object it gets, and throws on a frozen one.
    credentials: config.credentials !== undefined ? { ...config.credentials } : credentialProvider(config.endpoint),
    requestHandler: new NodeHttpHandler({ connectionTimeout: 5_000, requestTimeout: opts.requestTimeoutMs ?? 30_000 }),
    maxAttempts: opts.maxAttempts ?? 1,
  });
}

function regionProvider(endpoint: string | undefined): () => Promise<string> {
  let resolved: Promise<string> | undefined;
  return () => {
    resolved ??= (async () => {
      // A client built without a region resolves the SDK's region chain lazily; ask it.
      const probe = new KinesisClient({});
      try {
        return await probe.config.region();
      } catch (err) {
        if (endpoint !== undefined) return FALLBACK_REGION;
        throw new Error('no AWS region: set "region" in streamConfigs or AWS_REGION', { cause: err });
      } finally {
        probe.destroy();
      }
    })();
    return resolved;
  };
}

function credentialProvider(endpoint: string | undefined) {
  const chain = defaultProvider();
  if (endpoint === undefined || !isLoopback(endpoint)) return chain;
  return async () => {
    try {
      return await chain();
    } catch {
      return { ...LOOPBACK_CREDENTIALS };
    }
  };
}

/** True for http(s)://localhost, 127.x.x.x and [::1] endpoints. */
export function isLoopback(endpoint: string): boolean {
  try {
    const host = new URL(endpoint).hostname;
    return host === 'localhost' || host === '[::1]' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
  } catch {
    return false;
  }
}
