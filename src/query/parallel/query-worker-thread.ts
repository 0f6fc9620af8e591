/**
 * A query worker thread's entry (started by `QueryPool`): runs segment tasks one at a time, in
 * arrival order, and answers each with the segment's partial result (typed-array buffers
 * transferred). It opens sealed segment files itself, reading them through its own block cache
 * (sized by the `init` message).
 */
import { parentPort } from 'node:worker_threads';
import { blockCache } from '../../segment/reader/block-cache.js';
import type { PoolReply, PoolRequest } from './messages.js';
import { runSegmentTask } from './worker-task.js';

const port = parentPort;
if (port === null) throw new Error('query-worker-thread runs only as a worker thread (see QueryPool)');
let tasks: Promise<void> = Promise.resolve();

port.on('message', (message: PoolRequest) => {
  if (message.kind === 'init') {
    blockCache.setCompressedShare(message.compressedTierShare);
    blockCache.resize(message.memoryBudgetBytes);
    return;
  }
  tasks = tasks.then(async () => {
    const { reply, transfer } = await runSegmentTask(message);
    try {
      port.postMessage(reply, transfer);
    } catch (err) {
      // A value that cannot be cloned (a bug): the query fails with the cause, the thread stays.
      port.postMessage({ kind: 'error', task: message.task, errorKind: 'QUERY_EXECUTION', message: `the segment's partial result could not be sent: ${(err as Error).message}` } satisfies PoolReply);
    }
  });
});
port.postMessage({ kind: 'ready' } satisfies PoolReply);
