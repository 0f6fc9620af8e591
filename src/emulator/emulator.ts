import { startKinesalite } from './kinesalite-emulator.js';
import { startKinesisLocal } from './kinesis-local-emulator.js';

/** The two Kinesis implementations that install from npm and run offline (DESIGN.md §4). */
export type EmulatorKind = 'kinesalite' | 'kinesis-local';

export const EMULATOR_KINDS: readonly EmulatorKind[] = ['kinesalite', 'kinesis-local'];

export interface EmulatorOptions {
  /** How long CREATING / DELETING / UPDATING last, in millis (default 50). */
  transitionMs?: number;
  /** Account shard limit (default 1000). */
  shardLimit?: number;
}

export interface Emulator {
  /** `http://127.0.0.1:<port>`: plain HTTP/1.1 on loopback. */
  readonly endpoint: string;
  readonly kind: EmulatorKind;
  /** Stops the server (kinesalite) or the child process (kinesis-local); safe to call twice. */
  stop(): Promise<void>;
}

/**
 * Starts an embedded Kinesis emulator on a free loopback port, in memory.
 * kinesalite runs in this process; kinesis-local runs as a child process that dies with this one.
 *
 * @example
 *   const emulator = await startEmulator('kinesalite');
 *   await createStream(emulator.endpoint, 'events', 4);
 *   ...
 *   await emulator.stop();
 */
export async function startEmulator(kind: EmulatorKind, opts: EmulatorOptions = {}): Promise<Emulator> {
  const settings = { transitionMs: opts.transitionMs ?? 50, shardLimit: opts.shardLimit ?? 1000 };
  switch (kind) {
    case 'kinesalite': {
      const started = await startKinesalite(settings);
      return Object.freeze({ endpoint: started.endpoint, kind, stop: started.stop });
    }
    case 'kinesis-local': {
      const started = await startKinesisLocal(settings);
      return Object.freeze({ endpoint: started.endpoint, kind, stop: started.stop });
    }
    default: {
      const never: never = kind;
      throw new Error(`unknown emulator kind ${String(never)}; supported: ${EMULATOR_KINDS.join(', ')}`);
    }
  }
}
