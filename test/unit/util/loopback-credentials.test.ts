import { describe, expect, it } from 'vitest';
import { defaultOrLoopbackCredentials, isLoopbackEndpoint, LOOPBACK_CREDENTIALS } from '../../../src/util/loopback-credentials.js';

describe('loopback credentials', () => {
  it('tells loopback endpoints from others', () => {
    expect(isLoopbackEndpoint('http://127.0.0.1:5000')).toBe(true);
    expect(isLoopbackEndpoint('http://localhost:4566')).toBe(true);
    expect(isLoopbackEndpoint('http://[::1]:8000')).toBe(true);
    expect(isLoopbackEndpoint('https://dynamodb.us-east-1.amazonaws.com')).toBe(false);
    expect(isLoopbackEndpoint('not a url')).toBe(false);
  });

  it('falls back to dummy keys only with a loopback endpoint, when the default chain finds nothing', async () => {
    const saved = { ...process.env };
    // An empty chain: no keys in the environment, no profile files, no instance metadata.
    for (const k of ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_PROFILE', 'AWS_WEB_IDENTITY_TOKEN_FILE', 'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI', 'AWS_CONTAINER_CREDENTIALS_FULL_URI']) delete process.env[k];
    process.env.AWS_SHARED_CREDENTIALS_FILE = '/nonexistent/credentials';
    process.env.AWS_CONFIG_FILE = '/nonexistent/config';
    process.env.AWS_EC2_METADATA_DISABLED = 'true';
    try {
      await expect(defaultOrLoopbackCredentials(['http://127.0.0.1:5000', undefined])()).resolves.toEqual(LOOPBACK_CREDENTIALS);
      await expect(defaultOrLoopbackCredentials(['https://s3.amazonaws.com'])()).rejects.toThrow();
      process.env.AWS_ACCESS_KEY_ID = 'AKIDEXAMPLE';
      process.env.AWS_SECRET_ACCESS_KEY = 'secret';
      await expect(defaultOrLoopbackCredentials(['http://127.0.0.1:5000'])()).resolves.toMatchObject({ accessKeyId: 'AKIDEXAMPLE' });
    } finally {
      process.env = saved;
    }
  });
});
