import type { DataType } from '../../config/data-type.js';
import { area, contains, distance } from './geo-measures.js';
import { deserializeGeo, serializeGeo, ST_TYPE_NAMES } from './geo-shapes.js';
import type { Geo, Shape } from './geo-shapes.js';
import { shapeFromText, shapeFromWkb, shapeToText, shapeToWkb } from './geo-text.js';
import { sv } from './function-types.js';
import type { ArgInfo, ScalarFunction } from './function-types.js';
import { hexToBytes, toJavaString, toNumber } from './values.js';

/**
 * Pinot's geospatial functions (`ST_*`, `toSphericalGeography`, `toGeometry`). A geometry is a
 * BYTES value in Pinot's own serialized layout (`geo-shapes.ts`), so a column filled by Pinot's
 * `toSphericalGeography(stPoint(lon, lat))` transform holds the same bytes here. Geographies are
 * lon/lat on a sphere of Pinot's radius: ST_Distance of two geography points is meters along the
 * great circle, ST_Area of a geography polygon square meters; everything else is planar.
 * A null argument answers null.
 */

const bytesOf = (v: unknown): Uint8Array => (v instanceof Uint8Array ? v : hexToBytes(toJavaString(v)));

/** Checks that argument `i` can hold a geometry: BYTES, or a literal (hex text of the bytes). */
function geometryArg(args: readonly ArgInfo[], i: number): void {
  const a = args[i]!;
  if (!a.type.sv) throw new Error(`argument ${i + 1} must be a single geometry (BYTES), not ${a.type.dataType}_ARRAY`);
  if (a.type.dataType !== 'BYTES' && !(a.isLiteral && a.type.dataType === 'STRING')) throw new Error(`argument ${i + 1} must be a geometry (BYTES), not ${a.type.dataType}`);
}

/**
 * Geometries this module built, by their bytes (never handed out for writing), so a constant
 * argument such as `ST_Polygon('…')` is parsed once, not once per row. Bytes read from segments
 * are always deserialized: a reader may reuse its buffers.
 */
const built = new WeakMap<Uint8Array, Geo>();

function serialize(geo: Geo): Uint8Array {
  const bytes = serializeGeo(geo);
  // As the bytes read back: polygon rings in their canonical order.
  built.set(bytes, deserializeGeo(bytes));
  return bytes;
}

const geoOf = (v: unknown): Geo => (v instanceof Uint8Array ? built.get(v) : undefined) ?? deserializeGeo(bytesOf(v));

const isPrimitive = (v: unknown): boolean => typeof v === 'string' || typeof v === 'number' || typeof v === 'bigint' || typeof v === 'boolean';

/**
 * One function: `impl` receives non-null values; its errors are prefixed with the function's name
 * as written in Pinot's docs.
 */
function geoFunction(name: string, display: string, argTypes: readonly ('geo' | 'number' | 'text' | 'bytes')[], result: DataType, impl: (...values: unknown[]) => unknown, optional = 0): ScalarFunction {
  return {
    name,
    minArgs: argTypes.length - optional,
    maxArgs: argTypes.length,
    args: argTypes.map((t) => (t === 'number' ? 'numeric' : 'sv')),
    returnType: (args) => {
      args.forEach((a, i) => {
        if (argTypes[i] === 'geo') geometryArg(args, i);
        if (argTypes[i] === 'text' && a.type.dataType !== 'STRING') throw new Error(`argument ${i + 1} must be WKT text (STRING), not ${a.type.dataType}`);
        if (argTypes[i] === 'bytes' && a.type.dataType !== 'BYTES' && !(a.isLiteral && a.type.dataType === 'STRING')) throw new Error(`argument ${i + 1} must be WKB (BYTES), not ${a.type.dataType}`);
      });
      return sv(result);
    },
    build: () => {
      // The last answer for plain-value arguments (WKT text, coordinates): a constant repeats per row.
      let last: { values: unknown[]; result: unknown } | null = null;
      return (...values: unknown[]) => {
        if (values.some((v) => v === null || v === undefined)) return null;
        const plain = values.every(isPrimitive);
        if (plain && last !== null && last.values.length === values.length && last.values.every((v, i) => v === values[i])) return last.result;
        let result: unknown;
        try {
          result = impl(...values);
        } catch (err) {
          throw new Error(`${display}: ${(err as Error).message}`);
        }
        if (plain) last = { values, result };
        return result;
      };
    },
  };
}

const fromText = (geography: boolean) => (text: unknown) => serialize({ shape: shapeFromText(toJavaString(text)), geography });
const fromWkb = (geography: boolean) => (wkb: unknown) => serialize({ shape: shapeFromWkb(bytesOf(wkb)), geography });
const retype = (geography: boolean) => (g: unknown) => serialize({ shape: geoOf(g).shape, geography });

function point(x: unknown, y: unknown, isGeography?: unknown): Uint8Array {
  const shape: Shape = { type: 'Point', coordinates: [toNumber(x), toNumber(y)] };
  return serialize({ shape, geography: isGeography !== undefined && toNumber(isGeography) > 0 });
}

function polygon(text: unknown): Uint8Array {
  const shape = shapeFromText(toJavaString(text));
  if (shape.type !== 'Polygon') throw new Error(`the WKT is a ${shape.type}, not a Polygon`);
  return serialize({ shape, geography: false });
}

export const GEO_FUNCTIONS: readonly ScalarFunction[] = [
  geoFunction('stpoint', 'ST_Point', ['number', 'number', 'number'], 'BYTES', point as (...v: unknown[]) => unknown, 1),
  geoFunction('stpolygon', 'ST_Polygon', ['text'], 'BYTES', polygon),
  geoFunction('stgeomfromtext', 'ST_GeomFromText', ['text'], 'BYTES', fromText(false)),
  geoFunction('stgeogfromtext', 'ST_GeogFromText', ['text'], 'BYTES', fromText(true)),
  geoFunction('stgeomfromwkb', 'ST_GeomFromWKB', ['bytes'], 'BYTES', fromWkb(false)),
  geoFunction('stgeogfromwkb', 'ST_GeogFromWKB', ['bytes'], 'BYTES', fromWkb(true)),
  geoFunction('stastext', 'ST_AsText', ['geo'], 'STRING', (g) => shapeToText(geoOf(g).shape)),
  geoFunction('stasbinary', 'ST_AsBinary', ['geo'], 'BYTES', (g) => shapeToWkb(geoOf(g).shape)),
  geoFunction('stgeometrytype', 'ST_GeometryType', ['geo'], 'STRING', (g) => ST_TYPE_NAMES[geoOf(g).shape.type]),
  geoFunction('tosphericalgeography', 'toSphericalGeography', ['geo'], 'BYTES', retype(true)),
  geoFunction('togeometry', 'toGeometry', ['geo'], 'BYTES', retype(false)),
  geoFunction('stdistance', 'ST_Distance', ['geo', 'geo'], 'DOUBLE', (a, b) => distance(geoOf(a), geoOf(b))),
  geoFunction('starea', 'ST_Area', ['geo'], 'DOUBLE', (g) => area(geoOf(g))),
  geoFunction('stcontains', 'ST_Contains', ['geo', 'geo'], 'INT', (a, b) => (contains(geoOf(a), geoOf(b), false) ? 1 : 0)),
  geoFunction('stwithin', 'ST_Within', ['geo', 'geo'], 'INT', (a, b) => (contains(geoOf(a), geoOf(b), true) ? 1 : 0)),
];
