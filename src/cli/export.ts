import { exportSegmentToAvro, openSegment } from '../segment/index.js';

export interface ExportOptions {
  /** Output format; only `avro` (object container file, zstandard codec) exists today. */
  readonly format: 'avro';
  /** Output file path; written via `<out>.tmp` and a rename. */
  readonly out: string;
  /** Called as rows are written (a progress bar). */
  readonly onRows?: (done: number, total: number) => void;
}

/**
 * `shardtable export <segment-file> --format avro --out F.avro`: writes every row of a sealed
 * segment to an Avro object container file loadable by Pinot, Spark, Trino or DuckDB. Throws
 * `SEGMENT_CORRUPT` / `SEGMENT_VERSION` for a bad input file (nothing is written then), and an
 * `Error` for an unsupported format.
 *
 * @example
 *   await runExport('events__0__0__20240101T0000Z.seg', { format: 'avro', out: 'events.avro' });
 */
export async function runExport(file: string, opts: ExportOptions): Promise<void> {
  if (opts.format !== 'avro') throw new Error(`unsupported export format ${JSON.stringify(opts.format)}; supported: avro`);
  const segment = await openSegment(file);
  await exportSegmentToAvro(segment, opts.out, opts.onRows ? { onRows: opts.onRows } : {});
}
