import type { IndexingConfig } from '../../config/table-config.js';
import type { ImmutableColumn } from '../builders/column-builder.js';
import type { SectionRef } from '../format/footer.js';
import type { SectionSink } from '../format/section-io.js';
import { bloomKey, buildBloomFilter } from './bloom-filter.js';
import { buildJsonIndex } from './json-index.js';
import { buildRangeIndex, isRangeIndexable } from './range-index.js';
import { buildTextIndex } from './text-index.js';
import { buildTimestampIndex } from './timestamp-index.js';
import type { TimestampGranularity } from './timestamp-index.js';

/** The index sections of one column beyond dictionary and inverted index (format version 2). */
export interface ColumnIndexSections {
  readonly jsonIndex: SectionRef | null;
  readonly bloomFilter: SectionRef | null;
  readonly rangeIndex: SectionRef | null;
  readonly textIndex: SectionRef | null;
  readonly timestampIndex: SectionRef | null;
}

/** Distinct stored values of a column as bloom keys (defaults stored for nulls included). */
function distinctKeys(col: ImmutableColumn): string[] {
  const v = col.values;
  if (v.kind === 'STRING' || v.kind === 'BYTES') return (v.dictionary as readonly (string | Uint8Array)[]).map(bloomKey);
  const keys = new Set<string>();
  const n = v.values.length;
  for (let i = 0; i < n; i++) keys.add(bloomKey(v.values[i]!));
  return [...keys];
}

/** The stored text of each doc of a single-value STRING/JSON column, in file order (`perm[newDoc] = oldDoc`). */
function* textsInFileOrder(col: ImmutableColumn, perm: Int32Array | null): Generator<string> {
  const v = col.values;
  if (v.kind !== 'STRING' || col.offsets !== null) return;
  for (let d = 0; d < col.numDocs; d++) yield v.dictionary[v.ids[perm === null ? d : perm[d]!]!]!;
}

/**
 * Builds and writes the JSON index, bloom filter, range index and text index sections the table asks for on this column
 * (none: both null). Layouts: docs/segment-format.md.
 */
export function writeColumnIndexes(col: ImmutableColumn, perm: Int32Array | null, indexing: IndexingConfig, sink: SectionSink): ColumnIndexSections {
  const name = col.spec.name;
  const text = col.values.kind === 'STRING' && col.offsets === null;
  const json = indexing.jsonIndexColumns?.includes(name) === true && text;
  const bloomSettings = indexing.bloomFilters?.[name];
  const granularities = indexing.timestampIndexes?.[name] as readonly TimestampGranularity[] | undefined;
  const timestamp = granularities !== undefined && granularities.length > 0 ? buildTimestampIndex(col, perm, granularities) : null;
  return {
    jsonIndex: json ? sink.add(buildJsonIndex(textsInFileOrder(col, perm))) : null,
    timestampIndex: timestamp !== null ? sink.add(timestamp) : null,
    textIndex: text && indexing.textIndexColumns?.includes(name) === true ? sink.add(buildTextIndex(textsInFileOrder(col, perm))) : null,
    bloomFilter: bloomSettings !== undefined ? sink.add(buildBloomFilter(distinctKeys(col), bloomSettings)) : null,
    rangeIndex: indexing.rangeIndexColumns?.includes(name) === true && isRangeIndexable(col) ? sink.add(buildRangeIndex(col, perm)) : null,
  };
}
