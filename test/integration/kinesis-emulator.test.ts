import { ListStreamsCommand } from '@aws-sdk/client-kinesis';
import { describe, expect, it } from 'vitest';
import { EMULATOR_KINDS, kinesisClientFor, startEmulator } from '../../src/emulator/index.js';

describe.each(EMULATOR_KINDS)('embedded %s emulator', (kind) => {
  it('serves Kinesis on a loopback port and stops cleanly', async () => {
    const emulator = await startEmulator(kind);
    expect(emulator.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const client = kinesisClientFor(emulator.endpoint, { maxAttempts: 1 });
    expect((await client.send(new ListStreamsCommand({}))).StreamNames).toEqual([]);
    await emulator.stop();
    await emulator.stop(); // twice is fine
    await expect(client.send(new ListStreamsCommand({}))).rejects.toThrow(/ECONNREFUSED|socket hang up|ECONNRESET/);
    client.destroy();
  });
});
