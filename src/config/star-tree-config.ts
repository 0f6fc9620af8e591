import type { TableSchema } from './schema.js';

/** One star-tree of a table (`tableIndexConfig.starTreeIndexConfigs[i]`), validated. */
export interface StarTreeConfig {
  /** Dimensions, in Pinot's split order (single-value columns of the schema). */
  readonly dimensions: readonly string[];
  /** Dimensions never aggregated away (no star records for them). */
  readonly skipStarDimensions: readonly string[];
  /** Pre-aggregated pairs as Pinot spells them: `COUNT__*`, `SUM__m`, `MIN__m`, `MAX__m`. */
  readonly functionColumnPairs: readonly string[];
  readonly maxLeafRecords: number;
}

const FUNCTIONS = ['COUNT', 'SUM', 'MIN', 'MAX'] as const;
const NUMERIC = new Set(['INT', 'LONG', 'FLOAT', 'DOUBLE']);
const DEFAULT_MAX_LEAF_RECORDS = 10000;

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/** `SUM__m` → `{ fn: 'SUM', column: 'm' }`; `COUNT__*` → column `*`. */
export function parsePair(pair: string): { fn: (typeof FUNCTIONS)[number]; column: string } | null {
  const i = pair.indexOf('__');
  if (i < 0) return null;
  const fn = pair.slice(0, i).toUpperCase();
  const column = pair.slice(i + 2);
  if (!(FUNCTIONS as readonly string[]).includes(fn) || column === '') return null;
  return { fn: fn as (typeof FUNCTIONS)[number], column };
}

function checkPair(where: string, pair: unknown, schema: TableSchema, problems: string[]): string | null {
  if (typeof pair !== 'string') {
    problems.push(`${where}: must be a string such as "SUM__metric" or "COUNT__*"`);
    return null;
  }
  const p = parsePair(pair);
  if (p === null) {
    problems.push(`${where}: ${JSON.stringify(pair)} is not a supported function column pair (COUNT__*, SUM__col, MIN__col, MAX__col)`);
    return null;
  }
  if (p.fn === 'COUNT') {
    if (p.column !== '*') problems.push(`${where}: COUNT is pre-aggregated only as COUNT__*, got ${pair}`);
    return p.column === '*' ? 'COUNT__*' : null;
  }
  const idx = schema.columnIndex.get(p.column);
  const spec = idx === undefined ? undefined : schema.columns[idx];
  if (spec === undefined) {
    problems.push(`${where}: metric column ${p.column} is not in schema ${schema.name}`);
    return null;
  }
  if (!NUMERIC.has(spec.dataType) || !spec.singleValue) {
    problems.push(`${where}: ${p.fn} needs a single-value numeric column (INT, LONG, FLOAT, DOUBLE); ${p.column} is ${spec.dataType}${spec.singleValue ? '' : ' multi-value'}`);
    return null;
  }
  return `${p.fn}__${p.column}`;
}

function stringList(where: string, value: unknown, problems: string[]): string[] | null {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) {
    problems.push(`${where}: must be a list of column names`);
    return null;
  }
  return value as string[];
}

function one(where: string, raw: unknown, schema: TableSchema, problems: string[]): StarTreeConfig | null {
  if (!isObject(raw)) {
    problems.push(`${where}: must be an object with dimensionsSplitOrder and functionColumnPairs`);
    return null;
  }
  const before = problems.length;
  const dims = stringList(`${where}.dimensionsSplitOrder`, raw.dimensionsSplitOrder, problems) ?? [];
  if (dims.length === 0 && problems.length === before) problems.push(`${where}.dimensionsSplitOrder: must name at least one dimension`);
  dims.forEach((d, i) => {
    const idx = schema.columnIndex.get(d);
    const spec = idx === undefined ? undefined : schema.columns[idx];
    if (spec === undefined) problems.push(`${where}.dimensionsSplitOrder[${i}]: dimension column ${d} is not in schema ${schema.name}`);
    else if (!spec.singleValue) problems.push(`${where}.dimensionsSplitOrder[${i}]: ${d} is multi-value; star-tree dimensions must be single-value`);
    else if (dims.indexOf(d) !== i) problems.push(`${where}.dimensionsSplitOrder[${i}]: ${d} is listed twice`);
  });
  const skip = stringList(`${where}.skipStarNodeCreationForDimensions`, raw.skipStarNodeCreationForDimensions, problems) ?? [];
  skip.forEach((d, i) => {
    if (!dims.includes(d)) problems.push(`${where}.skipStarNodeCreationForDimensions[${i}]: ${d} is not in dimensionsSplitOrder`);
  });
  const pairs: string[] = [];
  if (raw.aggregationConfigs !== undefined) problems.push(`${where}.aggregationConfigs: not supported; use functionColumnPairs`);
  if (!Array.isArray(raw.functionColumnPairs) || raw.functionColumnPairs.length === 0) {
    problems.push(`${where}.functionColumnPairs: must be a non-empty list such as ["COUNT__*", "SUM__metric"]`);
  } else {
    raw.functionColumnPairs.forEach((p, i) => {
      const ok = checkPair(`${where}.functionColumnPairs[${i}]`, p, schema, problems);
      if (ok !== null && !pairs.includes(ok)) pairs.push(ok);
    });
  }
  const maxLeaf = raw.maxLeafRecords ?? DEFAULT_MAX_LEAF_RECORDS;
  if (typeof maxLeaf !== 'number' || !Number.isSafeInteger(maxLeaf) || maxLeaf < 1) problems.push(`${where}.maxLeafRecords: must be a positive integer, got ${JSON.stringify(maxLeaf)}`);
  if (problems.length > before) return null;
  return { dimensions: dims, skipStarDimensions: skip, functionColumnPairs: pairs, maxLeafRecords: maxLeaf as number };
}

/**
 * Reads `tableIndexConfig.starTreeIndexConfigs`, pushing a message naming the field for each
 * problem. `enableDefaultStarTree: true` is refused (Pinot picks its dimensions from data
 * statistics this server does not keep): list the star-tree explicitly.
 */
export function starTreeConfigsOf(tableIndexConfig: Record<string, unknown>, schema: TableSchema, problems: string[]): StarTreeConfig[] {
  if (tableIndexConfig.enableDefaultStarTree === true) {
    problems.push('tableIndexConfig.enableDefaultStarTree: not supported; declare tableIndexConfig.starTreeIndexConfigs instead');
  }
  const list = tableIndexConfig.starTreeIndexConfigs;
  if (list === undefined || list === null) return [];
  if (!Array.isArray(list)) {
    problems.push('tableIndexConfig.starTreeIndexConfigs: must be a list of star-tree configs');
    return [];
  }
  return list.map((raw, i) => one(`tableIndexConfig.starTreeIndexConfigs[${i}]`, raw, schema, problems)).filter((c): c is StarTreeConfig => c !== null);
}
