import type { TableSchema } from './schema.js';
import type { ComplexTypeSettings, IndexingConfig, IngestionSettings, PinotTableConfig, RecordErrorPolicy, StreamConfig, TableConfig } from './table-config.js';
import { configAjv, formatAjvErrors, invalidNameReason } from './schema-validation.js';
import { parseStreamConfig } from './stream-config.js';
import { rollupSettingsOf } from './rollup-config.js';
import { indexSettingsOf } from './index-config.js';
import { starTreeConfigsOf } from './star-tree-config.js';
import { ShardtableError } from '../errors.js';
import { dedupConfigJsonSchema, upsertAndDedupSettings, upsertConfigJsonSchema } from './upsert-config.js';

/**
 * What table admission tells the config layer about the stream types this build reads (from the
 * stream plugin registry; config knows no stream type itself).
 */
export interface TableValidationOptions {
  /** Every supported `streamType`; any other is a problem named at its path. */
  readonly streamTypes?: readonly string[];
  /** Per stream type, the key suffix naming its source when it is not `topic.name` (e.g. `table.name`). */
  readonly topicKeys?: Readonly<Record<string, string>>;
  /**
   * Stream types that deliver each key's changes in order themselves: an upsert table on one of
   * them needs no comparison column (records are applied in arrival order, later wins).
   */
  readonly orderedStreamTypes?: readonly string[];
}

/** Pinot's suffix for realtime table names. */
export const REALTIME_SUFFIX = '_REALTIME';
const OFFLINE_SUFFIX = '_OFFLINE';

const TIME_UNITS = ['NANOSECONDS', 'MICROSECONDS', 'MILLISECONDS', 'SECONDS', 'MINUTES', 'HOURS', 'DAYS'];

const stringList = { type: 'array', items: { type: 'string' }, default: [] };

const tableConfigJsonSchema = {
  type: 'object',
  required: ['tableName'],
  properties: {
    tableName: { type: 'string', minLength: 1 },
    tableType: { type: 'string' },
    segmentsConfig: {
      type: 'object',
      default: {},
      properties: {
        timeColumnName: { type: 'string' },
        schemaName: { type: 'string' },
        retentionTimeUnit: { type: 'string' },
        retentionTimeValue: { type: 'string' },
      },
    },
    tableIndexConfig: {
      type: 'object',
      default: {},
      properties: {
        streamConfigs: { type: 'object' },
        sortedColumn: { type: ['array', 'string'], items: { type: 'string' } },
        invertedIndexColumns: stringList,
        noDictionaryColumns: stringList,
        nullHandlingEnabled: { type: 'boolean', default: false },
      },
    },
    ingestionConfig: {
      type: 'object',
      properties: {
        streamIngestionConfig: {
          type: 'object',
          properties: { streamConfigMaps: { type: 'array', items: { type: 'object' } } },
        },
        transformConfigs: {
          type: 'array',
          items: {
            type: 'object',
            required: ['columnName', 'transformFunction'],
            properties: { columnName: { type: 'string', minLength: 1 }, transformFunction: { type: 'string', minLength: 1 } },
          },
        },
        filterConfig: { type: 'object', properties: { filterFunction: { type: 'string' } } },
        continueOnError: { type: 'boolean' },
        errorPolicy: { type: 'string' },
        complexTypeConfig: {
          type: 'object',
          properties: {
            fieldsToUnnest: stringList,
            delimiter: { type: 'string', minLength: 1, default: '.' },
            collectionNotUnnestedToJson: { type: 'string', enum: ['NONE', 'NON_PRIMITIVE', 'ALL'], default: 'NON_PRIMITIVE' },
          },
        },
      },
    },
    fieldConfigList: {
      type: 'array',
      items: { type: 'object', required: ['name'], properties: { name: { type: 'string', minLength: 1 } } },
    },
    upsertConfig: upsertConfigJsonSchema,
    dedupConfig: dedupConfigJsonSchema,
    isDimTable: { type: 'boolean' },
  },
};

const validateTableConfigShape = configAjv.compile(tableConfigJsonSchema);

/**
 * The raw table name for a name given with or without Pinot's `_REALTIME` suffix.
 *
 * @example rawTableName('events_REALTIME') // 'events'
 */
export function rawTableName(name: string): string {
  return name.endsWith(REALTIME_SUFFIX) && name.length > REALTIME_SUFFIX.length ? name.slice(0, -REALTIME_SUFFIX.length) : name;
}

/**
 * Checks `tableName` and returns the raw table name plus the schema names to look for, in
 * Pinot's order: the raw table name, then `segmentsConfig.schemaName`. Throws
 * `INVALID_TABLE_CONFIG` when the body has no usable table name.
 */
export function tableIdentity(json: unknown): { tableName: string; schemaCandidates: string[] } {
  if (json === null || typeof json !== 'object' || Array.isArray(json)) {
    throw new ShardtableError('INVALID_TABLE_CONFIG', { detail: '(body): must be a JSON object' });
  }
  const body = json as Record<string, unknown>;
  const name = body.tableName;
  if (typeof name !== 'string' || name.trim() === '') {
    throw new ShardtableError('INVALID_TABLE_CONFIG', { detail: `tableName: ${name === undefined ? 'is required' : 'must be a non-empty string'}` });
  }
  if (name.endsWith(OFFLINE_SUFFIX)) {
    throw new ShardtableError('INVALID_TABLE_CONFIG', { detail: `tableName: ${name} names an OFFLINE table; shardtable serves REALTIME tables` });
  }
  const tableName = rawTableName(name);
  const reason = invalidNameReason(tableName) ?? (tableName.includes('__') ? `must not contain '__' (it separates the parts of segment names)` : undefined);
  if (reason) throw new ShardtableError('INVALID_TABLE_CONFIG', { detail: `tableName: ${reason}` });
  const segmentsConfig = body.segmentsConfig as Record<string, unknown> | undefined;
  const schemaName = segmentsConfig && typeof segmentsConfig === 'object' ? segmentsConfig.schemaName : undefined;
  const schemaCandidates = [tableName];
  if (typeof schemaName === 'string' && schemaName !== '' && schemaName !== tableName) schemaCandidates.push(schemaName);
  return { tableName, schemaCandidates };
}

/**
 * Validates a Pinot REALTIME table config against its schema and returns the frozen engine view.
 * The schema is found by the caller (see {@link tableIdentity}). Unknown keys are kept in
 * `config.pinot` and ignored; `config.pinot.tableName` is Pinot's `<raw>_REALTIME` form and
 * `tableType` is filled in.
 *
 * Rules: `tableName` (`foo` or `foo_REALTIME`); `tableType` REALTIME when given; either
 * `tableIndexConfig.streamConfigs` or `ingestionConfig.streamIngestionConfig.streamConfigMaps`
 * (one map or several: one stream type, each topic once, at most 16);
 * `segmentsConfig.timeColumnName` a date-time column of the schema; `sortedColumn`,
 * `invertedIndexColumns`, `noDictionaryColumns`, `transformConfigs[].columnName`,
 * `fieldConfigList[].name` schema columns; retention unit and value; `upsertConfig` / `dedupConfig` by Pinot's rules
 * (`upsert-config.ts`). The stream map is parsed by `parseStreamConfig` (given `options.streamTypes`, the stream
 * plugin registry's list, an unknown `streamType` is named at its path). This is the config
 * layer's part: what needs plugins or the expression compiler (stream keys, the decoder,
 * transforms) is checked by table admission (`src/table/table-admission.ts`) on top of it.
 *
 * Throws `INVALID_TABLE_CONFIG` (or `STREAM_CONFIG` for the stream map) naming every field path.
 */
export function validateTableConfig(json: unknown, schema: TableSchema, options: TableValidationOptions = {}): TableConfig {
  const { tableName } = tableIdentity(json);
  const copy = structuredClone(json) as PinotTableConfig;
  if (!validateTableConfigShape(copy)) {
    throw new ShardtableError('INVALID_TABLE_CONFIG', { detail: formatAjvErrors(validateTableConfigShape.errors).join('; ') });
  }
  const problems: string[] = [];
  const isColumn = (name: string): boolean => schema.columnIndex.has(name);
  const requireColumn = (path: string, name: string): void => {
    if (!isColumn(name)) problems.push(`${path}: column ${name} is not in schema ${schema.name}`);
  };

  if (copy.tableType !== undefined && copy.tableType.toUpperCase() !== 'REALTIME') {
    problems.push(`tableType: must be REALTIME (shardtable serves realtime tables), got ${JSON.stringify(copy.tableType)}`);
  }

  const segmentsConfig = copy.segmentsConfig ?? {};
  const timeColumnName = segmentsConfig.timeColumnName === '' ? undefined : segmentsConfig.timeColumnName;
  if (timeColumnName !== undefined) {
    const index = schema.columnIndex.get(timeColumnName);
    if (index === undefined) problems.push(`segmentsConfig.timeColumnName: column ${timeColumnName} is not in schema ${schema.name}`);
    else {
      const fieldType = schema.columns[index]!.fieldType;
      if (fieldType !== 'DATE_TIME' && fieldType !== 'TIME') {
        problems.push(`segmentsConfig.timeColumnName: column ${timeColumnName} is a ${fieldType} column; the time column must be in dateTimeFieldSpecs`);
      }
    }
  }
  checkRetention(segmentsConfig as Record<string, unknown>, problems);

  const index = copy.tableIndexConfig ?? {};
  const sorted = typeof index.sortedColumn === 'string' ? (index.sortedColumn === '' ? [] : [index.sortedColumn]) : (index.sortedColumn ?? []);
  if (sorted.length > 1) problems.push(`tableIndexConfig.sortedColumn: at most one sorted column is supported, got ${sorted.length}`);
  sorted.forEach((column, i) => requireColumn(`tableIndexConfig.sortedColumn[${i}]`, column));
  const inverted = index.invertedIndexColumns ?? [];
  inverted.forEach((column, i) => requireColumn(`tableIndexConfig.invertedIndexColumns[${i}]`, column));
  const noDictionary = index.noDictionaryColumns ?? [];
  noDictionary.forEach((column, i) => requireColumn(`tableIndexConfig.noDictionaryColumns[${i}]`, column));

  const ingestion = copy.ingestionConfig as
    | { transformConfigs?: { columnName: string }[]; streamIngestionConfig?: { streamConfigMaps?: Record<string, unknown>[] } }
    | undefined;
  ingestion?.transformConfigs?.forEach((transform, i) => requireColumn(`ingestionConfig.transformConfigs[${i}].columnName`, transform.columnName));
  (copy.fieldConfigList as { name: string }[] | undefined)?.forEach((field, i) => requireColumn(`fieldConfigList[${i}].name`, field.name));

  const extraIndexes = indexSettingsOf(index as Record<string, unknown>, copy.fieldConfigList, schema, problems);
  const starTrees = starTreeConfigsOf(index as Record<string, unknown>, schema, problems);
  const isDimTable = copy.isDimTable === true;
  if (isDimTable && schema.primaryKeyColumns.length === 0) {
    problems.push(`isDimTable: a dimension table is looked up by primary key; schema ${schema.name} has no primaryKeyColumns`);
  }

  const streamSource = findStreamConfig(index.streamConfigs, ingestion?.streamIngestionConfig?.streamConfigMaps, problems);
  const declaredTypes = (streamSource?.maps ?? []).map((map) => (typeof map.streamType === 'string' ? map.streamType.trim() : ''));
  const streamOrdersChanges = declaredTypes.length > 0 && declaredTypes.every((type) => options.orderedStreamTypes?.includes(type) === true);
  const keyed = upsertAndDedupSettings(copy.upsertConfig, copy.dedupConfig, schema, timeColumnName, index.nullHandlingEnabled === true, problems, { streamOrdersChanges });
  const rollup = rollupSettingsOf(
    (index as { aggregateMetrics?: unknown }).aggregateMetrics,
    (copy.ingestionConfig as { aggregationConfigs?: unknown } | undefined)?.aggregationConfigs,
    schema,
    { keyed: Object.keys(keyed).length > 0, nullHandling: index.nullHandlingEnabled === true },
    problems,
  );

  if (problems.length > 0) throw new ShardtableError('INVALID_TABLE_CONFIG', { detail: problems.join('; ') });
  const streams = streamSource!.maps.map((map, k) => parseStreamConfig(map, streamSource!.path(k), options.streamTypes, options.topicKeys));
  const stream: StreamConfig = streams[0]!;
  checkStreams(streams, streamSource!.path);
  const parsedIngestion = ingestionSettingsOf(copy.ingestionConfig, stream, streamSource!.path(0));
  const ingestionSettings = rollup.transforms.length > 0 ? { ...parsedIngestion, transforms: [...parsedIngestion.transforms, ...rollup.transforms] } : parsedIngestion;

  copy.tableName = `${tableName}${REALTIME_SUFFIX}`;
  copy.tableType = 'REALTIME';
  const indexing: IndexingConfig = Object.freeze({
    ...(sorted[0] !== undefined ? { sortedColumn: sorted[0] } : {}),
    invertedIndexColumns: Object.freeze([...inverted]),
    noDictionaryColumns: Object.freeze([...noDictionary]),
    nullHandlingEnabled: index.nullHandlingEnabled === true,
    ...(extraIndexes.jsonIndexColumns.length > 0 ? { jsonIndexColumns: extraIndexes.jsonIndexColumns } : {}),
    ...(extraIndexes.rangeIndexColumns.length > 0 ? { rangeIndexColumns: extraIndexes.rangeIndexColumns } : {}),
    ...(extraIndexes.textIndexColumns.length > 0 ? { textIndexColumns: extraIndexes.textIndexColumns } : {}),
    ...(Object.keys(extraIndexes.timestampIndexes).length > 0 ? { timestampIndexes: extraIndexes.timestampIndexes } : {}),
    ...(Object.keys(extraIndexes.bloomFilters).length > 0 ? { bloomFilters: extraIndexes.bloomFilters } : {}),
    ...(starTrees.length > 0 ? { starTrees } : {}),
  });
  return Object.freeze({
    tableName,
    ...(timeColumnName !== undefined ? { timeColumnName } : {}),
    stream,
    streams: Object.freeze(streams),
    indexing,
    ingestion: deepFreeze(ingestionSettings),
    ...keyed,
    ...(isDimTable ? { isDimTable: true as const } : {}),
    ...(rollup.settings ? { rollup: deepFreeze(rollup.settings) } : {}),
    pinot: deepFreeze(copy),
  });
}

const POLICIES: Readonly<Record<string, RecordErrorPolicy>> = { skip: 'skip', fail: 'fail', deadletter: 'deadLetter', dead_letter: 'deadLetter' };

/** The stream key that sets the bad-record policy: `stream.<type>.decoder.errorPolicy`. */
export function errorPolicyKey(streamType: string): string {
  return `stream.${streamType}.decoder.errorPolicy`;
}

/**
 * The bad-record policy, transforms, filter and complex types. The policy comes from
 * `ingestionConfig.errorPolicy` or the stream key `stream.<type>.decoder.errorPolicy`
 * (`skip` | `fail` | `deadLetter`), or from Pinot's `ingestionConfig.continueOnError`
 * (`true` = skip, `false` = fail); given more than once, they must agree. Expressions are compiled
 * by table admission, so a bad one (e.g. Groovy) is a 400 at `POST /tables`.
 */
function ingestionSettingsOf(raw: PinotTableConfig['ingestionConfig'], stream: StreamConfig, streamPath: string): IngestionSettings {
  const ing = (raw ?? {}) as {
    errorPolicy?: string;
    continueOnError?: boolean;
    transformConfigs?: { columnName: string; transformFunction: string }[];
    filterConfig?: { filterFunction?: string };
    complexTypeConfig?: { fieldsToUnnest: string[]; delimiter: string; collectionNotUnnestedToJson: ComplexTypeSettings['collectionNotUnnestedToJson'] };
  };
  const problems: string[] = [];
  const given: { path: string; policy: RecordErrorPolicy }[] = [];
  const named = (path: string, text: string): void => {
    const policy = POLICIES[text.trim().toLowerCase()];
    if (policy === undefined) problems.push(`${path}: must be skip, fail or deadLetter, got ${JSON.stringify(text)}`);
    else given.push({ path, policy });
  };
  if (ing.errorPolicy !== undefined) named('ingestionConfig.errorPolicy', ing.errorPolicy);
  const policyKey = errorPolicyKey(stream.streamType);
  const streamPolicy = stream.properties[policyKey];
  if (streamPolicy !== undefined) named(`${streamPath}.${policyKey}`, streamPolicy);
  if (ing.continueOnError !== undefined) given.push({ path: 'ingestionConfig.continueOnError', policy: ing.continueOnError ? 'skip' : 'fail' });
  const distinct = [...new Set(given.map((g) => g.policy))];
  if (distinct.length > 1) problems.push(`${given.map((g) => `${g.path} (${g.policy})`).join(' and ')} disagree; give one bad-record policy`);
  const filterFunction = ing.filterConfig?.filterFunction?.trim() ? ing.filterConfig.filterFunction : undefined;
  const complex = ing.complexTypeConfig;
  const settings: IngestionSettings = {
    errorPolicy: distinct[0] ?? 'skip',
    transforms: (ing.transformConfigs ?? []).map((t) => ({ columnName: t.columnName, transformFunction: t.transformFunction })),
    ...(filterFunction !== undefined ? { filterFunction } : {}),
    ...(complex ? { complexType: { fieldsToUnnest: complex.fieldsToUnnest, delimiter: complex.delimiter, collectionNotUnnestedToJson: complex.collectionNotUnnestedToJson } } : {}),
  };
  if (problems.length > 0) throw new ShardtableError('INVALID_TABLE_CONFIG', { detail: problems.join('; ') });
  return settings;
}

/** Most streams one table reads (Pinot's stream-index offset leaves 10 000 partition ids to each). */
export const MAX_STREAMS_PER_TABLE = 16;

/**
 * Several streams of one table: one stream type (their offsets are compared by one rule), each
 * topic once (a partition's table-wide shard id is `<topic>/<shardId>`).
 */
function checkStreams(streams: readonly StreamConfig[], path: (k: number) => string): void {
  const problems: string[] = [];
  if (streams.length > MAX_STREAMS_PER_TABLE) problems.push(`ingestionConfig.streamIngestionConfig.streamConfigMaps: at most ${MAX_STREAMS_PER_TABLE} streams per table, got ${streams.length}`);
  const seen = new Map<string, number>();
  streams.forEach((s, k) => {
    if (s.streamType !== streams[0]!.streamType) problems.push(`${path(k)}.streamType: every stream of a table must be of one type; the first is ${streams[0]!.streamType}, this one ${s.streamType}`);
    const first = seen.get(s.topicName);
    if (first !== undefined) problems.push(`${path(k)}: stream ${s.topicName} is already read by ${path(first)}; give each stream once`);
    else seen.set(s.topicName, k);
  });
  if (problems.length > 0) throw new ShardtableError('INVALID_TABLE_CONFIG', { detail: problems.join('; ') });
}

/**
 * Finds the stream config maps: `tableIndexConfig.streamConfigs` (one), or every map of
 * `ingestionConfig.streamIngestionConfig.streamConfigMaps`. An empty `tableIndexConfig.streamConfigs`
 * (`{}`, as Pinot's own examples carry) counts as absent.
 */
function findStreamConfig(
  streamConfigs: Record<string, unknown> | undefined,
  streamConfigMaps: Record<string, unknown>[] | undefined,
  problems: string[],
): { maps: Record<string, unknown>[]; path: (k: number) => string } | undefined {
  const legacy = streamConfigs !== undefined && Object.keys(streamConfigs).length > 0 ? streamConfigs : undefined;
  const maps = streamConfigMaps ?? [];
  if (legacy && maps.length > 0) {
    problems.push('tableIndexConfig.streamConfigs: give the stream in tableIndexConfig.streamConfigs or ingestionConfig.streamIngestionConfig.streamConfigMaps, not both');
    return undefined;
  }
  if (legacy) return { maps: [legacy], path: () => 'tableIndexConfig.streamConfigs' };
  if (maps.length >= 1) return { maps, path: (k) => `ingestionConfig.streamIngestionConfig.streamConfigMaps[${k}]` };
  problems.push('tableIndexConfig.streamConfigs: a REALTIME table needs a stream config (tableIndexConfig.streamConfigs or ingestionConfig.streamIngestionConfig.streamConfigMaps[0])');
  return undefined;
}

function checkRetention(segmentsConfig: Record<string, unknown>, problems: string[]): void {
  const unit = typeof segmentsConfig.retentionTimeUnit === 'string' ? segmentsConfig.retentionTimeUnit.trim() : '';
  const value = typeof segmentsConfig.retentionTimeValue === 'string' ? segmentsConfig.retentionTimeValue.trim() : '';
  if (unit !== '' && !TIME_UNITS.includes(unit.toUpperCase())) {
    problems.push(`segmentsConfig.retentionTimeUnit: must be one of ${TIME_UNITS.join(', ')}, got ${JSON.stringify(unit)}`);
  }
  if (value !== '' && !/^\d+$/.test(value)) problems.push(`segmentsConfig.retentionTimeValue: must be a whole number, got ${JSON.stringify(value)}`);
  if ((unit === '') !== (value === '')) problems.push('segmentsConfig: retentionTimeUnit and retentionTimeValue go together; give both or neither');
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const inner of Object.values(value as Record<string, unknown>)) deepFreeze(inner);
  }
  return value;
}
