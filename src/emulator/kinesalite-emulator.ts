import { createRequire } from 'node:module';
import type { Server } from 'node:http';

/** The options of `require('kinesalite')(options)` that shardtable uses (see its README). */
interface KinesaliteOptions {
  /** LevelDB directory; absent = in memory (memdown). */
  path?: string;
  createStreamMs?: number;
  deleteStreamMs?: number;
  updateStreamMs?: number;
  shardLimit?: number;
}

const require = createRequire(import.meta.url);

/**
 * Runs kinesalite in this process on `127.0.0.1:<port 0>` (the OS picks a free port), in memory.
 * State transitions (CREATING, DELETING, UPDATING after SplitShard/MergeShards) take
 * `transitionMs`.
 */
export async function startKinesalite(opts: { transitionMs: number; shardLimit: number; port?: number }): Promise<{
  endpoint: string;
  stop(): Promise<void>;
}> {
  const kinesalite = require('kinesalite') as (options: KinesaliteOptions) => Server;
  const server = kinesalite({
    createStreamMs: opts.transitionMs,
    deleteStreamMs: opts.transitionMs,
    updateStreamMs: opts.transitionMs,
    shardLimit: opts.shardLimit,
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('kinesalite did not bind a TCP port');
  let stopped: Promise<void> | undefined;
  return {
    endpoint: `http://127.0.0.1:${address.port}`,
    stop() {
      // Keep-alive sockets from SDK clients would hold `close()` open; drop them.
      stopped ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return stopped;
    },
  };
}
