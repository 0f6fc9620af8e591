import { CreateStreamCommand, DescribeStreamSummaryCommand, KinesisClient } from '@aws-sdk/client-kinesis';
import { NodeHttpHandler } from '@smithy/node-http-handler';

/**
 * Credentials the emulators accept; they check the signature's shape, not the secret. Pass a
 * copy to the SDK (`{ ...EMULATOR_CREDENTIALS }`): it tags the credentials object it is given, and
 * throws on a frozen one.
 */
export const EMULATOR_CREDENTIALS: Readonly<{ accessKeyId: string; secretAccessKey: string }> = Object.freeze({ accessKeyId: 'shardtable', secretAccessKey: 'shardtable' });
export const EMULATOR_REGION = 'us-east-1';

/**
 * A Kinesis client for an emulator endpoint: plain HTTP/1.1 (`NodeHttpHandler`; the SDK's default
 * HTTP/2 handler fails against both emulators), dummy credentials, region `us-east-1`.
 *
 * @example
 *   const client = kinesisClientFor(emulator.endpoint);
 *   await client.send(new ListStreamsCommand({}));
 *   client.destroy();
 */
export function kinesisClientFor(endpoint: string, opts: { maxAttempts?: number } = {}): KinesisClient {
  return new KinesisClient({
    endpoint,
    region: EMULATOR_REGION,
    credentials: { ...EMULATOR_CREDENTIALS },
    requestHandler: new NodeHttpHandler({ connectionTimeout: 5_000, requestTimeout: 30_000 }),
    maxAttempts: opts.maxAttempts ?? 3,
  });
}

/**
 * Waits until `stream` reports `status` (DescribeStreamSummary), polling every `pollMs`.
 * Throws after `timeoutMs` with the last status seen.
 */
export async function waitForStreamStatus(
  client: KinesisClient,
  stream: string,
  status: 'ACTIVE' | 'DELETED',
  opts: { timeoutMs?: number; pollMs?: number } = {},
): Promise<void> {
  const deadline = Date.now() + (opts.timeoutMs ?? 30_000);
  let last = 'unknown';
  for (;;) {
    try {
      const out = await client.send(new DescribeStreamSummaryCommand({ StreamName: stream }));
      last = out.StreamDescriptionSummary?.StreamStatus ?? 'unknown';
      if (last === status) return;
    } catch (err) {
      if ((err as { name?: string }).name !== 'ResourceNotFoundException') throw err;
      last = 'DELETED';
      if (status === 'DELETED') return;
    }
    if (Date.now() > deadline) throw new Error(`stream ${stream} did not become ${status} (last status ${last})`);
    await new Promise((r) => setTimeout(r, opts.pollMs ?? 50));
  }
}

/**
 * Creates a provisioned stream with `shardCount` shards on `endpoint` and waits until it is ACTIVE.
 *
 * @example
 *   await createStream(emulator.endpoint, 'events', 4);
 */
export async function createStream(endpoint: string, name: string, shardCount: number): Promise<void> {
  const client = kinesisClientFor(endpoint);
  try {
    await client.send(new CreateStreamCommand({ StreamName: name, ShardCount: shardCount }));
    await waitForStreamStatus(client, name, 'ACTIVE');
  } finally {
    client.destroy();
  }
}
