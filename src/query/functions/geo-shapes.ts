/**
 * Geometries as shardtable holds them in memory (GeoJSON's shapes, 2-D) and as Pinot stores them
 * in BYTES cells: Pinot's `GeometrySerializer` layout, so a value written here reads the same in
 * Pinot and back (docs/query.md, "Geospatial functions").
 *
 * The layout, big-endian: one type byte (0 Point, 1 MultiPoint, 2 LineString, 3 MultiLineString,
 * 4 Polygon, 5 MultiPolygon, 6 GeometryCollection; bit 0x80 set for a spherical geography), then
 * - Point: x, y as doubles (NaN, NaN when empty);
 * - MultiPoint: the point count (int32), then each x, y;
 * - LineString / MultiLineString / Polygon / MultiPolygon: the part count, the point count, each
 *   part's first point index, then every x, y. Polygon rings are canonical: a shell clockwise, a
 *   hole counter-clockwise; reading, a clockwise ring starts the next polygon;
 * - GeometryCollection: each member in this layout, to the end of the bytes.
 */

export type Position = readonly [number, number];

export type Shape =
  | { readonly type: 'Point'; readonly coordinates: Position | readonly [] }
  | { readonly type: 'MultiPoint'; readonly coordinates: readonly Position[] }
  | { readonly type: 'LineString'; readonly coordinates: readonly Position[] }
  | { readonly type: 'MultiLineString'; readonly coordinates: readonly (readonly Position[])[] }
  | { readonly type: 'Polygon'; readonly coordinates: readonly (readonly Position[])[] }
  | { readonly type: 'MultiPolygon'; readonly coordinates: readonly (readonly (readonly Position[])[])[] }
  | { readonly type: 'GeometryCollection'; readonly geometries: readonly Shape[] };

/** A geometry and whether it is a spherical geography (Pinot's SRID 4326) or a planar geometry. */
export interface Geo {
  readonly shape: Shape;
  readonly geography: boolean;
}

const TYPE_IDS = { Point: 0, MultiPoint: 1, LineString: 2, MultiLineString: 3, Polygon: 4, MultiPolygon: 5, GeometryCollection: 6 } as const;
const TYPE_NAMES = Object.keys(TYPE_IDS) as Shape['type'][];
const GEOGRAPHY = 0x80;

/** Pinot's `GeometryType` names, as ST_GeometryType answers them. */
export const ST_TYPE_NAMES: Readonly<Record<Shape['type'], string>> = {
  Point: 'ST_Point',
  MultiPoint: 'ST_MultiPoint',
  LineString: 'ST_LineString',
  MultiLineString: 'ST_MultiLineString',
  Polygon: 'ST_Polygon',
  MultiPolygon: 'ST_MultiPolygon',
  GeometryCollection: 'ST_GeomCollection',
};

/** Sum over the edges of (x2 − x1)(y2 + y1): positive for a clockwise ring. */
export function isClockwise(ring: readonly Position[]): boolean {
  let sum = 0;
  for (let i = 0; i < ring.length; i++) {
    const [x1, y1] = ring[i === 0 ? ring.length - 1 : i - 1]!;
    const [x2, y2] = ring[i]!;
    sum += (x2 - x1) * (y2 + y1);
  }
  return sum > 0;
}

/** The parts (point lists) a multi-part shape is written as, rings canonicalised. */
function partsOf(shape: Shape): (readonly Position[])[] {
  switch (shape.type) {
    case 'LineString':
      return shape.coordinates.length > 0 ? [shape.coordinates] : [];
    case 'MultiLineString':
      return [...shape.coordinates];
    case 'Polygon':
    case 'MultiPolygon': {
      const polygons = shape.type === 'Polygon' ? [shape.coordinates] : shape.coordinates;
      return polygons.flatMap((rings) => rings.map((ring, i) => (isClockwise(ring) === (i === 0) ? ring : [...ring].reverse())));
    }
    default:
      return [];
  }
}

class Writer {
  private readonly bytes: number[] = [];
  private readonly scratch = new DataView(new ArrayBuffer(8));

  byte(b: number): void {
    this.bytes.push(b);
  }
  int(n: number): void {
    this.scratch.setInt32(0, n);
    for (let i = 0; i < 4; i++) this.bytes.push(this.scratch.getUint8(i));
  }
  double(x: number): void {
    this.scratch.setFloat64(0, x);
    for (let i = 0; i < 8; i++) this.bytes.push(this.scratch.getUint8(i));
  }
  done(): Uint8Array {
    return Uint8Array.from(this.bytes);
  }
}

function writeShape(w: Writer, shape: Shape, geography: boolean): void {
  w.byte(TYPE_IDS[shape.type] | (geography ? GEOGRAPHY : 0));
  switch (shape.type) {
    case 'Point': {
      const [x, y] = shape.coordinates.length === 2 ? shape.coordinates : [Number.NaN, Number.NaN];
      w.double(x);
      w.double(y);
      return;
    }
    case 'MultiPoint':
      w.int(shape.coordinates.length);
      for (const [x, y] of shape.coordinates) (w.double(x), w.double(y));
      return;
    case 'GeometryCollection':
      for (const g of shape.geometries) writeShape(w, g, geography);
      return;
    default: {
      const parts = partsOf(shape);
      const points = parts.reduce((n, p) => n + p.length, 0);
      w.int(parts.length);
      w.int(points);
      let start = 0;
      for (const p of parts) (w.int(start), (start += p.length));
      for (const p of parts) for (const [x, y] of p) (w.double(x), w.double(y));
    }
  }
}

/** A geometry as Pinot's BYTES. */
export function serializeGeo(geo: Geo): Uint8Array {
  const w = new Writer();
  writeShape(w, geo.shape, geo.geography);
  return w.done();
}

class Reader {
  private pos = 0;
  private readonly view: DataView;

  constructor(private readonly bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }
  get remaining(): number {
    return this.bytes.length - this.pos;
  }
  private need(n: number): void {
    if (this.remaining < n) throw new Error(`geometry bytes end early at byte ${this.pos} (${this.bytes.length} bytes)`);
  }
  byte(): number {
    this.need(1);
    return this.bytes[this.pos++]!;
  }
  int(): number {
    this.need(4);
    const n = this.view.getInt32(this.pos);
    this.pos += 4;
    if (n < 0 || n > this.bytes.length) throw new Error(`geometry bytes hold a bad count ${n} at byte ${this.pos - 4}`);
    return n;
  }
  position(): Position {
    this.need(16);
    const p: Position = [this.view.getFloat64(this.pos), this.view.getFloat64(this.pos + 8)];
    this.pos += 16;
    return p;
  }
}

function readParts(r: Reader): Position[][] {
  const numParts = r.int();
  const numPoints = r.int();
  if (numParts === 0) return [];
  const starts = Array.from({ length: numParts }, () => r.int());
  return starts.map((start, i) => {
    const end = i + 1 < numParts ? starts[i + 1]! : numPoints;
    if (end < start) throw new Error('geometry bytes hold part indexes out of order');
    return Array.from({ length: end - start }, () => r.position());
  });
}

function readShape(r: Reader, typeByte: number): Shape {
  const type = TYPE_NAMES[typeByte & 0x7f];
  switch (type) {
    case 'Point': {
      const p = r.position();
      return { type, coordinates: Number.isNaN(p[0]) || Number.isNaN(p[1]) ? [] : p };
    }
    case 'MultiPoint':
      return { type, coordinates: Array.from({ length: r.int() }, () => r.position()) };
    case 'LineString': {
      const parts = readParts(r);
      if (parts.length > 1) throw new Error('geometry bytes hold a LineString of several parts');
      return { type, coordinates: parts[0] ?? [] };
    }
    case 'MultiLineString':
      return { type, coordinates: readParts(r) };
    case 'Polygon':
    case 'MultiPolygon': {
      const polygons: Position[][][] = [];
      for (const ring of readParts(r)) {
        if (isClockwise(ring) || polygons.length === 0) polygons.push([ring]);
        else polygons[polygons.length - 1]!.push(ring);
      }
      if (type === 'MultiPolygon') return { type, coordinates: polygons };
      if (polygons.length > 1) throw new Error('geometry bytes hold a Polygon of several shells');
      return { type, coordinates: polygons[0] ?? [] };
    }
    case 'GeometryCollection': {
      const geometries: Shape[] = [];
      while (r.remaining > 0) geometries.push(readShape(r, r.byte()));
      return { type, geometries };
    }
    default:
      throw new Error(`geometry bytes start with an unknown type byte ${typeByte}`);
  }
}

/** Pinot's BYTES as a geometry; throws naming what is wrong with them. */
export function deserializeGeo(bytes: Uint8Array): Geo {
  const r = new Reader(bytes);
  const typeByte = r.byte();
  const shape = readShape(r, typeByte);
  if (r.remaining > 0) throw new Error(`geometry bytes have ${r.remaining} bytes after the ${shape.type}`);
  return { shape, geography: (typeByte & GEOGRAPHY) !== 0 };
}

/** True when the geometry has no points. */
export function isEmpty(shape: Shape): boolean {
  return shape.type === 'GeometryCollection' ? shape.geometries.every(isEmpty) : shape.coordinates.length === 0;
}
