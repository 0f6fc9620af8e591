/**
 * DynamoDB AttributeValues as JSON text, the form the table's JSON decoder reads (docs/dynamodb.md,
 * "Types"): S → string, N → the number literal itself (exact: the JSON decoder re-reads its digits
 * for LONG beyond 2^53 and BIG_DECIMAL), B → hex string (Pinot reads BYTES from hex), BOOL →
 * true/false, NULL → null, M → object, L → array, SS/NS/BS → arrays (multi-value columns).
 * Also the `_id` of an item from its key and an item's size as DynamoDB counts it.
 */

/** An AttributeValue as both SDK clients (DynamoDB and DynamoDB Streams) return it. */
export interface AttributeValue {
  readonly S?: string;
  readonly N?: string;
  readonly B?: Uint8Array;
  readonly SS?: readonly string[];
  readonly NS?: readonly string[];
  readonly BS?: readonly Uint8Array[];
  readonly M?: Readonly<Record<string, AttributeValue>>;
  readonly L?: readonly AttributeValue[];
  readonly NULL?: boolean;
  readonly BOOL?: boolean;
}

export type Item = Readonly<Record<string, AttributeValue>>;

/** The document id column every DynamoDB-fed table is keyed by. */
export const ID_COLUMN = '_id';

const JSON_NUMBER = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?$/;
const LOOSE_NUMBER = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/;

/**
 * A DynamoDB number (`N`, up to 38 digits) as a JSON number literal, digits unchanged. DynamoDB
 * answers canonical text; forms JSON does not allow (`+1`, `.5`, `1.`, `007`) are normalised
 * without changing the value. Throws on text that is not a number.
 */
export function numberLiteral(text: string): string {
  if (JSON_NUMBER.test(text)) return text;
  const m = LOOSE_NUMBER.exec(text.trim());
  if (m === null || (m[2] === '' && (m[3] ?? '') === '')) throw new Error(`N value ${JSON.stringify(text)} is not a number`);
  const sign = m[1] === '-' ? '-' : '';
  const int = (m[2] ?? '').replace(/^0+(?=\d)/, '') || '0';
  const frac = m[3] ?? '';
  const exp = m[4] !== undefined ? `e${m[4]}` : '';
  return `${sign}${int}${frac === '' ? '' : `.${frac}`}${exp}`;
}

export function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

/** One AttributeValue as JSON text. Throws naming the type on a value with no known type. */
export function attributeJson(value: AttributeValue): string {
  if (value.S !== undefined) return JSON.stringify(value.S);
  if (value.N !== undefined) return numberLiteral(value.N);
  if (value.B !== undefined) return JSON.stringify(hex(value.B));
  if (value.BOOL !== undefined) return value.BOOL ? 'true' : 'false';
  if (value.NULL !== undefined) return 'null';
  if (value.M !== undefined) return itemJson(value.M);
  if (value.L !== undefined) return `[${value.L.map(attributeJson).join(',')}]`;
  if (value.SS !== undefined) return JSON.stringify(value.SS);
  if (value.NS !== undefined) return `[${value.NS.map(numberLiteral).join(',')}]`;
  if (value.BS !== undefined) return JSON.stringify(value.BS.map(hex));
  throw new Error(`attribute value ${JSON.stringify(Object.keys(value))} has no known DynamoDB type`);
}

/** A map of attributes (an item, or an `M` value) as a JSON object text. */
export function itemJson(item: Item, extra: readonly (readonly [string, string])[] = []): string {
  const parts: string[] = [];
  for (const [name, value] of Object.entries(item)) parts.push(`${JSON.stringify(name)}:${attributeJson(value)}`);
  for (const [name, json] of extra) parts.push(`${JSON.stringify(name)}:${json}`);
  return `{${parts.join(',')}}`;
}

/** The text of a key attribute (S, N or B): the string, the number's digits, or hex. */
function keyText(name: string, value: AttributeValue | undefined): string {
  if (value?.S !== undefined) return value.S;
  if (value?.N !== undefined) return numberLiteral(value.N);
  if (value?.B !== undefined) return hex(value.B);
  throw new Error(`key attribute ${name} is missing or not S, N or B`);
}

/**
 * The `_id` of an item from its key attributes (`keyNames`: partition key, then sort key): the
 * partition key's text for a table with no sort key, else the JSON array of both texts, so
 * `a|b` and `a`,`b` never collide. Stable: the same key always gives the same `_id`.
 *
 * @example documentId({ pk: { S: 'u1' } }, ['pk'])                       // 'u1'
 * @example documentId({ pk: { S: 'u1' }, sk: { N: '7' } }, ['pk', 'sk']) // '["u1","7"]'
 */
export function documentId(item: Item, keyNames: readonly string[]): string {
  if (keyNames.length === 1) return keyText(keyNames[0]!, item[keyNames[0]!]);
  return JSON.stringify(keyNames.map((name) => keyText(name, item[name])));
}

/**
 * An item's size as DynamoDB meters reads (names plus values, in bytes; numbers count about one
 * byte per two digits plus one), for charging a scan page when the reported capacity is smaller.
 */
export function itemSize(item: Item): number {
  let size = 0;
  for (const [name, value] of Object.entries(item)) size += Buffer.byteLength(name) + valueSize(value);
  return size;
}

function valueSize(value: AttributeValue): number {
  if (value.S !== undefined) return Buffer.byteLength(value.S);
  if (value.N !== undefined) return Math.ceil(value.N.replace(/[^0-9]/g, '').length / 2) + 1;
  if (value.B !== undefined) return value.B.byteLength;
  if (value.BOOL !== undefined || value.NULL !== undefined) return 1;
  if (value.M !== undefined) return 3 + Object.entries(value.M).reduce((n, [k, v]) => n + Buffer.byteLength(k) + valueSize(v) + 1, 0);
  if (value.L !== undefined) return 3 + value.L.reduce((n, v) => n + valueSize(v) + 1, 0);
  if (value.SS !== undefined) return value.SS.reduce((n, s) => n + Buffer.byteLength(s), 0);
  if (value.NS !== undefined) return value.NS.reduce((n, s) => n + valueSize({ N: s }), 0);
  if (value.BS !== undefined) return value.BS.reduce((n, b) => n + b.byteLength, 0);
  return 0;
}

/**
 * A map of AttributeValues as DynamoDB JSON text carries it (a Kinesis change record, an export's
 * data file), in the SDK's form the attribute code
 * reads: binary values (`B`, `BS`) arrive as base64 text and become bytes, at any depth. Throws
 * naming the path of a value that is not an AttributeValue.
 */
export function wireItem(value: unknown, path: string): Item {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new Error(`${path}: missing or not a map of AttributeValues`);
  const out: Record<string, AttributeValue> = {};
  for (const [name, v] of Object.entries(value as Record<string, unknown>)) out[name] = wireValue(v, `${path}.${name}`);
  return out;
}

function wireValue(value: unknown, path: string): AttributeValue {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new Error(`${path}: not an AttributeValue (an object such as {"S":"text"})`);
  const v = value as Record<string, unknown>;
  const base64 = (text: unknown, at: string): Uint8Array => {
    if (typeof text !== 'string') throw new Error(`${at}: binary value is not base64 text`);
    return new Uint8Array(Buffer.from(text, 'base64'));
  };
  if (v.B !== undefined) return { B: base64(v.B, `${path}.B`) };
  if (v.BS !== undefined) {
    if (!Array.isArray(v.BS)) throw new Error(`${path}.BS: not an array`);
    return { BS: v.BS.map((b, i) => base64(b, `${path}.BS[${i}]`)) };
  }
  if (v.M !== undefined) return { M: wireItem(v.M, `${path}.M`) };
  if (v.L !== undefined) {
    if (!Array.isArray(v.L)) throw new Error(`${path}.L: not an array`);
    return { L: v.L.map((e, i) => wireValue(e, `${path}.L[${i}]`)) };
  }
  return v as AttributeValue;
}
