import { BlockList, isIP } from 'node:net';
import { sv } from './function-types.js';
import type { ScalarFunction } from './function-types.js';
import { toJavaString } from './values.js';

/** Java's `URLEncoder.encode(s, UTF_8)`: unreserved `A-Z a-z 0-9 . - * _`, space as `+`, the rest %XX. */
export function encodeUrl(s: string): string {
  return encodeURIComponent(s)
    .replace(/[!'()~]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%20/g, '+');
}

/** Java's `URLDecoder.decode(s, UTF_8)`: `+` as space, %XX as UTF-8 bytes; a bad escape is an error. */
export function decodeUrl(s: string): string {
  try {
    return decodeURIComponent(s.replace(/\+/g, ' '));
  } catch {
    throw new Error(`decodeUrl: malformed %-escape in ${JSON.stringify(s.slice(0, 64))}`);
  }
}

/** `isSubnetOf('192.168.0.1/24', '192.168.0.225')`: IPv4 or IPv6 prefix and address; a bad one is an error naming it. */
function subnetTester(prefix: string): (address: string) => boolean {
  const slash = prefix.indexOf('/');
  const net = slash < 0 ? '' : prefix.slice(0, slash);
  const bits = Number(prefix.slice(slash + 1));
  const family = isIP(net);
  if (family === 0 || !Number.isInteger(bits) || bits < 0 || bits > (family === 4 ? 32 : 128)) throw new Error(`isSubnetOf: '${prefix}' is not an IP prefix (address/bits)`);
  const list = new BlockList();
  const type = family === 4 ? 'ipv4' : 'ipv6';
  list.addSubnet(net, bits, type);
  return (address) => {
    const f = isIP(address);
    if (f === 0) throw new Error(`isSubnetOf: '${address}' is not an IP address`);
    return f === family && list.check(address, type);
  };
}

/**
 * Pinot's URL, IP and JSON-text helpers: `encodeUrl` / `decodeUrl`, `isSubnetOf(prefix,
 * address)`, and `jsonFormat(x)` / `toJsonMapStr(x)` (ingestion helpers in Pinot that write an
 * object as JSON text: a nested object reaches shardtable's transforms as JSON text, kept
 * compact; any other value is written as a JSON value, a string quoted).
 */
export const WEB_FUNCTIONS: readonly ScalarFunction[] = [
  { name: 'encodeurl', minArgs: 1, maxArgs: 1, args: ['string'], returnType: () => sv('STRING'), build: () => (v: unknown) => encodeUrl(toJavaString(v)) },
  { name: 'decodeurl', minArgs: 1, maxArgs: 1, args: ['string'], returnType: () => sv('STRING'), build: () => (v: unknown) => decodeUrl(toJavaString(v)) },
  {
    name: 'issubnetof',
    minArgs: 2,
    maxArgs: 2,
    args: ['string', 'string'],
    returnType: () => sv('BOOLEAN'),
    build: (a) => {
      const fixed = a[0]!.isLiteral ? subnetTester(String(a[0]!.literal)) : null;
      return (prefix: unknown, address: unknown) => ((fixed ?? subnetTester(toJavaString(prefix)))(toJavaString(address)) ? 1 : 0);
    },
  },
  ...['jsonformat', 'tojsonmapstr'].map(
    (name): ScalarFunction => ({
      name,
      minArgs: 1,
      maxArgs: 1,
      returnType: () => sv('STRING'),
      build: () => (v: unknown) => {
        if (typeof v === 'string') {
          try {
            const parsed: unknown = JSON.parse(v);
            if (parsed !== null && typeof parsed === 'object') return JSON.stringify(parsed);
          } catch {
            // not JSON text: a plain string
          }
          return JSON.stringify(v);
        }
        return typeof v === 'bigint' || typeof v === 'number' ? String(v) : JSON.stringify(toJavaString(v));
      },
    }),
  ),
];
