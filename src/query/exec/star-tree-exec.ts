import type { AggregationSpec } from '../plan/binder.js';
import type { BoundExpr } from '../plan/bound-expr.js';
import type { QueryPlan } from '../plan/query-plan.js';
import { columnReader, compileRowExpr, truthy } from './compile-expr.js';
import type { ColumnBlock, SegmentSnapshot, StarTreeSource } from './segment-snapshot.js';
import type { StarTreeNodes, StarTreeRecords } from '../../segment/indexes/star-tree.js';

/** Where each aggregation of a plan reads its pre-aggregated values (indexes into the record's pairs; -1 = the count). */
export interface StarTreeAggregation {
  readonly kind: 'count' | 'sum' | 'min' | 'max' | 'avg';
  /** Pair holding the value (SUM/MIN/MAX/AVG's sum); -1 for COUNT. */
  readonly pair: number;
}

/** A star-tree that answers a plan on one segment, and the records it reads. */
export interface StarTreeChoice {
  readonly source: StarTreeSource;
  readonly index: number;
  readonly aggregations: readonly StarTreeAggregation[];
  /** Per dimension of the tree: 1 when its records must be stars. */
  readonly starred: Uint8Array;
}

/** Columns a filter restricts with `=` / `IN` on a column, ANDed; null when it has any other shape. */
function filterColumns(f: BoundExpr | null, out: Set<string>): Set<string> | null {
  if (f === null) return out;
  switch (f.kind) {
    case 'and':
      for (const o of f.operands) if (filterColumns(o, out) === null) return null;
      return out;
    case 'compare': {
      if (f.op !== '=') return null;
      const col = f.left.kind === 'column' && f.right.kind === 'literal' ? f.left : f.right.kind === 'column' && f.left.kind === 'literal' ? f.right : null;
      if (col === null || col.kind !== 'column') return null;
      out.add(col.column.name);
      return out;
    }
    case 'in':
      if (f.operand.kind !== 'column') return null;
      out.add(f.operand.column.name);
      return out;
    default:
      return null;
  }
}

function aggregationOf(spec: AggregationSpec, pairs: readonly string[]): StarTreeAggregation | null {
  if (spec.filter !== null || spec.fn.mv) return null;
  const kind = spec.fn.kind;
  if (kind === 'count') return spec.arg === null && pairs.includes('COUNT__*') ? { kind, pair: -1 } : null;
  if (kind !== 'sum' && kind !== 'min' && kind !== 'max' && kind !== 'avg') return null;
  if (spec.arg === null || spec.arg.kind !== 'column') return null;
  const pair = pairs.indexOf(`${kind === 'avg' ? 'SUM' : kind.toUpperCase()}__${spec.arg.column.name}`);
  if (pair < 0 || (kind === 'avg' && !pairs.includes('COUNT__*'))) return null;
  return { kind, pair };
}

/**
 * The first star-tree of a sealed segment that can answer `plan` (Pinot's rules, in the simple
 * form this tree supports): an aggregation whose GROUP BY keys are tree dimensions, whose filter
 * is an AND of `=` / `IN` on tree dimensions, and whose aggregations are COUNT(*), SUM, MIN,
 * MAX or AVG (SUM + COUNT) of the tree's function column pairs, without FILTER clauses. Never
 * for consuming segments, upsert tables' live-row views or with `useStarTree=false`.
 */
export function chooseStarTree(plan: QueryPlan, segment: SegmentSnapshot): StarTreeChoice | null {
  if (plan.kind !== 'aggregation' || !plan.options.useStarTree || segment.consuming || segment.liveDocs !== null) return null;
  const sources = segment.starTrees?.() ?? [];
  if (sources.length === 0) return null;
  const used = filterColumns(plan.filter, new Set());
  if (used === null) return null;
  for (const g of plan.groupBy) {
    if (g.kind !== 'column') return null;
    used.add(g.column.name);
  }
  for (let index = 0; index < sources.length; index++) {
    const source = sources[index]!;
    const { tree } = source;
    if ([...used].some((c) => !tree.dimensions.includes(c))) continue;
    const aggregations = plan.aggregations.map((a) => aggregationOf(a, tree.functionColumnPairs));
    if (aggregations.some((a) => a === null)) continue;
    const starred = Uint8Array.from(tree.dimensions, (d) => (used.has(d) || tree.skipStarDimensions.includes(d) ? 0 : 1));
    return { source, index, aggregations: aggregations as StarTreeAggregation[], starred };
  }
  return null;
}

/** The records of a star-tree that match a query: dimension columns as blocks, and their pre-aggregated values. */
export interface StarTreeRows {
  /** Blocks over the selected records (row `i` = record `records[i]`), for the tree's dimensions. */
  readonly block: (column: string) => ColumnBlock;
  readonly sel: Int32Array;
  readonly n: number;
  readonly counts: Float64Array;
  readonly metrics: readonly Float64Array[];
  /** Records of the star pattern looked at by the filter. */
  readonly examined: number;
}

/** A cube's records (layout 0) whose starred dimensions are exactly `starred`. */
function cubeRecords(records: StarTreeRecords, starred: Uint8Array): number[] {
  const picked: number[] = [];
  for (let r = 0; r < records.numRecords; r++) {
    let ok = true;
    for (let d = 0; d < starred.length && ok; d++) ok = (records.dims[d]![r] === -1) === (starred[d] === 1);
    if (ok) picked.push(r);
  }
  return picked;
}

/**
 * The records of the tree's leaves a query reaches (Pinot's star-tree traversal): at a node
 * split on a dimension the query does not use (`starred`), the star child when there is one;
 * otherwise every value child (the filter then tests the records, grouping keeps dimensions apart).
 */
function treeRecords(nodes: StarTreeNodes, starred: Uint8Array): number[] {
  const picked: number[] = [];
  const stack = [0];
  while (stack.length > 0) {
    const i = stack.pop()!;
    const d = nodes.dim[i]!;
    if (d === -1) {
      for (let r = nodes.start[i]!; r < nodes.end[i]!; r++) picked.push(r);
      continue;
    }
    const first = nodes.firstChild[i]!;
    const last = first + nodes.numChildren[i]! - 1;
    if (starred[d] === 1 && nodes.doc[last] === -1) stack.push(last);
    else for (let c = last; c >= first; c--) if (nodes.doc[c] !== -1) stack.push(c);
  }
  return picked;
}

/**
 * Reads the records of `choice`'s star pattern, their dimension values (each from the record's
 * representative doc in the segment) and keeps those the plan's filter accepts.
 */
export function starTreeRows(plan: QueryPlan, segment: SegmentSnapshot, choice: StarTreeChoice): StarTreeRows {
  const records = choice.source.records();
  const { dimensions } = choice.source.tree;
  const picked = records.nodes === null ? cubeRecords(records, choice.starred) : treeRecords(records.nodes, choice.starred);
  const readers = new Map<string, (row: number) => unknown>();
  const valueAt = (column: string, doc: number): unknown => {
    let b = 0;
    while (b + 1 < segment.blocks.length && segment.blocks[b + 1]!.firstDoc <= doc) b++;
    const key = `${column}\u0000${b}`;
    let read = readers.get(key);
    if (read === undefined) {
      read = columnReader(segment.block(column, b));
      readers.set(key, read);
    }
    return read(doc - segment.blocks[b]!.firstDoc);
  };
  const blocks = new Map<string, ColumnBlock>();
  dimensions.forEach((column, d) => {
    if (choice.starred[d] === 1) return;
    const spec = segment.block(column, 0).spec;
    const docs = records.dims[d]!;
    const values = picked.map((r) => valueAt(column, docs[r]!)) as ColumnBlock['values'];
    blocks.set(column, { spec, dictionary: null, dictIds: null, values, offsets: null, nulls: null });
  });
  const block = (column: string): ColumnBlock => {
    const b = blocks.get(column);
    if (b === undefined) throw new Error(`star-tree has no column ${column}`);
    return b;
  };
  const sel = new Int32Array(picked.length);
  let n = 0;
  const test = plan.filter === null ? null : compileRowExpr(plan.filter, block);
  for (let i = 0; i < picked.length; i++) if (test === null || truthy(test(i))) sel[n++] = i;
  const counts = Float64Array.from(picked, (r) => records.counts[r]!);
  const metrics = records.metrics.map((m) => Float64Array.from(picked, (r) => m[r]!));
  return { block, sel, n, counts, metrics, examined: picked.length };
}
