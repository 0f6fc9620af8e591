import { randomBytes } from 'node:crypto';
import type { KinesisClient } from '@aws-sdk/client-kinesis';
import { afterAll, beforeAll } from 'vitest';
import { createStream, kinesisClientFor, startEmulator } from '../../src/emulator/index.js';
import type { Emulator, EmulatorKind } from '../../src/emulator/index.js';

/** A unique, valid stream name for one test: `<prefix>-<random>`. */
export function uniqueStreamName(prefix = 'test'): string {
  return `${prefix}-${randomBytes(5).toString('hex')}`;
}

export interface EmulatorHandle {
  /** The running emulator (valid inside tests, after `beforeAll`). */
  readonly emulator: Emulator;
  readonly endpoint: string;
  /** A client for tests (HTTP/1.1, dummy credentials); destroyed in `afterAll`. */
  readonly client: KinesisClient;
  /** Creates a stream with a unique name and `shardCount` shards, waits for ACTIVE, returns its name. */
  newStream(shardCount: number, prefix?: string): Promise<string>;
}

/**
 * Starts one emulator of `kind` for the enclosing `describe` block (in `beforeAll`) and stops it
 * in `afterAll`. Reuse it across the block's tests; give each test its own stream.
 *
 * @example
 *   describe.each(EMULATOR_KINDS)('%s', (kind) => {
 *     const env = withEmulator(kind);
 *     it('reads', async () => { const stream = await env.newStream(2); ... });
 *   });
 */
export function withEmulator(kind: EmulatorKind): EmulatorHandle {
  let emulator: Emulator | undefined;
  let client: KinesisClient | undefined;
  beforeAll(async () => {
    emulator = await startEmulator(kind);
    client = kinesisClientFor(emulator.endpoint);
  }, 120_000);
  afterAll(async () => {
    client?.destroy();
    await emulator?.stop();
  });
  const started = (): Emulator => {
    if (emulator === undefined) throw new Error(`${kind} emulator is not running (use the handle inside tests)`);
    return emulator;
  };
  return {
    get emulator() {
      return started();
    },
    get endpoint() {
      return started().endpoint;
    },
    get client() {
      started();
      return client!;
    },
    async newStream(shardCount: number, prefix?: string) {
      const name = uniqueStreamName(prefix);
      await createStream(started().endpoint, name, shardCount);
      return name;
    },
  };
}
