import type { BoundExpr } from '../plan/bound-expr.js';
import { isJsonMatcher } from '../json-match/json-match-eval.js';
import type { QueryPlan } from '../plan/query-plan.js';
import { SegmentFilter } from './filter.js';
import { buildFilter } from './filter-tree.js';
import type { FilterNode, Leaf } from './filter-tree.js';
import type { SegmentSnapshot } from './segment-snapshot.js';
import { chooseStarTree } from './star-tree-exec.js';
import { withVirtualColumns } from './virtual-columns.js';

/** One row of Pinot's single-stage plan table: `Operator`, `Operator_Id`, `Parent_Id`. */
export type ExplainRow = [operator: string, id: number, parentId: number];

/** `PLAN_START` rows carry this id and parent id, as Pinot's `ExplainPlanRows.PLAN_START_IDS`. */
export const PLAN_START_ID = -1;

interface PlanNode {
  readonly op: string;
  readonly children: readonly PlanNode[];
}

const node = (op: string, ...children: PlanNode[]): PlanNode => ({ op, children });

/**
 * `EXPLAIN PLAN FOR …`: the operator tree the executor would run, in Pinot's single-stage plan
 * table. Above the segments: `BROKER_REDUCE` and one combine operator. Each segment gets its
 * own plan from the same decisions the executor makes (`SegmentFilter`): a segment that min/max
 * statistics prune is `FILTER_EMPTY`; a leaf the segment answers from its inverted index is
 * `FILTER_INVERTED_INDEX`, any other leaf a scan (`FILTER_FULL_SCAN`, or `FILTER_EXPRESSION` for
 * an expression over columns); AND children appear in the order they run (index leaves first).
 * Segments with the same plan are counted in one `PLAN_START(numSegmentsForThisPlan:N)`.
 * Without `verbose` only the first plan is shown (Pinot's default); with it, every distinct plan.
 * Plans are ordered as Pinot prefers them: one that reads rows before a `FILTER_EMPTY` one, then
 * the larger, then the one more segments share.
 */
export function explainPlan(plan: QueryPlan, segments: readonly SegmentSnapshot[], writtenLimit: number, verbose: boolean): ExplainRow[] {
  const rows: ExplainRow[] = [[brokerReduce(plan, writtenLimit), 1, 0], [combineName(plan), 2, 1]];
  const tree = buildFilter(plan.filter);
  const plans = new Map<string, { rows: ExplainRow[]; count: number }>();
  for (const segment of segments) {
    const segmentRows = flatten(segmentPlan(plan, tree, withVirtualColumns(segment)), 3, 2);
    const key = segmentRows.map((r) => r.join('\u0000')).join('\u0001');
    const entry = plans.get(key);
    if (entry) entry.count++;
    else plans.set(key, { rows: segmentRows, count: 1 });
  }
  // A plan that reads rows beats one that proves the segment empty; then larger, then more common.
  const empty = (p: { rows: ExplainRow[] }): number => (p.rows.some((r) => r[0] === 'FILTER_EMPTY') ? 1 : 0);
  const ordered = [...plans.values()].sort((a, b) => empty(a) - empty(b) || b.rows.length - a.rows.length || b.count - a.count);
  for (const p of verbose ? ordered : ordered.slice(0, 1)) {
    rows.push([`PLAN_START(numSegmentsForThisPlan:${p.count})`, PLAN_START_ID, PLAN_START_ID], ...p.rows);
  }
  return rows;
}

function brokerReduce(plan: QueryPlan, limit: number): string {
  const sort = plan.orderBy.map((o) => `${o.expr.name} ${o.desc ? 'DESC' : 'ASC'}`);
  return `BROKER_REDUCE(${sort.length > 0 ? `sort:[${sort.join(', ')}],` : ''}limit:${limit})`;
}

function combineName(plan: QueryPlan): string {
  if (plan.kind === 'selection') return plan.orderBy.length > 0 ? 'COMBINE_SELECT_ORDERBY' : 'COMBINE_SELECT';
  if (plan.distinct) return 'COMBINE_DISTINCT';
  return plan.groupBy.length > 0 ? 'COMBINE_GROUP_BY' : 'COMBINE_AGGREGATE';
}

/** The per-segment operators: result operator, TRANSFORM (when an expression is computed), PROJECT, DOC_ID_SET, filter. */
function segmentPlan(plan: QueryPlan, tree: FilterNode, segment: SegmentSnapshot): PlanNode {
  const filter = new SegmentFilter(tree, segment);
  const starTree = filter.segmentMayMatch() ? chooseStarTree(plan, segment) : null;
  if (starTree !== null) {
    // Pinot's operator for a star-tree traversal: the records it reads stand for the filtered docs.
    const star = node(`FILTER_STARTREE_INDEX(starTree:${starTree.index},dimensions:${starTree.source.tree.dimensions.join('|')}${plan.filter !== null ? `,predicate:${plan.filter.name}` : ''})`);
    return node(resultOperator(plan), node(`PROJECT(${plan.postFilterColumns.join(', ')})`, node('DOC_ID_SET', star)));
  }
  const filterNode = filter.segmentMayMatch() ? describeFilter(tree, filter, segment) : node('FILTER_EMPTY');
  let below = node(`PROJECT(${plan.postFilterColumns.join(', ')})`, node('DOC_ID_SET', filterNode));
  const computed = plan.kind === 'selection' ? [...plan.select, ...plan.orderBy.map((o) => o.expr)] : [...plan.groupBy, ...plan.aggregations.flatMap((a) => (a.arg ? [a.arg] : []))];
  if (computed.some((e) => e.kind !== 'column')) below = node(`TRANSFORM(${unique(computed.map((e) => e.name)).join(', ')})`, below);
  return node(resultOperator(plan), below);
}

function resultOperator(plan: QueryPlan): string {
  if (plan.kind === 'selection') return `${plan.orderBy.length > 0 ? 'SELECT_ORDERBY' : 'SELECT'}(selectList:${plan.select.map((e) => e.name).join(', ')})`;
  if (plan.distinct) return `DISTINCT(keyColumns:${plan.groupBy.map((e) => e.name).join(', ')})`;
  const aggregations = `aggregations:${plan.aggregations.map((a) => a.name).join(', ')}`;
  return plan.groupBy.length > 0 ? `GROUP_BY(groupKeys:${plan.groupBy.map((e) => e.name).join(', ')}, ${aggregations})` : `AGGREGATE(${aggregations})`;
}

function describeFilter(f: FilterNode, filter: SegmentFilter, segment: SegmentSnapshot): PlanNode {
  switch (f.kind) {
    case 'all':
      return node(`FILTER_MATCH_ENTIRE_SEGMENT(docs:${segment.numDocs})`);
    case 'none':
      return node('FILTER_EMPTY');
    case 'and':
      return node('FILTER_AND', ...filter.andChildren(f).map((c) => describeFilter(c, filter, segment)));
    case 'or':
      return node('FILTER_OR', ...f.children.map((c) => describeFilter(c, filter, segment)));
    case 'not': {
      // `a <> b` and `NOT IN` are bound as not(leaf): shown as the negated leaf, run the same way.
      const child = f.child;
      if (child.kind === 'leaf' && (child.node.kind === 'in' || (child.node.kind === 'compare' && child.node.op === '='))) return leaf(child, filter, true);
      return node('FILTER_NOT', describeFilter(child, filter, segment));
    }
    case 'leaf':
      return leaf(f, filter, false);
    case 'isNull': {
      const op = f.negated ? 'IS_NOT_NULL' : 'IS_NULL';
      return node(`FILTER_FULL_SCAN(operator:${op},predicate:${f.column.name} ${f.negated ? 'IS NOT NULL' : 'IS NULL'})`);
    }
    case 'expr': {
      const [op, text] = predicate(f.expr, false);
      if (filter.usesTimestampIndex(f)) return node(`FILTER_TIMESTAMP_INDEX(indexLookUp:timestamp_index,operator:${op},predicate:${text})`);
      return node(`FILTER_EXPRESSION(operator:${op},predicate:${text})`);
    }
  }
}

function leaf(f: Leaf, filter: SegmentFilter, negated: boolean): PlanNode {
  const [op, text] = predicate(f.node, negated);
  // A negated leaf runs its positive form through the same access path, then complements it.
  if (filter.indexes.jsonDocs(f) !== null) return node(`FILTER_JSON_INDEX(indexLookUp:json_index,operator:${op},predicate:${text})`);
  if (filter.indexes.textDocs(f) !== null) return node(`FILTER_TEXT_INDEX(indexLookUp:text_index,operator:${op},predicate:${text})`);
  if (!filter.usesInvertedIndex(f) && filter.indexes.rangeDocs(f) !== null) return node(`FILTER_RANGE_INDEX(indexLookUp:range_index,operator:${op},predicate:${text})`);
  return filter.usesInvertedIndex(f)
    ? node(`FILTER_INVERTED_INDEX(indexLookUp:inverted_index,operator:${op},predicate:${text})`)
    : node(`FILTER_FULL_SCAN(operator:${op},predicate:${text})`);
}

/** Pinot's predicate operator and text: `EQ` `country = 'NL'`, `NOT_IN` `c NOT IN ('a','b')`, `RANGE` `x BETWEEN '1' AND '5'`. */
function predicate(e: BoundExpr, negated: boolean): [string, string] {
  switch (e.kind) {
    case 'compare': {
      const lhs = e.left.name;
      if (e.op === '=') return negated ? ['NOT_EQ', `${lhs} != ${e.right.name}`] : ['EQ', `${lhs} = ${e.right.name}`];
      return ['RANGE', `${lhs} ${e.op} ${e.right.name}`];
    }
    case 'in': {
      const values = e.values.map((v) => `'${String(v)}'`).join(',');
      return negated ? ['NOT_IN', `${e.operand.name} NOT IN (${values})`] : ['IN', `${e.operand.name} IN (${values})`];
    }
    case 'between':
      return ['RANGE', `${e.operand.name} BETWEEN ${e.low.name} AND ${e.high.name}`];
    case 'match':
      return [e.name.startsWith('text_match') ? 'TEXT_MATCH' : isJsonMatcher(e.matcher) ? 'JSON_MATCH' : 'REGEXP_LIKE', e.name];
    default:
      // Any other boolean expression is tested as `expr = true`, row by row.
      return ['EQ', `${e.name} = 'true'`];
  }
}

/** Pre-order rows, ids counted from `firstId`; children point at their parent's id. */
function flatten(root: PlanNode, firstId: number, parentId: number): ExplainRow[] {
  const out: ExplainRow[] = [];
  let next = firstId;
  const walk = (n: PlanNode, parent: number): void => {
    const id = next++;
    out.push([n.op, id, parent]);
    for (const c of n.children) walk(c, id);
  };
  walk(root, parentId);
  return out;
}

function unique(names: readonly string[]): string[] {
  return [...new Set(names)];
}
