import type { DecodeFieldsResult } from '../../../spi/decoder.js';
import type { StreamMessage } from '../../../spi/message-batch.js';
import { exceedsJsonDepth, MAX_JSON_DEPTH } from './json-depth.js';

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * A JSON record's source fields, for tables with transforms: the JSON decoder's checks (UTF-8,
 * nesting depth, one object per record), keeping every field (nested objects and arrays as parsed).
 */
export function readJsonFields(message: StreamMessage): DecodeFieldsResult {
  let text: string;
  try {
    text = utf8.decode(message.value);
  } catch {
    return { ok: false, error: 'record is not valid UTF-8' };
  }
  if (exceedsJsonDepth(message.value, text, MAX_JSON_DEPTH)) return { ok: false, error: `record nests objects or arrays deeper than ${MAX_JSON_DEPTH} levels` };
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    return { ok: false, error: `record is not valid JSON: ${e instanceof Error ? e.message : String(e)}` };
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return { ok: false, error: 'record is not a JSON object' };
  return { ok: true, fields: parsed as Record<string, unknown> };
}

