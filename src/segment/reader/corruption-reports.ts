/**
 * Corruption found while reading a sealed segment's blocks on demand (after it was opened and
 * served): a section whose checksum or decoding fails. The read itself raises `SEGMENT_CORRUPT`;
 * this tells the owner of the segment (the table) so it can stop serving the file and quarantine
 * it, as a corrupt file found at open is. Listeners are per thread: a worker thread that reads
 * segments forwards its reports to the main thread itself.
 *
 * @example
 *   const off = onCorruptSegment((path, detail) => quarantine(path, detail));
 */
export type CorruptSegmentListener = (path: string, detail: string) => void;

const listeners = new Set<CorruptSegmentListener>();

/** Subscribes; returns the unsubscribe function. */
export function onCorruptSegment(listener: CorruptSegmentListener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** Tells every listener; a listener that throws does not stop the others or the caller. */
export function reportCorruptSegment(path: string, detail: string): void {
  for (const listener of [...listeners]) {
    try {
      listener(path, detail);
    } catch {
      // A listener's own failure must not replace the SEGMENT_CORRUPT the reader raises.
    }
  }
}
