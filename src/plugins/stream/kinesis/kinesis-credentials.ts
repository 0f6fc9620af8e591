import { defaultProvider } from '@aws-sdk/credential-provider-node';
import { fromTemporaryCredentials } from '@aws-sdk/credential-providers';
import type { KinesisConfig } from './kinesis-config.js';

/** AWS credentials as the SDK signer takes them (`AwsCredentialIdentity`). */
export interface AwsCredentialIdentity {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
  readonly expiration?: Date;
}
export type AwsCredentialIdentityProvider = () => Promise<AwsCredentialIdentity>;

/** Credentials for loopback endpoints (emulators, fake STS) when the default chain finds none. */
const LOOPBACK_CREDENTIALS = Object.freeze({ accessKeyId: 'shardtable-local', secretAccessKey: 'shardtable-local' });

/**
 * Assumed-role credentials are refreshed this long before they expire, so a call never signs with
 * credentials about to lapse (and a slow STS has minutes to answer). Equal to the SDK's own
 * window; shardtable applies it itself so the rule does not depend on SDK internals.
 */
export const ASSUME_ROLE_REFRESH_WINDOW_MS = 5 * 60_000;

/** Which credentials a table's Kinesis client uses; for status and tests, never holds a secret. */
export type CredentialSource =
  | { readonly kind: 'static' }
  | { readonly kind: 'default-chain' }
  | {
      readonly kind: 'assume-role';
      readonly roleArn: string;
      readonly roleSessionName: string;
      readonly sessionDurationSeconds: number;
      /** Where the STS call's own credentials come from. */
      readonly base: 'static' | 'default-chain';
    };

export interface KinesisCredentials {
  readonly source: CredentialSource;
  readonly provider: AwsCredentialIdentityProvider;
}

export interface KinesisCredentialsOptions {
  /** Table name, for the default role session name `shardtable-<table>`. */
  readonly tableName?: string;
  /** Region for the STS client (the Kinesis client's region provider). */
  readonly region?: string | (() => Promise<string>);
}

/**
 * Builds the credential provider for a table's Kinesis client:
 * - `accessKey` / `secretKey` → those static keys;
 * - nothing → the SDK's default chain (`@aws-sdk/credential-provider-node`: env, profile, SSO, web
 *   identity, ECS, IMDS), falling back to dummy keys only for a loopback endpoint (emulators);
 * - `iamRoleBasedAccessEnabled=true` → STS `AssumeRole` (`fromTemporaryCredentials`) with the role
 *   ARN, external id, session name (default `shardtable-<table>`) and duration, signed with the
 *   static keys when given, else the default chain; cached and re-assumed
 *   {@link ASSUME_ROLE_REFRESH_WINDOW_MS} before expiry. The STS endpoint is `stsEndpoint`, else
 *   env `AWS_ENDPOINT_URL_STS`, else AWS's.
 * Nothing here logs; no secret leaves this module except to the SDK signer.
 *
 * @example
 *   const { provider } = kinesisCredentials(config, { tableName: 'events', region: 'us-east-1' });
 */
export function kinesisCredentials(config: KinesisConfig, opts: KinesisCredentialsOptions = {}): KinesisCredentials {
  const base: AwsCredentialIdentityProvider = config.credentials !== undefined
    ? staticProvider(config.credentials)
    : defaultChain(config.assumeRole !== undefined ? config.assumeRole.stsEndpoint : config.endpoint);
  const baseKind = config.credentials !== undefined ? 'static' : 'default-chain';
  const role = config.assumeRole;
  if (role === undefined) return Object.freeze({ source: Object.freeze({ kind: baseKind }), provider: base });

  const roleSessionName = role.roleSessionName ?? defaultSessionName(opts.tableName ?? config.streamName);
  const assume = fromTemporaryCredentials({
    params: {
      RoleArn: role.roleArn,
      RoleSessionName: roleSessionName,
      DurationSeconds: role.sessionDurationSeconds,
      ...(role.externalId !== undefined ? { ExternalId: role.externalId } : {}),
    },
    masterCredentials: base,
    clientConfig: {
      ...(opts.region !== undefined ? { region: opts.region } : config.region !== undefined ? { region: config.region } : {}),
      ...(role.stsEndpoint !== undefined ? { endpoint: role.stsEndpoint } : {}),
    },
  });
  return Object.freeze({
    source: Object.freeze({
      kind: 'assume-role',
      roleArn: role.roleArn,
      roleSessionName,
      sessionDurationSeconds: role.sessionDurationSeconds,
      base: baseKind,
    }),
    provider: refreshingAhead(() => assume(), ASSUME_ROLE_REFRESH_WINDOW_MS),
  });
}

/** `shardtable-<name>`, trimmed to STS's 64-character limit and allowed characters. */
export function defaultSessionName(name: string): string {
  return `shardtable-${name.replace(/[^\w+=,.@-]/g, '-')}`.slice(0, 64);
}

/**
 * Caches credentials and fetches new ones once fewer than `windowMs` remain before their
 * expiration (credentials without an expiration are kept). Concurrent callers share one fetch;
 * a failed fetch is not cached, so the next call retries.
 */
export function refreshingAhead(
  fetch: () => Promise<AwsCredentialIdentity>,
  windowMs: number,
  now: () => number = () => Date.now(),
): AwsCredentialIdentityProvider {
  let current: AwsCredentialIdentity | undefined;
  let pending: Promise<AwsCredentialIdentity> | undefined;
  const fresh = (c: AwsCredentialIdentity): boolean => c.expiration === undefined || c.expiration.getTime() - now() > windowMs;
  return async () => {
    if (current !== undefined && fresh(current)) return current;
    pending ??= fetch().then(
      (c) => {
        current = c;
        pending = undefined;
        return c;
      },
      (err: unknown) => {
        pending = undefined;
        throw err;
      },
    );
    return pending;
  };
}

function staticProvider(credentials: { readonly accessKeyId: string; readonly secretAccessKey: string }): AwsCredentialIdentityProvider {
  // A copy per call: the SDK tags the credentials object it gets, and throws on a frozen one.
  return async () => ({ accessKeyId: credentials.accessKeyId, secretAccessKey: credentials.secretAccessKey });
}

function defaultChain(endpoint: string | undefined): AwsCredentialIdentityProvider {
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
