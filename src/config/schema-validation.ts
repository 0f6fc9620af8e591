import { Ajv } from 'ajv';
import type { ErrorObject } from 'ajv';
import { DATA_TYPES } from './data-type.js';
import type { DataType } from './data-type.js';
import { convertDefaultNullValue } from './schema.js';
import type { PinotFieldSpec, PinotSchema } from './schema.js';
import { ShardtableError } from '../errors.js';

/**
 * The one ajv instance for config JSON: every error at once, defaults filled in, scalar types
 * coerced as Pinot's Jackson does (`"false"` for a boolean), values kept for messages.
 * Validation always runs on a copy, so the caller's object is never changed.
 */
export const configAjv = new Ajv({ allErrors: true, useDefaults: true, coerceTypes: true, verbose: true, strict: false });

/** `/dimensionFieldSpecs/2/dataType` → `dimensionFieldSpecs[2].dataType`. */
export function pointerToPath(pointer: string): string {
  if (pointer === '') return '';
  let out = '';
  for (const raw of pointer.slice(1).split('/')) {
    const part = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (/^\d+$/.test(part)) out += `[${part}]`;
    else if (/^[A-Za-z_$][\w$]*$/.test(part)) out += out === '' ? part : `.${part}`;
    else out += `[${JSON.stringify(part)}]`;
  }
  return out;
}

/** Joins a path and a property name the way {@link pointerToPath} writes paths. */
export function childPath(base: string, key: string | number): string {
  if (typeof key === 'number') return `${base}[${key}]`;
  if (/^[A-Za-z_$][\w$]*$/.test(key)) return base === '' ? key : `${base}.${key}`;
  return `${base}[${JSON.stringify(key)}]`;
}

/** Turns ajv errors into messages that name the field path and what was wrong. */
export function formatAjvErrors(errors: readonly ErrorObject[] | null | undefined): string[] {
  const messages: string[] = [];
  for (const error of errors ?? []) {
    const path = pointerToPath(error.instancePath);
    let field = path;
    let message: string;
    switch (error.keyword) {
      case 'required':
        field = childPath(path, String(error.params.missingProperty));
        message = 'is required';
        break;
      case 'enum':
        message = `must be one of ${(error.params.allowedValues as unknown[]).join(', ')}, got ${JSON.stringify(error.data)}`;
        break;
      case 'type':
        message = `must be ${error.params.type === 'object' ? 'a JSON object' : String(error.params.type).replace(',', ' or ')}`;
        break;
      case 'minLength':
        message = error.params.limit === 1 ? 'must not be empty' : `must be at least ${error.params.limit} characters`;
        break;
      case 'minItems':
        message = `must have at least ${error.params.limit} item(s)`;
        break;
      default:
        message = error.message ?? 'is invalid';
    }
    const line = `${field === '' ? '(body)' : field}: ${message}`;
    if (!messages.includes(line)) messages.push(line);
  }
  return messages;
}

/** Names of schemas and tables become file names under the data dir, so they are restricted. */
export const CATALOG_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;
/**
 * Longest schema or table name: a segment file name adds about 50 characters to the table name
 * and must stay within the 255-byte file-name limit. Every HTTP route accepts names this long
 * (the router's path-segment limit is far above it), so whatever is created can be managed.
 */
export const CATALOG_NAME_MAX_LENGTH = 200;

/** Why a schema or table name cannot be used, or undefined when it can. */
export function invalidNameReason(name: string): string | undefined {
  if (name.length > CATALOG_NAME_MAX_LENGTH) return `must be at most ${CATALOG_NAME_MAX_LENGTH} characters, got ${name.length}`;
  if (!CATALOG_NAME_PATTERN.test(name)) {
    return `${JSON.stringify(name)} must start with a letter or digit and use only letters, digits, '_', '-' and '.'`;
  }
  return undefined;
}

const TIME_UNITS = 'NANOSECONDS|MICROSECONDS|MILLISECONDS|SECONDS|MINUTES|HOURS|DAYS';
const OLD_FORMAT = new RegExp(`^\\d+:(${TIME_UNITS}):(EPOCH|TIMESTAMP|SIMPLE_DATE_FORMAT(:.+)?)$`, 'i');
const NEW_FORMAT = new RegExp(`^(EPOCH(\\|(${TIME_UNITS})(\\|\\d+)?)?|TIMESTAMP|SIMPLE_DATE_FORMAT(\\|.+)?)$`, 'i');
const GRANULARITY = new RegExp(`^(\\d+:(${TIME_UNITS})|(${TIME_UNITS})(\\|\\d+)?)$`, 'i');

/** Metric columns hold numbers (or serialized sketches as BYTES), as in Pinot. */
const METRIC_TYPES: readonly DataType[] = ['INT', 'LONG', 'FLOAT', 'DOUBLE', 'BIG_DECIMAL', 'BYTES'];

const fieldSpec = {
  type: 'object',
  required: ['name', 'dataType'],
  properties: {
    name: { type: 'string', minLength: 1 },
    dataType: { type: 'string', enum: [...DATA_TYPES] },
    singleValueField: { type: 'boolean', default: true },
    notNull: { type: 'boolean' },
    maxLength: { type: 'integer' },
    format: { type: 'string' },
    granularity: { type: 'string' },
  },
};

const dateTimeFieldSpec = {
  ...fieldSpec,
  required: ['name', 'dataType', 'format', 'granularity'],
  properties: { ...fieldSpec.properties, format: { type: 'string', minLength: 1 }, granularity: { type: 'string', minLength: 1 } },
};

const pinotSchemaJsonSchema = {
  type: 'object',
  required: ['schemaName'],
  properties: {
    schemaName: { type: 'string', minLength: 1 },
    dimensionFieldSpecs: { type: 'array', items: fieldSpec, default: [] },
    metricFieldSpecs: { type: 'array', items: fieldSpec, default: [] },
    dateTimeFieldSpecs: { type: 'array', items: dateTimeFieldSpec, default: [] },
    timeFieldSpec: {
      type: 'object',
      required: ['incomingGranularitySpec'],
      properties: { incomingGranularitySpec: fieldSpec },
    },
    primaryKeyColumns: { type: 'array', items: { type: 'string', minLength: 1 } },
  },
};

const validatePinotSchemaShape = configAjv.compile(pinotSchemaJsonSchema);

/**
 * Validates a Pinot schema JSON (`POST /schemas`) and returns a copy with defaults filled
 * (`singleValueField: true`, empty spec lists). Unknown keys are kept.
 *
 * Rules: `schemaName` required; valid `dataType`s; field names unique across all spec lists;
 * `defaultNullValue` convertible to the type; metric columns numeric (or BYTES) and single-valued;
 * `dateTimeFieldSpecs` have a `format` and `granularity` Pinot understands; primary key columns
 * exist.
 *
 * Throws `ShardtableError('INVALID_SCHEMA')` listing every problem, e.g.
 * `dimensionFieldSpecs[2].dataType: must be one of INT, LONG, ..., got "STRNG"`.
 */
export function validateSchema(json: unknown): PinotSchema {
  const copy: unknown = json === undefined ? undefined : structuredClone(json);
  if (!validatePinotSchemaShape(copy)) {
    throw new ShardtableError('INVALID_SCHEMA', { detail: formatAjvErrors(validatePinotSchemaShape.errors).join('; ') });
  }
  const schema = copy as PinotSchema;
  const problems: string[] = [];
  const nameProblem = invalidNameReason(schema.schemaName);
  if (nameProblem) problems.push(`schemaName: ${nameProblem}`);

  const seen = new Map<string, string>();
  const check = (spec: PinotFieldSpec, path: string, kind: 'dimension' | 'metric' | 'dateTime' | 'time'): void => {
    const earlier = seen.get(spec.name);
    if (earlier !== undefined) problems.push(`${path}.name: column ${spec.name} is already defined at ${earlier}`);
    else seen.set(spec.name, path);
    if (spec.defaultNullValue !== undefined && spec.defaultNullValue !== null) {
      const converted = convertDefaultNullValue(spec.dataType, spec.defaultNullValue);
      if ('error' in converted) {
        problems.push(`${path}.defaultNullValue: ${JSON.stringify(spec.defaultNullValue)} ${converted.error} (dataType ${spec.dataType})`);
      }
    }
    if (kind === 'metric') {
      if (!METRIC_TYPES.includes(spec.dataType)) problems.push(`${path}.dataType: a metric must be one of ${METRIC_TYPES.join(', ')}, got ${spec.dataType}`);
      if (spec.singleValueField === false) problems.push(`${path}.singleValueField: a metric column must be single-valued`);
    }
    if (kind === 'dateTime') {
      if (spec.singleValueField === false) problems.push(`${path}.singleValueField: a date-time column must be single-valued`);
      const format = String(spec.format).trim();
      if (!OLD_FORMAT.test(format) && !NEW_FORMAT.test(format)) {
        problems.push(`${path}.format: ${JSON.stringify(spec.format)} is not a Pinot date-time format (e.g. 1:MILLISECONDS:EPOCH, EPOCH|SECONDS, SIMPLE_DATE_FORMAT|yyyy-MM-dd, TIMESTAMP)`);
      }
      if (!GRANULARITY.test(String(spec.granularity).trim())) {
        problems.push(`${path}.granularity: ${JSON.stringify(spec.granularity)} is not a Pinot granularity (e.g. 1:HOURS or HOURS|1)`);
      }
    }
  };
  schema.dimensionFieldSpecs?.forEach((spec, i) => check(spec, `dimensionFieldSpecs[${i}]`, 'dimension'));
  schema.metricFieldSpecs?.forEach((spec, i) => check(spec, `metricFieldSpecs[${i}]`, 'metric'));
  schema.dateTimeFieldSpecs?.forEach((spec, i) => check(spec, `dateTimeFieldSpecs[${i}]`, 'dateTime'));
  if (schema.timeFieldSpec) check(schema.timeFieldSpec.incomingGranularitySpec, 'timeFieldSpec.incomingGranularitySpec', 'time');
  if (seen.size === 0) problems.push('dimensionFieldSpecs: the schema has no columns');

  const primaryKeys = new Set<string>();
  schema.primaryKeyColumns?.forEach((column, i) => {
    if (!seen.has(column)) problems.push(`primaryKeyColumns[${i}]: column ${column} is not in the schema`);
    if (primaryKeys.has(column)) problems.push(`primaryKeyColumns[${i}]: column ${column} is listed twice`);
    primaryKeys.add(column);
  });

  if (problems.length > 0) throw new ShardtableError('INVALID_SCHEMA', { detail: problems.join('; ') });
  return schema;
}
