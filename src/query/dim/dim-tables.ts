import type { TableSchema } from '../../config/schema.js';
import type { SegmentSnapshot } from '../exec/segment-snapshot.js';
import { DimTableIndex, snapshotSignature } from './dim-table-index.js';

/**
 * A dimension table as `lookUp()` and joins see it while a query (or an ingestion transform)
 * is bound and run: its schema at bind time, its rows when first asked.
 */
export interface DimTableRef {
  /** The table's raw name. */
  readonly name: string;
  readonly schema: TableSchema;
  /** The table's rows as of now, indexed by primary key. */
  index(): DimTableIndex;
}

/**
 * Finds dimension tables by the name a query writes. Returns undefined for a name that is no
 * table; throws `QueryError` naming the table when it exists but is not a dimension table.
 */
export type DimTableResolver = (name: string) => DimTableRef | undefined;

/** A running dimension table as the owner of its segments hands it over. */
export interface DimTableSource {
  readonly name: string;
  readonly schema: TableSchema;
  /** Stable for the table's life: the cache key of its index. */
  readonly identity: object;
  snapshot(): SegmentSnapshot[];
}

const built = new WeakMap<object, { signature: string; index: DimTableIndex }>();

/**
 * The index of a dimension table's rows now: rebuilt only when a segment was added, sealed or
 * grew since the last build (`snapshotSignature`), so a lookUp-heavy workload reads the table once
 * per change, not once per query or per record.
 */
export function currentDimIndex(source: DimTableSource): DimTableIndex {
  const segments = source.snapshot();
  const signature = snapshotSignature(segments);
  const cached = built.get(source.identity);
  if (signature !== null && cached?.signature === signature && cached.index.schema === source.schema) return cached.index;
  const index = DimTableIndex.build(source.schema, segments);
  if (signature !== null) built.set(source.identity, { signature, index });
  else built.delete(source.identity);
  return index;
}

/**
 * A ref that builds (or fetches from the cache) the index once and keeps it: one query sees one
 * version of the dimension table even while it grows.
 */
export function queryDimRef(source: DimTableSource): DimTableRef {
  let index: DimTableIndex | null = null;
  return { name: source.name, schema: source.schema, index: () => (index ??= currentDimIndex(source)) };
}

/** A ref that looks at the table's current rows at every call (ingestion transforms). */
export function liveDimRef(source: DimTableSource): DimTableRef {
  return { name: source.name, schema: source.schema, index: () => currentDimIndex(source) };
}
