import type { FlushThresholds, StreamConfig } from './table-config.js';
import { ShardtableError } from '../errors.js';

/** Decoder names the decoder registry knows. */
export const DECODER_NAMES = ['json', 'avro', 'csv', 'raw', 'dynamodb-kinesis'] as const;
export type DecoderName = (typeof DECODER_NAMES)[number];

/** Pinot's defaults for the flush thresholds. */
export const FLUSH_DEFAULTS = Object.freeze({
  rows: 5_000_000,
  timeMs: 6 * 60 * 60 * 1000,
  segmentSizeBytes: 0,
  /** Size threshold used when `rows` is `0` and no size is given (Pinot's desired segment size). */
  autoSegmentSizeBytes: 200 * 1024 * 1024,
});

/**
 * The smallest size threshold accepted (4K, one file-system block). A size is bytes unless it has
 * a unit, so `"1"` (meant as 1G?) would seal a segment every 16 rows (the size is checked every 16
 * rows): one file, fsync and rename per handful of records. `0` (off) stays allowed.
 */
export const MIN_SEGMENT_SIZE_BYTES = 4 * 1024;

export const FLUSH_ROWS_KEY = 'realtime.segment.flush.threshold.rows';
/** Deprecated alias of {@link FLUSH_ROWS_KEY}; `.rows` wins when both are given. */
export const FLUSH_ROWS_ALIAS_KEY = 'realtime.segment.flush.threshold.size';
export const FLUSH_TIME_KEY = 'realtime.segment.flush.threshold.time';
export const FLUSH_SEGMENT_SIZE_KEY = 'realtime.segment.flush.threshold.segment.size';
/** Deprecated alias of {@link FLUSH_SEGMENT_SIZE_KEY}. */
export const FLUSH_SEGMENT_SIZE_ALIAS_KEY = 'realtime.segment.flush.desired.size';

/** `base.key`, or `base["key"]` when the key has dots or other characters (stream config keys do). */
export function keyPath(base: string, key: string): string {
  if (/^[A-Za-z_$][\w$]*$/.test(key)) return base === '' ? key : `${base}.${key}`;
  return `${base}[${JSON.stringify(key)}]`;
}

const DURATION_UNITS_MS: Record<string, number> = { d: 86_400_000, h: 3_600_000, m: 60_000, s: 1000, ms: 1 };

/**
 * Parses a flush time such as `6h`, `30m`, `45s`, `1d`, `1500ms`, `2h30m`, or plain millis
 * (`3600000`). Units are case-insensitive. Returns undefined for anything else.
 *
 * @example parseDurationMs('1h30m') // 5400000
 */
export function parseDurationMs(text: string): number | undefined {
  const trimmed = text.trim().toLowerCase();
  if (/^\d+$/.test(trimmed)) return safe(Number(trimmed));
  if (!/^(\d+(\.\d+)?(ms|d|h|m|s))+$/.test(trimmed)) return undefined;
  let total = 0;
  for (const match of trimmed.matchAll(/(\d+(?:\.\d+)?)(ms|d|h|m|s)/g)) {
    total += Number(match[1]) * DURATION_UNITS_MS[match[2]!]!;
  }
  return safe(Math.round(total));
}

const SIZE_UNITS: Record<string, number> = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4 };

/**
 * Parses a data size such as `200M`, `1G`, `500K`, `1.5GB`, `300MB` or plain bytes (`1048576`),
 * in binary units (K = 1024) as Pinot's `DataSizeUtils`. Returns undefined for anything else.
 */
export function parseDataSize(text: string): number | undefined {
  const match = /^(\d+(?:\.\d+)?)\s*([kmgt]?)(b?)$/i.exec(text.trim());
  if (!match) return undefined;
  const bytes = Number(match[1]) * SIZE_UNITS[match[2]!.toLowerCase()]!;
  return safe(Math.round(bytes));
}

function safe(n: number): number | undefined {
  return Number.isSafeInteger(n) && n >= 0 ? n : undefined;
}

/**
 * Maps a Pinot decoder class name (or a short name) to a built-in decoder name. Returns an
 * error message for classes with no built-in equivalent; `keyPrefix` (`stream.<type>.`) names
 * the decoder keys in it.
 *
 * @example decoderNameFor('org.apache.pinot.plugin.stream.kafka.KafkaJSONMessageDecoder') // { name: 'json' }
 */
export function decoderNameFor(value: string, keyPrefix = 'stream.<type>.'): { name: DecoderName } | { error: string } {
  const text = value.trim();
  const short = text.toLowerCase();
  if ((DECODER_NAMES as readonly string[]).includes(short)) return { name: short as DecoderName };
  // KafkaAvroMessageDecoder fetches writer schemas from a schema registry (schema.registry.rest.url).
  if (/confluent|schemaregistry|\.KafkaAvroMessageDecoder$/i.test(text)) {
    return { error: `${text} needs a schema registry, which shardtable does not support; use a JSON, Avro (SimpleAvroMessageDecoder with the writer schema in ${keyPrefix}decoder.prop.schema) or CSV decoder` };
  }
  if (/json/i.test(text)) return { name: 'json' };
  if (/^org\.apache\.pinot\..*avro.*decoder$/i.test(text)) return { name: 'avro' };
  if (/^org\.apache\.pinot\..*csv.*decoder$/i.test(text)) return { name: 'csv' };
  return { error: `unknown decoder class ${text}; use a JSON, Avro (SimpleAvroMessageDecoder) or CSV Pinot decoder class, or one of ${DECODER_NAMES.join(', ')}` };
}

/**
 * Parses Pinot's `streamConfigs` map into a frozen {@link StreamConfig}: values are stored as
 * strings, flush thresholds and the decoder are resolved. `path` names the map in error messages
 * (`tableIndexConfig.streamConfigs`). `streamTypes` is the list of types this build reads (the
 * stream plugin registry's, passed down by table admission; config knows no stream type); when
 * given, any other `streamType` is a problem named at its path. The type's own keys (region,
 * credentials, iterator type) are left to its plugin. `topicKeys` names, per type, the key suffix
 * of its source name when it is not `topic.name` (`stream.dynamodb.table.name`).
 *
 * Throws `ShardtableError('STREAM_CONFIG')` listing every problem, each with its key path.
 *
 * @example
 *   const stream = parseStreamConfig({ streamType: 'kinesis', 'stream.kinesis.topic.name': 'events' }, 'streamConfigs', ['kinesis']);
 *   stream.flush.rows // 5000000
 */
export function parseStreamConfig(
  map: Record<string, unknown>,
  path = 'streamConfigs',
  streamTypes?: readonly string[],
  topicKeys?: Readonly<Record<string, string>>,
): StreamConfig {
  const problems: string[] = [];
  const properties: Record<string, string> = {};
  for (const [key, value] of Object.entries(map)) {
    if (typeof value === 'string') properties[key] = value;
    else if ((typeof value === 'number' && Number.isFinite(value)) || typeof value === 'boolean') properties[key] = String(value);
    else problems.push(`${keyPath(path, key)}: must be a string or a number`);
  }

  const streamType = properties.streamType?.trim() ?? '';
  let topicName = '';
  let decoderName: string = 'json';
  if (streamType === '') {
    problems.push(`${keyPath(path, 'streamType')}: is required (${streamTypes?.join(' | ') ?? 'the stream type'})`);
  } else if (streamTypes !== undefined && !streamTypes.includes(streamType)) {
    problems.push(`${keyPath(path, 'streamType')}: ${streamType} is not supported; supported stream types: ${streamTypes.join(', ')}`);
  } else {
    const topicKey = `stream.${streamType}.${topicKeys?.[streamType] ?? 'topic.name'}`;
    topicName = properties[topicKey]?.trim() ?? '';
    if (topicName === '') problems.push(`${keyPath(path, topicKey)}: is required (the ${streamType} ${topicKeys?.[streamType] === undefined ? 'stream' : 'source'} name)`);
    const decoderKey = `stream.${streamType}.decoder.class.name`;
    const decoderClass = properties[decoderKey];
    if (decoderClass !== undefined && decoderClass.trim() !== '') {
      const decoder = decoderNameFor(decoderClass, `stream.${streamType}.`);
      if ('error' in decoder) problems.push(`${keyPath(path, decoderKey)}: ${decoder.error}`);
      else decoderName = decoder.name;
    }
  }

  const flush = parseFlushThresholds(properties, path, problems);
  if (problems.length > 0) throw new ShardtableError('STREAM_CONFIG', { detail: problems.join('; ') });
  return Object.freeze({
    streamType,
    topicName,
    properties: Object.freeze(properties),
    flush,
    decoderName,
  });
}

/**
 * Reads the three flush thresholds. `rows` of `0` means "no row threshold": as in Pinot, the
 * segment is then sealed by size, 200M unless `...threshold.segment.size` says otherwise.
 */
export function parseFlushThresholds(properties: Readonly<Record<string, string>>, path: string, problems: string[]): FlushThresholds {
  let rows: number = FLUSH_DEFAULTS.rows;
  const rowsKey = properties[FLUSH_ROWS_KEY] !== undefined ? FLUSH_ROWS_KEY : FLUSH_ROWS_ALIAS_KEY;
  const rowsText = properties[rowsKey];
  if (rowsText !== undefined) {
    const parsed = /^\s*\d+\s*$/.test(rowsText) ? safe(Number(rowsText)) : undefined;
    if (parsed === undefined) problems.push(`${keyPath(path, rowsKey)}: must be a whole number of rows (0 = seal by size), got ${JSON.stringify(rowsText)}`);
    else rows = parsed;
  }

  let timeMs: number = FLUSH_DEFAULTS.timeMs;
  const timeText = properties[FLUSH_TIME_KEY];
  if (timeText !== undefined) {
    const parsed = parseDurationMs(timeText);
    if (parsed === undefined) problems.push(`${keyPath(path, FLUSH_TIME_KEY)}: must be a duration such as 6h, 30m, 45s, 1d, 1500ms or millis, got ${JSON.stringify(timeText)}`);
    else timeMs = parsed;
  }

  let segmentSizeBytes: number = rows === 0 ? FLUSH_DEFAULTS.autoSegmentSizeBytes : FLUSH_DEFAULTS.segmentSizeBytes;
  const sizeKey = properties[FLUSH_SEGMENT_SIZE_KEY] !== undefined ? FLUSH_SEGMENT_SIZE_KEY : FLUSH_SEGMENT_SIZE_ALIAS_KEY;
  const sizeText = properties[sizeKey];
  if (sizeText !== undefined) {
    const parsed = parseDataSize(sizeText);
    if (parsed === undefined) problems.push(`${keyPath(path, sizeKey)}: must be a size such as 200M, 1G, 500K or bytes, got ${JSON.stringify(sizeText)}`);
    else if (parsed === 0 && rows === 0) problems.push(`${keyPath(path, sizeKey)}: must be more than 0 when ${FLUSH_ROWS_KEY} is 0 (a segment needs a row or size threshold)`);
    else if (parsed > 0 && parsed < MIN_SEGMENT_SIZE_BYTES) {
      problems.push(`${keyPath(path, sizeKey)}: must be at least 4K (${MIN_SEGMENT_SIZE_BYTES} bytes), or 0 for no size threshold; got ${JSON.stringify(sizeText)}, which is ${parsed} bytes (a size without a unit is bytes: write 200M or 1G)`);
    } else segmentSizeBytes = parsed;
  }
  return Object.freeze({ rows, timeMs, segmentSizeBytes });
}
