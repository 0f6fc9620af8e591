/**
 * The seal worker thread's entry (started by `SealWorker`): assembles seal jobs from messages,
 * builds and checks each file (`buildCheckedSegment`) and sends the bytes back, transferred.
 * Builds run one at a time, in arrival order. It never writes files: writing, fsync, the rename
 * and the crash fault points stay on the main thread.
 *
 * The zstd codec is loaded by the first build, not at start: a codec that fails to load (EMFILE)
 * fails that build with the cause, and the next build loads it again (`getZstdCodec` keeps no
 * failure) — the thread stays up, and sealing recovers once the cause has passed.
 */
import { parentPort } from 'node:worker_threads';
import { getZstdCodec } from '../codecs/registry.js';
import { buildCheckedSegment } from './build-checked-segment.js';
import type { SealReply, SealRequest } from './seal-messages.js';
import { SealJobAssembler } from './seal-messages.js';

const port = parentPort;
if (port === null) throw new Error('seal-worker-thread runs only as a worker thread (see SealWorker)');
const jobs = new Map<number, SealJobAssembler>();
/** Builds in arrival order, one at a time (each may wait for the codec to load). */
let builds: Promise<void> = Promise.resolve();

function reply(message: SealReply, transfer: ArrayBuffer[] = []): void {
  port!.postMessage(message, transfer);
}

port.on('message', (message: SealRequest) => {
  switch (message.kind) {
    case 'begin':
      jobs.set(message.job, new SealJobAssembler(message));
      return;
    case 'column':
    case 'dictionary':
      jobs.get(message.job)?.add(message);
      return;
    case 'cancel':
      jobs.delete(message.job);
      return;
    case 'build': {
      const job = jobs.get(message.job);
      jobs.delete(message.job);
      if (job === undefined) {
        reply({ kind: 'failed', job: message.job, message: `seal job ${message.job} is unknown to the worker` });
        return;
      }
      builds = builds.then(() => build(message.job, job));
    }
  }
});

async function build(id: number, job: SealJobAssembler): Promise<void> {
  let bytes: Uint8Array;
  try {
    bytes = buildCheckedSegment(job.info, job.snapshot(), await getZstdCodec());
  } catch (err) {
    reply({ kind: 'failed', job: id, message: err instanceof Error ? err.message : String(err) });
    return;
  }
  reply({ kind: 'built', job: id, bytes }, [bytes.buffer as ArrayBuffer]);
}

reply({ kind: 'ready' });
