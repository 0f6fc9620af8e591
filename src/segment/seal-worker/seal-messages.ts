import type { ImmutableColumn } from '../builders/column-builder.js';
import type { ConsumingSnapshot } from '../consuming-segment.js';
import type { SegmentFileInfo } from '../format/segment-writer.js';

/**
 * The messages between `SealWorker` (main thread) and the seal worker thread. A seal is sent as
 * several messages — one per column, and long string dictionaries in slices — because cloning
 * is done by the sending thread: one message holding a million strings would block the event
 * loop for tens of milliseconds; slices let the sender yield between them.
 */
export type SealRequest =
  | { readonly kind: 'begin'; readonly job: number; readonly info: SegmentFileInfo; readonly numDocs: number; readonly firstOffset: string | null; readonly lastOffset: string | null }
  /** The next column; a STRING/BYTES column's dictionary may continue in `dictionary` messages. */
  | { readonly kind: 'column'; readonly job: number; readonly column: ImmutableColumn }
  /** More entries of the last column's dictionary. */
  | { readonly kind: 'dictionary'; readonly job: number; readonly entries: readonly string[] | readonly Uint8Array[] }
  | { readonly kind: 'build'; readonly job: number }
  /** Forget a job whose messages could not all be sent. */
  | { readonly kind: 'cancel'; readonly job: number };

export type SealReply =
  /** The worker loaded and can build (sent once, after start). */
  | { readonly kind: 'ready' }
  /** The checked file (its buffer is transferred). */
  | { readonly kind: 'built'; readonly job: number; readonly bytes: Uint8Array }
  | { readonly kind: 'failed'; readonly job: number; readonly message: string };

/** Dictionary entries per message (a slice clones in a few milliseconds). */
export const DICTIONARY_SLICE = 65536;

/**
 * The messages that carry one seal job, in order. Everything is cloned, nothing transferred: a
 * snapshot's arrays are views of the consuming segment's live buffers (`columnSnapshot`), which
 * keep serving queries. Cloning copies them into the message, off the JavaScript heap, so the
 * main thread's garbage collector does not see it.
 */
export function* sealRequests(job: number, info: SegmentFileInfo, snapshot: ConsumingSnapshot): Generator<SealRequest> {
  yield { kind: 'begin', job, info, numDocs: snapshot.numDocs, firstOffset: snapshot.firstOffset, lastOffset: snapshot.lastOffset };
  for (const column of snapshot.columns) {
    const values = column.values;
    if ((values.kind !== 'STRING' && values.kind !== 'BYTES') || values.dictionary.length <= DICTIONARY_SLICE) {
      yield { kind: 'column', job, column };
      continue;
    }
    const dictionary = values.dictionary;
    const first = { ...values, dictionary: dictionary.slice(0, DICTIONARY_SLICE) } as typeof values;
    yield { kind: 'column', job, column: { ...column, values: first } };
    for (let start = DICTIONARY_SLICE; start < dictionary.length; start += DICTIONARY_SLICE) {
      yield { kind: 'dictionary', job, entries: dictionary.slice(start, start + DICTIONARY_SLICE) as readonly string[] | readonly Uint8Array[] };
    }
  }
  yield { kind: 'build', job };
}

/** Rebuilds, in the worker, the job that `sealRequests` split into messages. */
export class SealJobAssembler {
  private readonly columns: ImmutableColumn[] = [];
  /** Dictionary of the last column, while its slices arrive. */
  private dictionary: (string | Uint8Array)[] | null = null;

  constructor(private readonly begin: Extract<SealRequest, { kind: 'begin' }>) {}

  get info(): SegmentFileInfo {
    return this.begin.info;
  }

  add(message: Extract<SealRequest, { kind: 'column' | 'dictionary' }>): void {
    if (message.kind === 'column') {
      const values = message.column.values;
      this.columns.push(message.column);
      this.dictionary = values.kind === 'STRING' || values.kind === 'BYTES' ? (values.dictionary as (string | Uint8Array)[]) : null;
      return;
    }
    if (this.dictionary === null) throw new Error('dictionary slice without a STRING/BYTES column before it');
    for (const entry of message.entries) this.dictionary.push(entry);
  }

  snapshot(): ConsumingSnapshot {
    return { numDocs: this.begin.numDocs, columns: this.columns, firstOffset: this.begin.firstOffset, lastOffset: this.begin.lastOffset };
  }
}
