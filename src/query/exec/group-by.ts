import type { AggregationPlan } from '../plan/query-plan.js';
import { groupedAggregation } from './agg-states.js';
import type { GroupedAggregation } from './grouped-aggregation.js';
import { GroupKeyTable } from './group-keys.js';
import { RowGrouper } from './row-groups.js';
import type { ColumnBlock, SegmentSnapshot } from './segment-snapshot.js';
import { preselectGroups } from './top-groups.js';
import type { StarTreeAggregation, StarTreeRows } from './star-tree-exec.js';

/** A finished group: key values and final aggregation results. */
export interface ResultRow {
  readonly keys: readonly unknown[];
  readonly aggs: readonly unknown[];
}

/**
 * Aggregates filtered rows into groups, segment by segment. Groups get dense ids in one
 * `GroupKeyTable` for the whole query, so segments need no merge step; `RowGrouper` maps each
 * block's rows to group ids (per dictionary id where it can), and each aggregation keeps its
 * states in arrays indexed by group id (`agg-states.ts`). Multi-value keys put a row in one group
 * per value combination, as Pinot does.
 *
 * Each segment may touch at most `numGroupsLimit` groups, as in Pinot; rows of further groups
 * of that segment are dropped and `limitReached` is set (Pinot's `numGroupsLimitReached`).
 */
export class GroupByAggregator {
  private readonly table: GroupKeyTable | null;
  private readonly grouper: RowGrouper | null;
  private readonly states: GroupedAggregation[];
  private segment: SegmentSnapshot | null = null;

  constructor(private readonly plan: AggregationPlan) {
    this.states = plan.aggregations.map(groupedAggregation);
    // Without ORDER BY or HAVING any offset + limit groups answer the query (Pinot's rule too):
    // stop making groups there.
    const anyGroups = plan.orderBy.length === 0 && plan.having === null;
    const cap = anyGroups ? plan.offset + plan.limit : Number.POSITIVE_INFINITY;
    this.table = plan.groupBy.length === 0 ? null : new GroupKeyTable(plan.groupBy.length, plan.options.numGroupsLimit, cap);
    this.grouper = this.table === null ? null : new RowGrouper(plan.groupBy, this.table);
  }

  get limitReached(): boolean {
    return this.table?.limitReached ?? false;
  }

  /** Adds rows `sel[0..n)` of one block. */
  add(segment: SegmentSnapshot, block: (column: string) => ColumnBlock, sel: Int32Array, n: number): void {
    if (n === 0) return;
    if (this.grouper === null) {
      for (const s of this.states) s.add(block, sel, null, n, 1);
      return;
    }
    if (segment !== this.segment) {
      this.segment = segment;
      this.table!.beginSegment();
      this.grouper!.beginSegment();
    }
    const grouped = this.grouper.group(block, sel, n);
    if (grouped.n === 0) return;
    const numGroups = this.table!.size;
    for (const s of this.states) s.add(block, grouped.rows, grouped.gids, grouped.n, numGroups);
  }

  /** Adds the star-tree records of one segment (`chooseStarTree` checked every aggregation can take them). */
  addStarTree(segment: SegmentSnapshot, rows: StarTreeRows, aggs: readonly StarTreeAggregation[]): void {
    if (rows.n === 0) return;
    const values = aggs.map((a) => (a.pair < 0 ? null : rows.metrics[a.pair]!));
    if (this.grouper === null) {
      this.states.forEach((s, i) => s.addPreAggregated!(rows.counts, values[i]!, rows.sel, null, rows.n, 1));
      return;
    }
    if (segment !== this.segment) {
      this.segment = segment;
      this.table!.beginSegment();
      this.grouper!.beginSegment();
    }
    const grouped = this.grouper.group(rows.block, rows.sel, rows.n);
    if (grouped.n === 0) return;
    const numGroups = this.table!.size;
    this.states.forEach((s, i) => s.addPreAggregated!(rows.counts, values[i]!, grouped.rows, grouped.gids, grouped.n, numGroups));
  }

  /** Final rows: key values and aggregation results (only the groups the result can show). */
  results(): ResultRow[] {
    for (const s of this.states) s.finish();
    const aggsOf = (g: number): unknown[] => this.states.map((s) => s.result(g));
    if (this.table === null) return [{ keys: [], aggs: aggsOf(0) }];
    const table = this.table;
    const ids = preselectGroups(this.plan, table, this.states) ?? Array.from({ length: table.size }, (_, g) => g);
    return ids.map((g) => ({ keys: table.keysOf(g), aggs: aggsOf(g) }));
  }
}
