import type { TableSchema } from './schema.js';

/** Pinot's partial-upsert merge strategies (`upsertConfig.partialUpsertStrategies`). */
export const PARTIAL_UPSERT_STRATEGIES = ['OVERWRITE', 'FORCE_OVERWRITE', 'IGNORE', 'INCREMENT', 'APPEND', 'UNION', 'MAX', 'MIN'] as const;
export type PartialUpsertStrategy = (typeof PARTIAL_UPSERT_STRATEGIES)[number];

/**
 * `upsertConfig` of a table, validated (`docs/upsert.md`). Present only when the mode is FULL or
 * PARTIAL; `mode: NONE` (or no block) leaves `TableConfig.upsert` undefined.
 */
export interface UpsertSettings {
  readonly mode: 'FULL' | 'PARTIAL';
  readonly primaryKeyColumns: readonly string[];
  /**
   * Given, or the table's time column. With several, the first non-null one of a record decides.
   * Empty only for a stream that orders changes itself: every record then ties, the later wins.
   */
  readonly comparisonColumns: readonly string[];
  readonly deleteRecordColumn?: string;
  readonly dropOutOfOrderRecord: boolean;
  readonly outOfOrderRecordColumn?: string;
  /** PARTIAL only: strategy per column name. */
  readonly partialUpsertStrategies: Readonly<Record<string, PartialUpsertStrategy>>;
  readonly defaultPartialUpsertStrategy: PartialUpsertStrategy;
  /** In comparison-column units; 0 = off. */
  readonly metadataTTL: number;
  readonly deletedKeysTTL: number;
}

/** `dedupConfig` of a table with `dedupEnabled: true`, validated. */
export interface DedupSettings {
  readonly primaryKeyColumns: readonly string[];
  readonly metadataTTL: number;
  readonly dedupTimeColumn?: string;
}

const NUMERIC = new Set(['INT', 'LONG', 'FLOAT', 'DOUBLE', 'TIMESTAMP']);
const INCREMENTABLE = new Set(['INT', 'LONG', 'FLOAT', 'DOUBLE']);
const DELETE_TYPES = new Set(['BOOLEAN', 'STRING', 'INT', 'LONG']);

/** JSON-schema fragments for the two blocks (shape only; the rules are below). */
export const upsertConfigJsonSchema = {
  type: 'object',
  properties: {
    mode: { type: 'string' },
    comparisonColumns: { type: 'array', items: { type: 'string' } },
    comparisonColumn: { type: 'string' },
    deleteRecordColumn: { type: 'string' },
    dropOutOfOrderRecord: { type: 'boolean' },
    outOfOrderRecordColumn: { type: 'string' },
    partialUpsertStrategies: { type: 'object', additionalProperties: { type: 'string' } },
    defaultPartialUpsertStrategy: { type: 'string' },
    metadataTTL: { type: 'number' },
    deletedKeysTTL: { type: 'number' },
  },
} as const;

export const dedupConfigJsonSchema = {
  type: 'object',
  properties: {
    dedupEnabled: { type: 'boolean' },
    metadataTTL: { type: 'number' },
    dedupTimeColumn: { type: 'string' },
  },
} as const;

interface RawUpsert {
  mode?: string;
  comparisonColumns?: string[];
  comparisonColumn?: string;
  deleteRecordColumn?: string;
  dropOutOfOrderRecord?: boolean;
  outOfOrderRecordColumn?: string;
  partialUpsertStrategies?: Record<string, string>;
  defaultPartialUpsertStrategy?: string;
  metadataTTL?: number;
  deletedKeysTTL?: number;
}

interface RawDedup {
  dedupEnabled?: boolean;
  metadataTTL?: number;
  dedupTimeColumn?: string;
}

/**
 * Pinot's upsert and dedup rules (its `TableConfigUtils.validateUpsertAndDedupConfig`), each
 * problem pushed as `<field path>: <why>`. Returns the settings when the blocks are usable.
 * `streamOrdersChanges`: the table's stream type orders each key's changes itself (a DynamoDB
 * table's load then its stream), so no comparison column is required; with none, every record
 * ties and the later one wins (arrival order).
 */
export function upsertAndDedupSettings(
  rawUpsert: unknown,
  rawDedup: unknown,
  schema: TableSchema,
  timeColumnName: string | undefined,
  nullHandlingEnabled: boolean,
  problems: string[],
  options: { readonly streamOrdersChanges?: boolean } = {},
): { upsert?: UpsertSettings; dedup?: DedupSettings } {
  const before = problems.length;
  const u = rawUpsert as RawUpsert | undefined;
  const d = rawDedup as RawDedup | undefined;
  const mode = (u?.mode ?? 'FULL').toUpperCase();
  if (u !== undefined && !['FULL', 'PARTIAL', 'NONE'].includes(mode)) problems.push(`upsertConfig.mode: must be FULL, PARTIAL or NONE, got ${JSON.stringify(u.mode)}`);
  const upsertOn = u !== undefined && (mode === 'FULL' || mode === 'PARTIAL');
  const dedupOn = d?.dedupEnabled === true;
  if (upsertOn && dedupOn) problems.push('dedupConfig.dedupEnabled: a table is either upsert or dedup; upsertConfig is enabled too');
  if (!upsertOn && !dedupOn) return {};
  const block = upsertOn ? 'upsertConfig' : 'dedupConfig';
  const column = (name: string) => {
    const i = schema.columnIndex.get(name);
    return i === undefined ? undefined : schema.columns[i];
  };
  const pks = schema.primaryKeyColumns;
  if (pks.length === 0) problems.push(`${block}: needs primaryKeyColumns in schema ${schema.name}`);
  for (const pk of pks) {
    const spec = column(pk);
    if (spec === undefined) problems.push(`${block}: primary key column ${pk} is not in schema ${schema.name}`);
    else if (!spec.singleValue) problems.push(`${block}: primary key column ${pk} must be single-valued`);
  }
  const requireSingle = (path: string, name: string, types: ReadonlySet<string> | null, what: string): void => {
    const spec = column(name);
    if (spec === undefined) problems.push(`${path}: column ${name} is not in schema ${schema.name}`);
    else if (!spec.singleValue) problems.push(`${path}: column ${name} must be single-valued`);
    else if (types !== null && !types.has(spec.dataType)) problems.push(`${path}: column ${name} is ${spec.dataType}; ${what}`);
  };

  if (dedupOn) {
    const ttl = d!.metadataTTL ?? 0;
    if (ttl < 0) problems.push(`dedupConfig.metadataTTL: must not be negative, got ${ttl}`);
    const timeColumn = d!.dedupTimeColumn ?? timeColumnName;
    if (d!.dedupTimeColumn !== undefined) requireSingle('dedupConfig.dedupTimeColumn', d!.dedupTimeColumn, NUMERIC, 'the dedup time column must be numeric');
    if (ttl > 0 && timeColumn === undefined) problems.push('dedupConfig.metadataTTL: needs dedupConfig.dedupTimeColumn or segmentsConfig.timeColumnName');
    else if (ttl > 0 && d!.dedupTimeColumn === undefined) requireSingle('dedupConfig.metadataTTL', timeColumn!, NUMERIC, 'metadataTTL needs a numeric time column');
    if (problems.length > before) return {};
    return { dedup: Object.freeze({ primaryKeyColumns: Object.freeze([...pks]), metadataTTL: ttl, ...(timeColumn !== undefined ? { dedupTimeColumn: timeColumn } : {}) }) };
  }

  const given = u!.comparisonColumns ?? (u!.comparisonColumn !== undefined ? [u!.comparisonColumn] : []);
  const defaultToTime = timeColumnName !== undefined && options.streamOrdersChanges !== true;
  const comparisonColumns = given.length > 0 ? given : defaultToTime ? [timeColumnName] : [];
  if (comparisonColumns.length === 0 && options.streamOrdersChanges !== true) problems.push('upsertConfig.comparisonColumns: needs a comparison column or segmentsConfig.timeColumnName');
  given.forEach((c, i) => {
    requireSingle(`upsertConfig.comparisonColumns[${i}]`, c, null, '');
    if (pks.includes(c)) problems.push(`upsertConfig.comparisonColumns[${i}]: ${c} is a primary key column`);
  });
  if (u!.deleteRecordColumn !== undefined) {
    requireSingle('upsertConfig.deleteRecordColumn', u!.deleteRecordColumn, DELETE_TYPES, 'the delete column must be BOOLEAN, STRING, INT or LONG');
  }
  if (u!.outOfOrderRecordColumn !== undefined) {
    requireSingle('upsertConfig.outOfOrderRecordColumn', u!.outOfOrderRecordColumn, new Set(['BOOLEAN']), 'the out-of-order flag column must be BOOLEAN');
    if (u!.dropOutOfOrderRecord === true) problems.push('upsertConfig.outOfOrderRecordColumn: cannot be set with dropOutOfOrderRecord (a dropped record is never flagged)');
  }
  const ttl = u!.metadataTTL ?? 0;
  const deletedTtl = u!.deletedKeysTTL ?? 0;
  if (ttl < 0) problems.push(`upsertConfig.metadataTTL: must not be negative, got ${ttl}`);
  if (deletedTtl < 0) problems.push(`upsertConfig.deletedKeysTTL: must not be negative, got ${deletedTtl}`);
  for (const [field, value] of [['metadataTTL', ttl], ['deletedKeysTTL', deletedTtl]] as const) {
    if (value <= 0) continue;
    if (comparisonColumns.length !== 1) problems.push(`upsertConfig.${field}: needs exactly one comparison column, got ${comparisonColumns.length}`);
    else {
      const spec = column(comparisonColumns[0]!);
      if (spec !== undefined && !NUMERIC.has(spec.dataType)) problems.push(`upsertConfig.${field}: comparison column ${spec.name} is ${spec.dataType}; a TTL needs a numeric comparison column`);
    }
  }
  if (deletedTtl > 0 && u!.deleteRecordColumn === undefined) problems.push('upsertConfig.deletedKeysTTL: needs upsertConfig.deleteRecordColumn');

  const strategies: Record<string, PartialUpsertStrategy> = {};
  const strategyOf = (path: string, text: string): PartialUpsertStrategy | undefined => {
    const s = text.toUpperCase() as PartialUpsertStrategy;
    if ((PARTIAL_UPSERT_STRATEGIES as readonly string[]).includes(s)) return s;
    problems.push(`${path}: unknown strategy ${JSON.stringify(text)}; one of ${PARTIAL_UPSERT_STRATEGIES.join(', ')}`);
    return undefined;
  };
  const defaultStrategy = u!.defaultPartialUpsertStrategy === undefined ? 'OVERWRITE' : strategyOf('upsertConfig.defaultPartialUpsertStrategy', u!.defaultPartialUpsertStrategy);
  const rawStrategies = u!.partialUpsertStrategies ?? {};
  if (mode !== 'PARTIAL' && Object.keys(rawStrategies).length > 0) problems.push('upsertConfig.partialUpsertStrategies: only with mode PARTIAL');
  for (const [name, text] of Object.entries(rawStrategies)) {
    const path = `upsertConfig.partialUpsertStrategies.${name}`;
    const strategy = strategyOf(path, text);
    const spec = column(name);
    if (spec === undefined) {
      problems.push(`${path}: column ${name} is not in schema ${schema.name}`);
      continue;
    }
    if (strategy === undefined) continue;
    if (pks.includes(name)) problems.push(`${path}: ${name} is a primary key column; it is never merged`);
    else if (comparisonColumns.includes(name)) problems.push(`${path}: ${name} is a comparison column; it is never merged`);
    else if (strategy === 'INCREMENT' && (!spec.singleValue || !INCREMENTABLE.has(spec.dataType))) problems.push(`${path}: INCREMENT needs a single-value INT, LONG, FLOAT or DOUBLE column; ${name} is ${spec.singleValue ? '' : 'multi-value '}${spec.dataType}`);
    else if ((strategy === 'APPEND' || strategy === 'UNION') && spec.singleValue) problems.push(`${path}: ${strategy} needs a multi-value column; ${name} is single-valued`);
    else if ((strategy === 'MAX' || strategy === 'MIN') && (!spec.singleValue || !NUMERIC.has(spec.dataType))) problems.push(`${path}: ${strategy} needs a single-value numeric column; ${name} is ${spec.dataType}`);
    strategies[name] = strategy;
  }
  if (mode === 'PARTIAL' && !nullHandlingEnabled) problems.push('upsertConfig.mode: PARTIAL needs tableIndexConfig.nullHandlingEnabled: true (null bitmaps tell a null from a default value)');
  if (problems.length > before || defaultStrategy === undefined) return {};
  return {
    upsert: Object.freeze({
      mode: mode as 'FULL' | 'PARTIAL',
      primaryKeyColumns: Object.freeze([...pks]),
      comparisonColumns: Object.freeze([...comparisonColumns]),
      ...(u!.deleteRecordColumn !== undefined ? { deleteRecordColumn: u!.deleteRecordColumn } : {}),
      dropOutOfOrderRecord: u!.dropOutOfOrderRecord === true,
      ...(u!.outOfOrderRecordColumn !== undefined ? { outOfOrderRecordColumn: u!.outOfOrderRecordColumn } : {}),
      partialUpsertStrategies: Object.freeze(strategies),
      defaultPartialUpsertStrategy: defaultStrategy,
      metadataTTL: ttl,
      deletedKeysTTL: deletedTtl,
    }),
  };
}
