import { createHash } from 'node:crypto';
import { sv } from './function-types.js';
import type { ScalarFunction } from './function-types.js';
import { convertTo, toJavaString } from './values.js';

const bytesOf = (v: unknown): Uint8Array => (v instanceof Uint8Array ? v : (convertTo(v, 'BYTES') as Uint8Array));

function digest(name: string, algorithm: string): ScalarFunction {
  return { name, minArgs: 1, maxArgs: 1, args: ['sv'], returnType: () => sv('STRING'), build: () => (v: unknown) => createHash(algorithm).update(bytesOf(v)).digest('hex') };
}

/**
 * Pinot's hash and encoding functions (`HashFunctions`, `StringFunctions`): `sha`, `sha256`,
 * `sha512`, `md5` of BYTES as lower-case hex; `toBase64` / `fromBase64`, `toUtf8` / `fromUtf8`
 * between BYTES and STRING. A STRING given where BYTES are expected is read as hex, as Pinot
 * converts it.
 */
export const BINARY_FUNCTIONS: readonly ScalarFunction[] = [
  digest('sha', 'sha1'),
  digest('sha224', 'sha224'),
  digest('sha256', 'sha256'),
  digest('sha512', 'sha512'),
  digest('md5', 'md5'),
  { name: 'tobase64', minArgs: 1, maxArgs: 1, args: ['sv'], returnType: () => sv('STRING'), build: () => (v: unknown) => Buffer.from(bytesOf(v)).toString('base64') },
  {
    name: 'frombase64',
    minArgs: 1,
    maxArgs: 1,
    args: ['string'],
    returnType: () => sv('BYTES'),
    build: () => (v: unknown) => {
      const text = toJavaString(v);
      if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text) || text.length % 4 !== 0) throw new Error(`fromBase64: not Base64 text: ${JSON.stringify(text.slice(0, 64))}`);
      return new Uint8Array(Buffer.from(text, 'base64'));
    },
  },
  { name: 'toutf8', minArgs: 1, maxArgs: 1, args: ['string'], returnType: () => sv('BYTES'), build: () => (v: unknown) => new Uint8Array(Buffer.from(toJavaString(v), 'utf8')) },
  { name: 'fromutf8', minArgs: 1, maxArgs: 1, args: ['sv'], returnType: () => sv('STRING'), build: () => (v: unknown) => Buffer.from(bytesOf(v)).toString('utf8') },
  {
    name: 'chr',
    minArgs: 1,
    maxArgs: 1,
    args: ['numeric'],
    returnType: () => sv('STRING'),
    build: () => (v: unknown) => {
      const cp = Number(v);
      if (!Number.isInteger(cp) || cp < 0 || cp > 0x10ffff) throw new Error(`chr: ${String(v)} is not a Unicode code point`);
      return String.fromCodePoint(cp);
    },
  },
  { name: 'remove', minArgs: 2, maxArgs: 2, args: ['string', 'string'], returnType: () => sv('STRING'), build: () => (s: unknown, search: unknown) => (String(search) === '' ? String(s) : String(s).split(String(search)).join('')) },
];
