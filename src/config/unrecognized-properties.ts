/**
 * The keys of an uploaded schema or table config that Pinot does not know, reported as Pinot's
 * controller reports them in `unrecognizedProperties`: each unknown key's JSON path in Pinot's
 * form (`/key`, `/dimensionFieldSpecs/0/key`, `/segmentsConfig/key`) mapped to its value, a
 * nested object's leaves each under its own path. The config is still accepted, stored and
 * echoed with those keys, as Pinot does; this only tells the user a key may be misspelled.
 *
 * Checked where the key set is closed and known (decisions.md, "unrecognizedProperties"): the top
 * level of a schema and each of its field specs, and the top level of a table config and of its
 * sections with fixed keys. Free-form maps (`streamConfigs`, `metadata.customConfigs`, task
 * configs) and sections whose keys vary by Pinot version are not checked.
 *
 * @example
 *   unrecognizedSchemaProperties({ schemaName: 'e', colour: 'red' }); // { '/colour': 'red' }
 */

const FIELD_SPEC_KEYS = [
  'name', 'dataType', 'singleValueField', 'notNull', 'maxLength', 'maxLengthExceedStrategy', 'allowTrailingZeros',
  'defaultNullValue', 'transformFunction', 'virtualColumnProvider', 'description', 'tags', 'fieldId', 'aliases',
  'metadata', 'fieldType',
];

/** Pinot's `Schema` JSON properties, and the extra ones of each field spec list (Pinot's `FieldSpec` subclasses). */
const SCHEMA_KEYS = new Set([
  'schemaName', 'description', 'tags', 'enableColumnBasedNullHandling', 'primaryKeyColumns', 'dimensionFieldSpecs',
  'metricFieldSpecs', 'dateTimeFieldSpecs', 'timeFieldSpec', 'complexFieldSpecs',
]);
const SPEC_LISTS: Record<string, ReadonlySet<string>> = {
  dimensionFieldSpecs: new Set(FIELD_SPEC_KEYS),
  metricFieldSpecs: new Set([...FIELD_SPEC_KEYS, 'derivedMetricType', 'fieldSize']),
  dateTimeFieldSpecs: new Set([...FIELD_SPEC_KEYS, 'format', 'granularity', 'sampleValue']),
};

/** Pinot's `TableConfig` JSON properties. */
const TABLE_KEYS = new Set([
  'tableName', 'tableType', 'isDimTable', 'isMaterializedView', 'segmentsConfig', 'tenants', 'tableIndexConfig',
  'metadata', 'quota', 'task', 'routing', 'query', 'instanceAssignmentConfigMap', 'instancePartitionsMap',
  'segmentAssignmentConfigMap', 'fieldConfigList', 'upsertConfig', 'dedupConfig', 'dimensionTableConfig',
  'ingestionConfig', 'tierConfigs', 'tunerConfigs', 'tierOverwrites', 'tableSamplers', 'description', 'tags',
]);
/** Sections whose keys Pinot fixes (its `TenantConfig`, `QuotaConfig`, `TableCustomConfig`). */
const TABLE_SECTIONS: Record<string, ReadonlySet<string>> = {
  tenants: new Set(['broker', 'server', 'tagOverrideConfig']),
  quota: new Set(['storage', 'maxQueriesPerSecond']),
  metadata: new Set(['customConfigs']),
};

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Adds `value` under `path`, or each leaf of an object or array under its own path (Pinot flattens). */
function addLeaves(out: Json, path: string, value: unknown): void {
  if (isObject(value) && Object.keys(value).length > 0) {
    for (const [k, v] of Object.entries(value)) addLeaves(out, `${path}/${k}`, v);
  } else if (Array.isArray(value) && value.length > 0) {
    value.forEach((v, i) => addLeaves(out, `${path}/${i}`, v));
  } else {
    out[path] = value;
  }
}

function unknownKeys(out: Json, prefix: string, object: Json, known: ReadonlySet<string>): void {
  for (const [key, value] of Object.entries(object)) if (!known.has(key)) addLeaves(out, `${prefix}/${key}`, value);
}

/** Unknown keys of a Pinot schema JSON, Pinot's way; `{}` when every key is known (or the body is not an object). */
export function unrecognizedSchemaProperties(json: unknown): Json {
  const out: Json = {};
  if (!isObject(json)) return out;
  unknownKeys(out, '', json, SCHEMA_KEYS);
  for (const [list, known] of Object.entries(SPEC_LISTS)) {
    const specs = json[list];
    if (!Array.isArray(specs)) continue;
    specs.forEach((spec, i) => {
      if (isObject(spec)) unknownKeys(out, `/${list}/${i}`, spec, known);
    });
  }
  return out;
}

/** Unknown keys of a Pinot table config JSON, Pinot's way; `{}` when every key is known. */
export function unrecognizedTableProperties(json: unknown): Json {
  const out: Json = {};
  if (!isObject(json)) return out;
  unknownKeys(out, '', json, TABLE_KEYS);
  for (const [section, known] of Object.entries(TABLE_SECTIONS)) {
    const value = json[section];
    if (isObject(value)) unknownKeys(out, `/${section}`, value, known);
  }
  return out;
}
