/**
 * A query worker thread's entry (started by `QueryPool`): runs batch tasks one at a time, in
 * arrival order, and answers each with its segments' partial result (copied, not transferred:
 * `postReply`). It opens sealed segment files itself, reading them through its own block cache
 * (sized by the `init` message).
 */
import { parentPort } from 'node:worker_threads';
import { blockCache } from '../../segment/reader/block-cache.js';
import type { PoolReply, PoolRequest } from './messages.js';
import { runPartitionTask } from './partition-task.js';
import { postReply, runBatchTask } from './worker-task.js';

const port = parentPort;
if (port === null) throw new Error('query-worker-thread runs only as a worker thread (see QueryPool)');
let tasks: Promise<void> = Promise.resolve();
let yieldFlag = new Int32Array(new SharedArrayBuffer(4));
let progress = new Int32Array(new SharedArrayBuffer(4));

port.on('message', (message: PoolRequest) => {
  if (message.kind === 'init') {
    blockCache.setCompressedShare(message.compressedTierShare);
    blockCache.resize(message.memoryBudgetBytes);
    yieldFlag = new Int32Array(message.yieldFlag);
    progress = new Int32Array(message.progress);
    return;
  }
  tasks = tasks.then(async () => postReply(port, message.task, message.kind === 'partition' ? await runPartitionTask(message, progress) : await runBatchTask(message, yieldFlag, progress)));
});
port.postMessage({ kind: 'ready' } satisfies PoolReply);
