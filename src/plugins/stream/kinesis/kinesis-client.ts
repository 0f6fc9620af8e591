import { KinesisClient } from '@aws-sdk/client-kinesis';
import { NodeHttp2Handler, NodeHttpHandler } from '@smithy/node-http-handler';
import type { KinesisConfig } from './kinesis-config.js';
import { kinesisCredentials } from './kinesis-credentials.js';

export { isLoopback } from './kinesis-credentials.js';

/** Region used when an endpoint override is set and the SDK's region chain finds none. */
export const FALLBACK_REGION = 'us-east-1';

export interface KinesisClientOptions {
  /**
   * SDK attempts per call (default 1: no SDK retries). The consumer surfaces throttling and 5xx
   * as `TransientStreamError` at once, so the ingestion loop owns backoff and the event is counted.
   */
  maxAttempts?: number;
  /** Socket-level request timeout, millis (default 30 s); fetches also abort at their own timeout. */
  requestTimeoutMs?: number;
  /** Table name, for the default assume-role session name `shardtable-<table>`. */
  tableName?: string;
  /** Speak HTTP/2 (`NodeHttp2Handler`): what Kinesis requires for SubscribeToShard. Default HTTP/1.1. */
  http2?: boolean;
}

/**
 * Builds the Kinesis client for a table's config:
 * - HTTP/1.1 through `NodeHttpHandler` (the SDK's default HTTP/2 handler fails against the
 *   emulators); `http2: true` for the enhanced fan-out client (`createEfoClient`);
 * - the endpoint override when set;
 * - region: the explicit one, else the SDK's chain (env, profile), else `us-east-1` when an
 *   endpoint override is set (emulators and LocalStack ignore the region);
 * - credentials (`kinesis-credentials.ts`): static `accessKey`/`secretKey`, else the SDK's default
 *   chain, else — only for a loopback endpoint — dummy credentials (emulators accept any); with
 *   `iamRoleBasedAccessEnabled=true`, a role assumed through STS on top of either, refreshed
 *   before it expires.
 * Secrets are never logged: this module logs nothing, and the config object is not echoed.
 *
 * @example
 *   const client = createKinesisClient(parseKinesisConfig(stream));
 */
export function createKinesisClient(config: KinesisConfig, opts: KinesisClientOptions = {}): KinesisClient {
  const region = config.region ?? regionProvider(config.endpoint);
  const { provider } = kinesisCredentials(config, { region, ...(opts.tableName !== undefined ? { tableName: opts.tableName } : {}) });
  return new KinesisClient({
    region,
    ...(config.endpoint !== undefined ? { endpoint: config.endpoint } : {}),
    credentials: provider,
    requestHandler: opts.http2 === true
      ? new NodeHttp2Handler({ requestTimeout: opts.requestTimeoutMs ?? 30_000, sessionTimeout: opts.requestTimeoutMs ?? 30_000 })
      : new NodeHttpHandler({ connectionTimeout: 5_000, requestTimeout: opts.requestTimeoutMs ?? 30_000 }),
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

/**
 * The client enhanced fan-out subscribes on: HTTP/2, as Kinesis requires for SubscribeToShard,
 * except against a plain `http://` endpoint override (kinesis-local serves SubscribeToShard over
 * HTTP/1.1 only and speaks no cleartext HTTP/2). Its idle timeout outlasts a subscription.
 */
export function createEfoClient(config: KinesisConfig, subscriptionMs: number, opts: { tableName?: string } = {}): KinesisClient {
  const http2 = config.endpoint === undefined || config.endpoint.startsWith('https:');
  return createKinesisClient(config, { ...opts, http2, requestTimeoutMs: subscriptionMs + 60_000 });
}
