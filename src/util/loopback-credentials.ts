import { defaultProvider } from '@aws-sdk/credential-provider-node';

/** The keys used when no credentials are configured and every call goes to a local emulator (moto, kinesalite). */
export const LOOPBACK_CREDENTIALS = Object.freeze({ accessKeyId: 'shardtable-local', secretAccessKey: 'shardtable-local' });

/** True for an endpoint URL on this machine (`localhost`, `127.x.x.x`, `[::1]`); false for anything else, unparsable included. */
export function isLoopbackEndpoint(endpoint: string): boolean {
  try {
    const host = new URL(endpoint).hostname;
    return host === 'localhost' || host === '::1' || host === '[::1]' || host.startsWith('127.');
  } catch {
    return false;
  }
}

export type CredentialProvider = () => Promise<{ accessKeyId: string; secretAccessKey: string; sessionToken?: string; expiration?: Date }>;

/**
 * The SDK's default credential chain, falling back to dummy keys only when one of `endpoints` is
 * on loopback (an emulator accepts any key); otherwise the chain's own error stands.
 */
export function defaultOrLoopbackCredentials(endpoints: readonly (string | undefined)[]): CredentialProvider {
  const loopback = endpoints.some((e) => e !== undefined && isLoopbackEndpoint(e));
  return async () => {
    try {
      return await defaultProvider()();
    } catch (err) {
      if (loopback) return LOOPBACK_CREDENTIALS;
      throw err;
    }
  };
}
