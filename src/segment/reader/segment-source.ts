import { closeSync, openSync, readSync } from 'node:fs';

/**
 * Where the bytes of one segment file come from: positioned reads, synchronous so a block can be
 * decoded inside a query loop. `FileSource` reads the file on disk (the normal case: a sealed
 * segment keeps only its footer in memory); `MemorySource` serves bytes already in memory (a
 * segment decoded from a buffer, in tests and tools).
 */
export interface SegmentSource {
  /** Size of the file in bytes. */
  readonly size: number;
  /**
   * `length` bytes starting at `offset`; throws an `Error` when fewer can be read. With
   * `transient` the bytes may sit in a buffer the next transient read of this thread reuses: for a
   * caller done with them before it reads again (decompressed at once, not kept).
   */
  read(offset: number, length: number, transient?: boolean): Uint8Array;
  /**
   * Keeps the file readable after it is unlinked or renamed (a retired segment that a query may
   * still read): opens it now and holds it open until `close`.
   */
  pin(): void;
  /** Releases what the source holds open; reads after it reopen the file by path. */
  close(): void;
}

/** A segment held in memory. */
export class MemorySource implements SegmentSource {
  constructor(private readonly bytes: Uint8Array) {}

  get size(): number {
    return this.bytes.length;
  }

  read(offset: number, length: number): Uint8Array {
    if (offset < 0 || offset + length > this.bytes.length) throw new Error(`read of ${length} bytes at ${offset} runs past the end (${this.bytes.length} bytes)`);
    return this.bytes.subarray(offset, offset + length);
  }

  pin(): void {}
  close(): void {}
}

/** Transient reads up to this size share one buffer per thread; a larger one gets its own. */
const MAX_TRANSIENT_BYTES = 4 * 1024 * 1024;
let transient = Buffer.allocUnsafeSlow(64 * 1024);

/**
 * A buffer of at least `length` bytes for a transient read: the thread's shared one (grown to the
 * largest read up to {@link MAX_TRANSIENT_BYTES}), so a section read only to be decompressed
 * leaves no garbage behind — one allocation fewer per block read, for V8 to collect and for the
 * C allocator to keep (docs/decisions.md, "Freed memory returned to the system").
 */
function transientBuffer(length: number): Buffer {
  if (length > MAX_TRANSIENT_BYTES) return Buffer.allocUnsafe(length);
  if (transient.byteLength < length) transient = Buffer.allocUnsafeSlow(Math.min(MAX_TRANSIENT_BYTES, Math.max(length, transient.byteLength * 2)));
  return transient;
}

/** Most file descriptors segment files keep open at once; the least recently read are closed. */
export const MAX_OPEN_SEGMENT_FILES = 256;

/** Open descriptors of every `FileSource`, in recency order (the first is the least recently read). */
const open = new Map<FileSource, number>();

/**
 * A segment file read with positioned reads (`fs.readSync` at an offset). The descriptor is
 * opened on first read and shared by every column of the segment; across the process at most
 * {@link MAX_OPEN_SEGMENT_FILES} stay open (least recently read closed first), so thousands of
 * segments cost no descriptors while idle. A pinned source keeps its descriptor (see `pin`).
 */
export class FileSource implements SegmentSource {
  private fd: number | null = null;
  private pinned = false;

  constructor(readonly path: string, readonly size: number) {}

  read(offset: number, length: number, transient = false): Uint8Array {
    const fd = this.descriptor();
    const out = transient ? transientBuffer(length) : Buffer.allocUnsafe(length);
    let done = 0;
    while (done < length) {
      const n = readSync(fd, out, done, length - done, offset + done);
      if (n === 0) throw new Error(`file ends before byte ${offset + done} (read of ${length} bytes at ${offset}; truncated?)`);
      done += n;
    }
    return new Uint8Array(out.buffer, out.byteOffset, length);
  }

  pin(): void {
    this.descriptor();
    this.pinned = true;
    open.delete(this);
  }

  close(): void {
    open.delete(this);
    this.pinned = false;
    if (this.fd !== null) {
      const fd = this.fd;
      this.fd = null;
      closeSync(fd);
    }
  }

  /** Open descriptors of segment files now (pinned ones excluded), for tests and metrics. */
  static openCount(): number {
    return open.size;
  }

  private descriptor(): number {
    if (this.fd === null) {
      this.fd = openSync(this.path, 'r');
      if (this.pinned) return this.fd;
      open.set(this, this.fd);
      for (const [source] of open) {
        if (open.size <= MAX_OPEN_SEGMENT_FILES) break;
        source.close();
      }
      return this.fd;
    }
    if (!this.pinned) {
      open.delete(this);
      open.set(this, this.fd);
    }
    return this.fd;
  }
}
