import { rename, rm } from 'node:fs/promises';
import { createWriteStream } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import avro from 'avsc';
import type { CellValue, DataType, ScalarValue } from '../../config/data-type.js';
import { avroZstdCodecs } from '../codecs/registry.js';
import { getZstdCodec } from '../codecs/registry.js';
import type { SealedSegment } from '../sealed-segment.js';
import { avroTypeOptions, avroSchemaOf } from './avro-schema.js';

function toAvroScalar(type: DataType, v: ScalarValue): unknown {
  if (type === 'BOOLEAN') return v === 1;
  if (v instanceof Uint8Array) return Buffer.from(v.buffer, v.byteOffset, v.byteLength);
  return v;
}

function toAvro(type: DataType, cell: CellValue): unknown {
  return Array.isArray(cell) ? cell.map((v) => toAvroScalar(type, v)) : toAvroScalar(type, cell);
}

/**
 * Writes every row of a sealed segment as an Avro object container file with the `zstandard`
 * codec (schema mapping: `avro-schema.ts`; docs/segment-format.md, "Avro export"). Null cells
 * become Avro nulls when the segment has null handling on; otherwise the stored default values are
 * written, as queries see them. Writes `<out>.tmp` and renames it, so `out` is never partial.
 * `progress.onRows(done, total)` is called every 1024 rows and at the end (a progress bar).
 *
 * @example
 *   await exportSegmentToAvro(await openSegment(file), 'events.avro');
 */
export async function exportSegmentToAvro(
  segment: SealedSegment,
  out: string,
  progress: { readonly onRows?: (done: number, total: number) => void } = {},
): Promise<{ rows: number }> {
  const zstd = await getZstdCodec();
  const nullable = segment.footer.nullHandlingEnabled;
  const { schema, fieldNames } = avroSchemaOf(segment.schema, nullable);
  const type = avro.Type.forSchema(schema, avroTypeOptions());
  const columns = segment.schema.columns.map((c) => segment.column(c.name));
  const n = segment.numDocs;
  function* records(): Generator<Record<string, unknown>> {
    for (let doc = 0; doc < n; doc++) {
      const rec: Record<string, unknown> = {};
      columns.forEach((col, i) => {
        rec[fieldNames[i]!] = nullable && col.isNull(doc) ? null : toAvro(col.spec.dataType, col.getValue(doc));
      });
      yield rec;
      if (progress.onRows && ((doc + 1) % 1024 === 0 || doc + 1 === n)) progress.onRows(doc + 1, n);
    }
  }
  // `metadata` is a BlockEncoder option avsc's typings omit.
  const options = {
    codec: 'zstandard',
    codecs: avroZstdCodecs(zstd),
    metadata: {
      'shardtable.segmentName': Buffer.from(segment.name),
      'shardtable.tableName': Buffer.from(segment.metadata.tableName),
    },
  };
  const encoder = new avro.streams.BlockEncoder(type as unknown as avro.Schema, options as unknown as ConstructorParameters<typeof avro.streams.BlockEncoder>[1]);
  const tmp = `${out}.tmp`;
  try {
    await pipeline(Readable.from(records()), encoder, createWriteStream(tmp));
    await rename(tmp, out);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
  return { rows: n };
}
