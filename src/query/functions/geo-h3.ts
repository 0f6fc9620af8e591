import { createRequire } from 'node:module';
import { deserializeGeo } from './geo-shapes.js';
import { mv, sv } from './function-types.js';
import type { ArgInfo, ScalarFunction } from './function-types.js';
import { hexToBytes, toJavaString, toNumber } from './values.js';

type H3 = typeof import('h3-js');
let h3: H3 | null = null;

/**
 * `h3-js`, loaded the first time an H3 function is built. Its compiled H3 library reserves 32 MiB
 * for its own heap (~10 MiB resident) in every isolate that loads it: each query worker thread as
 * well as the main thread. Loaded at start, every process paid it whether or not a query used H3.
 */
function h3Library(): H3 {
  h3 ??= createRequire(import.meta.url)('h3-js') as H3;
  return h3;
}

/**
 * Pinot's H3 functions, by `h3-js` (the H3 C library compiled to JavaScript, as Pinot uses H3's
 * Java binding of the same library): an H3 cell is a LONG, as Pinot answers it.
 * `geoToH3(lon, lat, res)` / `geoToH3(point, res)`, `gridDisk(cell, k)` (LONG_ARRAY, the cell
 * first), `gridDistance(a, b)` (LONG). A null argument answers null.
 */

const cellText = (lib: H3, cell: unknown): string => {
  const n = typeof cell === 'bigint' ? cell : BigInt(Math.trunc(toNumber(cell)));
  const text = BigInt.asUintN(64, n).toString(16);
  if (!lib.isValidCell(text)) throw new Error(`${String(cell)} is not an H3 cell index`);
  return text;
};
const cellLong = (text: string): bigint => BigInt.asIntN(64, BigInt(`0x${text}`));

function resolution(v: unknown): number {
  const res = toNumber(v);
  if (!Number.isInteger(res) || res < 0 || res > 15) throw new Error(`the H3 resolution must be an integer from 0 to 15, got ${String(v)}`);
  return res;
}

function checked(display: string, impl: (...values: unknown[]) => unknown): (...values: unknown[]) => unknown {
  return (...values) => {
    if (values.some((v) => v === null || v === undefined)) return null;
    try {
      return impl(...values);
    } catch (err) {
      throw new Error(`${display}: ${(err as Error).message}`);
    }
  };
}

function pointOf(v: unknown): [number, number] {
  const { shape } = deserializeGeo(v instanceof Uint8Array ? v : hexToBytes(toJavaString(v)));
  if (shape.type !== 'Point' || shape.coordinates.length !== 2) throw new Error(`the geometry must be a point, not ${shape.type}${shape.type === 'Point' ? ' EMPTY' : ''}`);
  return [shape.coordinates[0], shape.coordinates[1]];
}

function longArgs(args: readonly ArgInfo[]): void {
  args.forEach((a, i) => {
    if (!['INT', 'LONG'].includes(a.type.dataType) && !(a.isLiteral && a.type.dataType !== 'STRING')) throw new Error(`argument ${i + 1} must be an H3 cell (LONG) or an integer, not ${a.type.dataType}`);
  });
}

export const H3_FUNCTIONS: readonly ScalarFunction[] = [
  {
    name: 'geotoh3',
    minArgs: 2,
    maxArgs: 3,
    args: ['sv'],
    returnType: (args) => {
      if (args.length === 2 && args[0]!.type.dataType !== 'BYTES' && !(args[0]!.isLiteral && args[0]!.type.dataType === 'STRING')) throw new Error(`geoToH3(point, resolution): argument 1 must be a point (BYTES), not ${args[0]!.type.dataType}`);
      return sv('LONG');
    },
    build: (args) => {
      const lib = h3Library();
      return checked('geoToH3', (...values) => {
        const [lon, lat] = args.length === 3 ? [toNumber(values[0]), toNumber(values[1])] : pointOf(values[0]);
        return cellLong(lib.latLngToCell(lat, lon, resolution(values[args.length - 1])));
      });
    },
  },
  {
    name: 'griddisk',
    minArgs: 2,
    maxArgs: 2,
    args: ['sv', 'numeric'],
    returnType: (args) => (longArgs(args.slice(0, 1)), mv('LONG')),
    build: () => {
      const lib = h3Library();
      return checked('gridDisk', (cell, k) => {
        const ring = toNumber(k);
        if (!Number.isInteger(ring) || ring < 0 || ring > 1000) throw new Error(`k must be an integer from 0 to 1000, got ${String(k)}`);
        return lib.gridDisk(cellText(lib, cell), ring).map(cellLong);
      });
    },
  },
  {
    name: 'griddistance',
    minArgs: 2,
    maxArgs: 2,
    args: ['sv', 'sv'],
    returnType: (args) => (longArgs(args), sv('LONG')),
    build: () => {
      const lib = h3Library();
      return checked('gridDistance', (a, b) => BigInt(lib.gridDistance(cellText(lib, a), cellText(lib, b))));
    },
  },
];
