import type { TableSchema } from './schema.js';

/**
 * The index types a table config asks for beyond sorted/inverted/raw, in every form Pinot
 * accepts: the legacy `tableIndexConfig` lists and maps (`jsonIndexColumns`, `jsonIndexConfigs`,
 * `bloomFilterColumns`, `bloomFilterConfigs`) and `fieldConfigList[]` (`indexes.json`,
 * `indexes.bloom`, `indexTypes: ["JSON"]`, legacy `indexType: "JSON"`). Columns are sorted by
 * name so equal configs give equal settings.
 */
export interface IndexSettings {
  /** Columns with a JSON index (STRING or JSON, single-value). */
  readonly jsonIndexColumns: readonly string[];
  /** Columns with a range index (numeric: INT, LONG, FLOAT, DOUBLE, TIMESTAMP, BOOLEAN). */
  readonly rangeIndexColumns: readonly string[];
  /** Columns with a text index (STRING or JSON, single-value). */
  readonly textIndexColumns: readonly string[];
  /** Columns with a timestamp index (TIMESTAMP or LONG, single-value) and their granularities, in the order above. */
  readonly timestampIndexes: Readonly<Record<string, readonly TimestampGranularity[]>>;
  /** Columns with a bloom filter, and its settings. */
  readonly bloomFilters: Readonly<Record<string, { readonly fpp: number; readonly maxSizeInBytes: number }>>;
}

/** Pinot's `TimestampIndexGranularity` values; a segment file codes them by position (0, 1, …). */
export const TIMESTAMP_GRANULARITIES = ['MILLISECOND', 'SECOND', 'MINUTE', 'HOUR', 'DAY', 'WEEK', 'MONTH', 'QUARTER', 'YEAR'] as const;
export type TimestampGranularity = (typeof TIMESTAMP_GRANULARITIES)[number];

/** Pinot's default bloom filter false-positive probability. */
const DEFAULT_FPP = 0.05;

/**
 * The flattening options of Pinot's `JsonIndexConfig` and their defaults. Only the defaults are
 * supported (JSON_MATCH evaluates the same flattening on every segment, indexed or not): any
 * other value is refused naming the key.
 */
const JSON_OPTION_DEFAULTS: Readonly<Record<string, unknown>> = {
  maxLevels: -1,
  excludeArray: false,
  disableCrossArrayUnnest: false,
  includePaths: null,
  excludePaths: null,
  excludeFields: null,
  indexPaths: null,
  maxValueLength: 0,
  skipInvalidJson: false,
  disabled: false,
};

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

function checkJsonOptions(where: string, options: unknown, problems: string[]): boolean {
  if (options === undefined || options === null) return true;
  if (!isObject(options)) {
    problems.push(`${where}: must be an object of JSON index options`);
    return false;
  }
  for (const [key, value] of Object.entries(options)) {
    if (!(key in JSON_OPTION_DEFAULTS)) continue; // unknown keys are kept and ignored, as elsewhere
    const def = JSON_OPTION_DEFAULTS[key];
    const isDefault = value === def || value === null || (Array.isArray(value) && value.length === 0 && def === null) || (key === 'maxLevels' && value === 0);
    if (!isDefault) problems.push(`${where}.${key}: only the default (${JSON.stringify(def)}) is supported, got ${JSON.stringify(value)}`);
  }
  return options.disabled !== true;
}

function checkBloomOptions(where: string, options: unknown, problems: string[]): { fpp: number; maxSizeInBytes: number } | null {
  if (options === undefined || options === null) return { fpp: DEFAULT_FPP, maxSizeInBytes: 0 };
  if (!isObject(options)) {
    problems.push(`${where}: must be an object ({"fpp": 0.05, "maxSizeInBytes": 0})`);
    return null;
  }
  const fpp = options.fpp ?? DEFAULT_FPP;
  const max = options.maxSizeInBytes ?? 0;
  let ok = true;
  if (typeof fpp !== 'number' || !(fpp > 0 && fpp < 1)) {
    problems.push(`${where}.fpp: must be a number between 0 and 1 (exclusive), got ${JSON.stringify(fpp)}`);
    ok = false;
  }
  if (typeof max !== 'number' || !Number.isSafeInteger(max) || max < 0) {
    problems.push(`${where}.maxSizeInBytes: must be a non-negative integer (0 = no limit), got ${JSON.stringify(max)}`);
    ok = false;
  }
  return ok && options.disabled !== true ? { fpp: fpp as number, maxSizeInBytes: max as number } : null;
}

/**
 * Reads the JSON index and bloom filter settings of a table config, pushing a message naming
 * the field for each problem (unknown column, wrong column type, bad option).
 */
export function indexSettingsOf(tableIndexConfig: Record<string, unknown>, fieldConfigList: unknown, schema: TableSchema, problems: string[]): IndexSettings {
  const json = new Set<string>();
  const range = new Set<string>();
  const text = new Set<string>();
  const timestamp = new Map<string, readonly TimestampGranularity[]>();
  const bloom = new Map<string, { fpp: number; maxSizeInBytes: number }>();
  const column = (where: string, name: unknown): string | null => {
    if (typeof name !== 'string') {
      problems.push(`${where}: must be a column name`);
      return null;
    }
    if (!schema.columnIndex.has(name)) {
      problems.push(`${where}: column ${name} is not in schema ${schema.name}`);
      return null;
    }
    return name;
  };
  const addJson = (where: string, name: unknown, options: unknown): void => {
    const col = column(where, name);
    if (col === null) return;
    const spec = schema.columns[schema.columnIndex.get(col)!]!;
    if ((spec.dataType !== 'STRING' && spec.dataType !== 'JSON') || !spec.singleValue) {
      problems.push(`${where}: a JSON index needs a single-value STRING or JSON column; ${col} is ${spec.dataType}${spec.singleValue ? '' : ' multi-value'}`);
      return;
    }
    if (checkJsonOptions(where, options, problems)) json.add(col);
  };
  const addRange = (where: string, name: unknown): void => {
    const col = column(where, name);
    if (col === null) return;
    const spec = schema.columns[schema.columnIndex.get(col)!]!;
    if (!['INT', 'LONG', 'FLOAT', 'DOUBLE', 'TIMESTAMP', 'BOOLEAN'].includes(spec.dataType)) {
      problems.push(`${where}: a range index needs a numeric or time column (INT, LONG, FLOAT, DOUBLE, TIMESTAMP, BOOLEAN); ${col} is ${spec.dataType}`);
      return;
    }
    range.add(col);
  };
  const addText = (where: string, name: unknown): void => {
    const col = column(where, name);
    if (col === null) return;
    const spec = schema.columns[schema.columnIndex.get(col)!]!;
    if ((spec.dataType !== 'STRING' && spec.dataType !== 'JSON') || !spec.singleValue) {
      problems.push(`${where}: a text index needs a single-value STRING or JSON column; ${col} is ${spec.dataType}${spec.singleValue ? '' : ' multi-value'}`);
      return;
    }
    text.add(col);
  };
  const addTimestamp = (where: string, name: unknown, config: unknown, configWhere: string): void => {
    const col = column(where, name);
    if (col === null) return;
    const spec = schema.columns[schema.columnIndex.get(col)!]!;
    if ((spec.dataType !== 'TIMESTAMP' && spec.dataType !== 'LONG') || !spec.singleValue) {
      problems.push(`${where}: a timestamp index needs a single-value TIMESTAMP or LONG column; ${col} is ${spec.dataType}${spec.singleValue ? '' : ' multi-value'}`);
      return;
    }
    const list = isObject(config) ? config.granularities : undefined;
    if (!Array.isArray(list) || list.length === 0) {
      problems.push(`${configWhere}.granularities: must be a non-empty list of ${TIMESTAMP_GRANULARITIES.join(', ')}`);
      return;
    }
    const bad = list.find((g) => !TIMESTAMP_GRANULARITIES.includes(String(g).toUpperCase() as TimestampGranularity) || typeof g !== 'string');
    if (bad !== undefined) {
      problems.push(`${configWhere}.granularities: ${JSON.stringify(bad)} is not one of ${TIMESTAMP_GRANULARITIES.join(', ')}`);
      return;
    }
    const wanted = new Set(list.map((g) => String(g).toUpperCase()));
    timestamp.set(col, Object.freeze(TIMESTAMP_GRANULARITIES.filter((g) => wanted.has(g))));
  };
  const addBloom = (where: string, name: unknown, options: unknown): void => {
    const col = column(where, name);
    if (col === null) return;
    const settings = checkBloomOptions(where, options, problems);
    if (settings) bloom.set(col, settings);
  };

  const list = (key: string): unknown[] => {
    const v = tableIndexConfig[key];
    if (v === undefined || v === null) return [];
    if (!Array.isArray(v)) {
      problems.push(`tableIndexConfig.${key}: must be a list of column names`);
      return [];
    }
    return v;
  };
  const map = (key: string): [string, unknown][] => {
    const v = tableIndexConfig[key];
    if (v === undefined || v === null) return [];
    if (!isObject(v)) {
      problems.push(`tableIndexConfig.${key}: must be an object keyed by column name`);
      return [];
    }
    return Object.entries(v);
  };
  list('jsonIndexColumns').forEach((c, i) => addJson(`tableIndexConfig.jsonIndexColumns[${i}]`, c, undefined));
  for (const [c, o] of map('jsonIndexConfigs')) addJson(`tableIndexConfig.jsonIndexConfigs.${c}`, c, o);
  list('rangeIndexColumns').forEach((c, i) => addRange(`tableIndexConfig.rangeIndexColumns[${i}]`, c));
  list('bloomFilterColumns').forEach((c, i) => addBloom(`tableIndexConfig.bloomFilterColumns[${i}]`, c, undefined));
  for (const [c, o] of map('bloomFilterConfigs')) addBloom(`tableIndexConfig.bloomFilterConfigs.${c}`, c, o);

  if (Array.isArray(fieldConfigList)) {
    fieldConfigList.forEach((field: unknown, i) => {
      if (!isObject(field)) return;
      const where = `fieldConfigList[${i}]`;
      const types = [...(Array.isArray(field.indexTypes) ? field.indexTypes : []), ...(typeof field.indexType === 'string' ? [field.indexType] : [])];
      const indexes = isObject(field.indexes) ? field.indexes : {};
      if (types.some((t) => String(t).toUpperCase() === 'JSON') && !('json' in indexes)) addJson(`${where}.indexTypes`, field.name, undefined);
      if ('json' in indexes) addJson(`${where}.indexes.json`, field.name, indexes.json);
      if (types.some((t) => String(t).toUpperCase() === 'RANGE') || ('range' in indexes && (indexes.range as { disabled?: unknown } | null)?.disabled !== true)) addRange(`${where}.indexes.range`, field.name);
      if ('bloom' in indexes) addBloom(`${where}.indexes.bloom`, field.name, indexes.bloom);
      if (types.some((t) => String(t).toUpperCase() === 'TEXT') && !('text' in indexes)) addText(`${where}.indexTypes`, field.name);
      if (types.some((t) => String(t).toUpperCase() === 'TIMESTAMP') && !('timestamp' in indexes)) addTimestamp(`${where}.indexTypes`, field.name, field.timestampConfig, `${where}.timestampConfig`);
      if ('timestamp' in indexes && (indexes.timestamp as { disabled?: unknown } | null)?.disabled !== true) addTimestamp(`${where}.indexes.timestamp`, field.name, indexes.timestamp ?? field.timestampConfig, `${where}.indexes.timestamp`);
      if ('text' in indexes && (indexes.text as { disabled?: unknown } | null)?.disabled !== true) addText(`${where}.indexes.text`, field.name);
    });
  }
  const bloomFilters: Record<string, { fpp: number; maxSizeInBytes: number }> = {};
  for (const c of [...bloom.keys()].sort()) bloomFilters[c] = Object.freeze(bloom.get(c)!);
  return Object.freeze({ jsonIndexColumns: Object.freeze([...json].sort()), rangeIndexColumns: Object.freeze([...range].sort()), textIndexColumns: Object.freeze([...text].sort()), timestampIndexes: Object.freeze(Object.fromEntries([...timestamp].sort(([a], [b]) => (a < b ? -1 : 1)))), bloomFilters: Object.freeze(bloomFilters) });
}
