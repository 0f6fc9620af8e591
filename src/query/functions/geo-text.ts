import wkx from 'wkx';
import type { Position, Shape } from './geo-shapes.js';

/**
 * Geometries to and from text (WKT) and WKB. Reading goes through `wkx` (WKT, EWKT, WKB of either
 * byte order); writing follows JTS's writers as Pinot uses them: WKT as `POINT (1 2)`,
 * `MULTIPOINT ((1 2), (3 4))`, `POLYGON ((…), (…))`, numbers in plain notation; WKB big-endian,
 * 2-D, an empty point as NaN, NaN.
 */

interface GeoJsonLike {
  type: string;
  coordinates?: unknown;
  geometries?: GeoJsonLike[];
}

function position(p: unknown): Position {
  const [x, y] = p as number[];
  if (typeof x !== 'number' || typeof y !== 'number' || !Number.isFinite(x) || !Number.isFinite(y)) throw new Error(`bad coordinate ${JSON.stringify(p)}`);
  return [x, y];
}

function toShape(g: GeoJsonLike): Shape {
  const c = g.coordinates as unknown[];
  switch (g.type) {
    case 'Point':
      return { type: 'Point', coordinates: c.length === 0 ? [] : position(c) };
    case 'MultiPoint':
      return { type: 'MultiPoint', coordinates: c.map(position) };
    case 'LineString':
      return { type: 'LineString', coordinates: c.map(position) };
    case 'MultiLineString':
      return { type: 'MultiLineString', coordinates: (c as unknown[][]).map((l) => l.map(position)) };
    case 'Polygon':
      return { type: 'Polygon', coordinates: (c as unknown[][]).map((r) => r.map(position)) };
    case 'MultiPolygon':
      return { type: 'MultiPolygon', coordinates: (c as unknown[][][]).map((p) => p.map((r) => r.map(position))) };
    case 'GeometryCollection':
      return { type: 'GeometryCollection', geometries: (g.geometries ?? []).map(toShape) };
    default:
      throw new Error(`unsupported geometry type ${g.type}`);
  }
}

/** Closed rings of at least 4 points, as JTS requires of a polygon. */
function checkRings(shape: Shape): void {
  const rings = shape.type === 'Polygon' ? shape.coordinates : shape.type === 'MultiPolygon' ? shape.coordinates.flat() : [];
  for (const ring of rings) {
    const first = ring[0];
    const last = ring[ring.length - 1];
    if (ring.length < 4 || first === undefined || last === undefined || first[0] !== last[0] || first[1] !== last[1]) {
      throw new Error('a polygon ring must be closed and have at least 4 points');
    }
  }
  if (shape.type === 'GeometryCollection') shape.geometries.forEach(checkRings);
}

/** A geometry from WKT (or EWKT: an `SRID=…;` prefix is read and dropped). */
export function shapeFromText(text: string): Shape {
  let parsed: GeoJsonLike;
  try {
    parsed = wkx.Geometry.parse(text).toGeoJSON() as GeoJsonLike;
  } catch (err) {
    throw new Error(`invalid WKT ${JSON.stringify(text.length > 80 ? `${text.slice(0, 80)}…` : text)}: ${(err as Error).message}`);
  }
  try {
    const shape = toShape(parsed);
    checkRings(shape);
    return shape;
  } catch (err) {
    throw new Error(`invalid WKT ${JSON.stringify(text.length > 80 ? `${text.slice(0, 80)}…` : text)}: ${(err as Error).message}`);
  }
}

/** A geometry from WKB (either byte order; EWKB's SRID is dropped). */
export function shapeFromWkb(bytes: Uint8Array): Shape {
  try {
    const shape = toShape(wkx.Geometry.parse(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)).toGeoJSON() as GeoJsonLike);
    checkRings(shape);
    return shape;
  } catch (err) {
    throw new Error(`invalid WKB (${bytes.length} bytes): ${(err as Error).message}`);
  }
}

/** A coordinate as JTS writes it: plain notation, no trailing zeros (`1`, `-122.41`, `0.0000001`). */
function ordinate(x: number): string {
  const s = String(x);
  if (!s.includes('e')) return s;
  return x.toFixed(Math.min(100, Math.max(0, 1 - Math.floor(Math.log10(Math.abs(x))) + 16))).replace(/\.?0+$/, '');
}

const coords = (ps: readonly Position[]): string => `(${ps.map(([x, y]) => `${ordinate(x)} ${ordinate(y)}`).join(', ')})`;
const list = (items: readonly string[]): string => (items.length === 0 ? ' EMPTY' : ` (${items.join(', ')})`);

/** A geometry as WKT, as JTS's WKTWriter writes it. */
export function shapeToText(shape: Shape): string {
  switch (shape.type) {
    case 'Point':
      return shape.coordinates.length === 0 ? 'POINT EMPTY' : `POINT ${coords([shape.coordinates])}`;
    case 'MultiPoint':
      return `MULTIPOINT${list(shape.coordinates.map((p) => coords([p])))}`;
    case 'LineString':
      return `LINESTRING${shape.coordinates.length === 0 ? ' EMPTY' : ` ${coords(shape.coordinates)}`}`;
    case 'MultiLineString':
      return `MULTILINESTRING${list(shape.coordinates.map(coords))}`;
    case 'Polygon':
      return `POLYGON${list(shape.coordinates.map(coords))}`;
    case 'MultiPolygon':
      return `MULTIPOLYGON${list(shape.coordinates.map((p) => `(${p.map(coords).join(', ')})`))}`;
    case 'GeometryCollection':
      return `GEOMETRYCOLLECTION${list(shape.geometries.map(shapeToText))}`;
  }
}

const WKB_TYPES: Readonly<Record<Shape['type'], number>> = { Point: 1, LineString: 2, Polygon: 3, MultiPoint: 4, MultiLineString: 5, MultiPolygon: 6, GeometryCollection: 7 };

/** A geometry as WKB, big-endian and 2-D as JTS's WKBWriter writes it by default. */
export function shapeToWkb(shape: Shape): Uint8Array {
  const out: number[] = [];
  const view = new DataView(new ArrayBuffer(8));
  const u32 = (n: number): void => {
    view.setUint32(0, n);
    for (let i = 0; i < 4; i++) out.push(view.getUint8(i));
  };
  const f64 = (x: number): void => {
    view.setFloat64(0, x);
    for (let i = 0; i < 8; i++) out.push(view.getUint8(i));
  };
  const points = (ps: readonly Position[]): void => {
    u32(ps.length);
    for (const [x, y] of ps) (f64(x), f64(y));
  };
  const write = (s: Shape): void => {
    out.push(0);
    u32(WKB_TYPES[s.type]);
    switch (s.type) {
      case 'Point':
        f64(s.coordinates.length === 2 ? s.coordinates[0] : Number.NaN);
        f64(s.coordinates.length === 2 ? s.coordinates[1] : Number.NaN);
        return;
      case 'LineString':
        return points(s.coordinates);
      case 'Polygon':
        u32(s.coordinates.length);
        return s.coordinates.forEach(points);
      case 'MultiPoint':
        u32(s.coordinates.length);
        return s.coordinates.forEach((p) => write({ type: 'Point', coordinates: p }));
      case 'MultiLineString':
        u32(s.coordinates.length);
        return s.coordinates.forEach((l) => write({ type: 'LineString', coordinates: l }));
      case 'MultiPolygon':
        u32(s.coordinates.length);
        return s.coordinates.forEach((p) => write({ type: 'Polygon', coordinates: p }));
      case 'GeometryCollection':
        u32(s.geometries.length);
        return s.geometries.forEach(write);
    }
  };
  write(shape);
  return Uint8Array.from(out);
}
