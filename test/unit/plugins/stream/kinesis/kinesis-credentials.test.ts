import { ListShardsCommand } from '@aws-sdk/client-kinesis';
import { createServer } from 'node:http';
import type { IncomingHttpHeaders, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createKinesisClient } from '../../../../../src/plugins/stream/kinesis/kinesis-client.js';
import { parseKinesisConfig } from '../../../../../src/plugins/stream/kinesis/kinesis-config.js';
import {
  ASSUME_ROLE_REFRESH_WINDOW_MS,
  defaultSessionName,
  kinesisCredentials,
  refreshingAhead,
} from '../../../../../src/plugins/stream/kinesis/kinesis-credentials.js';

const ROLE = 'arn:aws:iam::123456789012:role/shardtable-reader';
const SAVED = ['AWS_REGION', 'AWS_PROFILE', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_ENDPOINT_URL', 'AWS_ENDPOINT_URL_STS', 'AWS_CONFIG_FILE', 'AWS_SHARED_CREDENTIALS_FILE', 'AWS_EC2_METADATA_DISABLED'];

function config(properties: Record<string, string>) {
  return parseKinesisConfig({
    streamType: 'kinesis',
    topicName: 'events',
    properties: { 'stream.kinesis.topic.name': 'events', region: 'us-east-1', ...properties },
    flush: { rows: 1, timeMs: 1, segmentSizeBytes: 0 },
    decoderName: 'json',
  }, {});
}

interface Recorded { headers: IncomingHttpHeaders; body: string }

/** A tiny HTTP server on 127.0.0.1 that records every request and answers with `reply`. */
async function recordingServer(reply: (req: Recorded, n: number) => { type: string; body: string }): Promise<{ url: string; requests: Recorded[]; server: Server }> {
  const requests: Recorded[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const recorded = { headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
      requests.push(recorded);
      const { type, body } = reply(recorded, requests.length);
      res.writeHead(200, { 'content-type': type, 'x-amzn-requestid': `req-${requests.length}` });
      res.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests, server };
}

/** An STS AssumeRole response carrying credentials `ASIAFAKE<n>` that expire at `expiration`. */
function assumeRoleXml(n: number, expiration: Date): string {
  return `<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <AssumeRoleResult>
    <AssumedRoleUser><Arn>arn:aws:sts::123456789012:assumed-role/shardtable-reader/s</Arn><AssumedRoleId>AROAFAKE:s</AssumedRoleId></AssumedRoleUser>
    <Credentials>
      <AccessKeyId>ASIAFAKE${n}</AccessKeyId>
      <SecretAccessKey>fake-secret-${n}</SecretAccessKey>
      <SessionToken>fake-token-${n}</SessionToken>
      <Expiration>${expiration.toISOString()}</Expiration>
    </Credentials>
  </AssumeRoleResult>
  <ResponseMetadata><RequestId>fake-${n}</RequestId></ResponseMetadata>
</AssumeRoleResponse>`;
}

const accessKeyIdOf = (r: Recorded): string | undefined => /Credential=([^/]+)\//.exec(String(r.headers.authorization))?.[1];

describe('kinesisCredentials', () => {
  const saved: Record<string, string | undefined> = {};
  const servers: Server[] = [];
  beforeEach(() => {
    for (const key of SAVED) saved[key] = process.env[key];
    for (const key of SAVED) delete process.env[key];
    process.env.AWS_CONFIG_FILE = '/nonexistent/shardtable/config';
    process.env.AWS_SHARED_CREDENTIALS_FILE = '/nonexistent/shardtable/credentials';
    process.env.AWS_EC2_METADATA_DISABLED = 'true';
  });
  afterEach(async () => {
    for (const key of SAVED) {
      if (saved[key] === undefined) delete process.env[key];
      else process.env[key] = saved[key];
    }
    await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
  });

  it('builds static keys, the default chain, or assume-role on top of either', async () => {
    const statik = kinesisCredentials(config({ accessKey: 'AKIASTATIC', secretKey: 'static-secret' }));
    expect(statik.source).toEqual({ kind: 'static' });
    expect(await statik.provider()).toEqual({ accessKeyId: 'AKIASTATIC', secretAccessKey: 'static-secret' });

    process.env.AWS_ACCESS_KEY_ID = 'AKIAFROMENV';
    process.env.AWS_SECRET_ACCESS_KEY = 'env-secret';
    const chain = kinesisCredentials(config({}));
    expect(chain.source).toEqual({ kind: 'default-chain' });
    expect((await chain.provider()).accessKeyId).toBe('AKIAFROMENV');

    const role = { iamRoleBasedAccessEnabled: 'true', roleArn: ROLE };
    expect(kinesisCredentials(config(role), { tableName: 'events' }).source).toEqual({
      kind: 'assume-role', roleArn: ROLE, roleSessionName: 'shardtable-events', sessionDurationSeconds: 900, base: 'default-chain',
    });
    expect(kinesisCredentials(config({ ...role, accessKey: 'AK', secretKey: 'SK', roleSessionName: 'mine', sessionDurationSeconds: '3600' })).source)
      .toEqual({ kind: 'assume-role', roleArn: ROLE, roleSessionName: 'mine', sessionDurationSeconds: 3600, base: 'static' });
    // The source is safe to show: no secret in it.
    expect(JSON.stringify(kinesisCredentials(config({ ...role, accessKey: 'AK', secretKey: 'SK', externalId: 'ext-secret' })).source)).not.toMatch(/SK|ext-secret/);
  });

  it('names default sessions after the table, within STS limits', () => {
    expect(defaultSessionName('events')).toBe('shardtable-events');
    expect(defaultSessionName('a b/c')).toBe('shardtable-a-b-c');
    expect(defaultSessionName('x'.repeat(100))).toHaveLength(64);
  });

  it('refreshes ahead of expiry: cached while more than the window remains, fetched again inside it', async () => {
    let now = 1_000_000;
    let fetches = 0;
    const provider = refreshingAhead(async () => ({ accessKeyId: `K${++fetches}`, secretAccessKey: 's', expiration: new Date(now + 20 * 60_000) }), ASSUME_ROLE_REFRESH_WINDOW_MS, () => now);
    expect((await provider()).accessKeyId).toBe('K1');
    now += 14 * 60_000; // 6 min left
    expect((await provider()).accessKeyId).toBe('K1');
    now += 2 * 60_000; // 4 min left: inside the window
    expect((await provider()).accessKeyId).toBe('K2');
    const [a, b] = await Promise.all([provider(), provider()]);
    expect([a.accessKeyId, b.accessKeyId, fetches]).toEqual(['K2', 'K2', 2]);
  });

  it('assumes the role through a fake STS, signs Kinesis calls with the assumed credentials, and re-assumes inside the expiry window', async () => {
    // Fake STS (a local recording endpoint, not AWS) handing out 15-minute credentials.
    const fakeSts = await recordingServer((_req, n) => ({ type: 'text/xml', body: assumeRoleXml(n, new Date(Date.now() + 15 * 60_000)) }));
    const fakeKinesis = await recordingServer(() => ({ type: 'application/x-amz-json-1.1', body: '{"Shards":[]}' }));
    servers.push(fakeSts.server, fakeKinesis.server);

    const client = createKinesisClient(config({
      endpoint: fakeKinesis.url,
      accessKey: 'AKIABASEKEY',
      secretKey: 'base-secret',
      iamRoleBasedAccessEnabled: 'true',
      roleArn: ROLE,
      externalId: 'ext-id-42',
      sessionDurationSeconds: '1800',
      stsEndpoint: fakeSts.url,
    }), { tableName: 'events' });
    // Only Date is faked, so the clock the SDK and the refresh check read can be moved forward.
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      await client.send(new ListShardsCommand({ StreamName: 'events' }));
      expect(fakeSts.requests).toHaveLength(1);
      const form = new URLSearchParams(fakeSts.requests[0]!.body);
      expect(Object.fromEntries(form)).toMatchObject({
        Action: 'AssumeRole',
        RoleArn: ROLE,
        ExternalId: 'ext-id-42',
        RoleSessionName: 'shardtable-events',
        DurationSeconds: '1800',
      });
      expect(accessKeyIdOf(fakeSts.requests[0]!)).toBe('AKIABASEKEY'); // STS signed with the base keys
      expect(accessKeyIdOf(fakeKinesis.requests[0]!)).toBe('ASIAFAKE1'); // Kinesis with the assumed ones
      expect(fakeKinesis.requests[0]!.headers['x-amz-security-token']).toBe('fake-token-1');

      vi.setSystemTime(Date.now() + 9 * 60_000); // 6 minutes left: still outside the window
      await client.send(new ListShardsCommand({ StreamName: 'events' }));
      expect(fakeSts.requests).toHaveLength(1);
      expect(accessKeyIdOf(fakeKinesis.requests[1]!)).toBe('ASIAFAKE1');

      vi.setSystemTime(Date.now() + 2 * 60_000); // 4 minutes left: inside the window, refresh first
      await client.send(new ListShardsCommand({ StreamName: 'events' }));
      expect(fakeSts.requests).toHaveLength(2);
      expect(new URLSearchParams(fakeSts.requests[1]!.body).get('RoleArn')).toBe(ROLE);
      expect(accessKeyIdOf(fakeKinesis.requests[2]!)).toBe('ASIAFAKE2');
      expect(fakeKinesis.requests[2]!.headers['x-amz-security-token']).toBe('fake-token-2');
    } finally {
      vi.useRealTimers();
      client.destroy();
    }
  });

  it('takes the STS endpoint from AWS_ENDPOINT_URL_STS when the key is absent', async () => {
    const fakeSts = await recordingServer((_req, n) => ({ type: 'text/xml', body: assumeRoleXml(n, new Date(Date.now() + 3_600_000)) }));
    servers.push(fakeSts.server);
    const role = parseKinesisConfig({
      streamType: 'kinesis',
      topicName: 'events',
      properties: { 'stream.kinesis.topic.name': 'events', region: 'eu-west-1', accessKey: 'AK', secretKey: 'SK', iamRoleBasedAccessEnabled: 'true', roleArn: ROLE },
      flush: { rows: 1, timeMs: 1, segmentSizeBytes: 0 },
      decoderName: 'json',
    }, { AWS_ENDPOINT_URL_STS: fakeSts.url });
    const credentials = await kinesisCredentials(role, { tableName: 't1' }).provider();
    expect(credentials).toMatchObject({ accessKeyId: 'ASIAFAKE1', sessionToken: 'fake-token-1' });
    expect(new URLSearchParams(fakeSts.requests[0]!.body).get('RoleSessionName')).toBe('shardtable-t1');
    expect(new URLSearchParams(fakeSts.requests[0]!.body).get('DurationSeconds')).toBe('900');
    expect(new URLSearchParams(fakeSts.requests[0]!.body).has('ExternalId')).toBe(false);
    expect(String(fakeSts.requests[0]!.headers.authorization)).toContain('/eu-west-1/sts/aws4_request');
  });
});
