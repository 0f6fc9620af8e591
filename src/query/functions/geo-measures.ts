import booleanContains from '@turf/boolean-contains';
import booleanWithin from '@turf/boolean-within';
import type { Geo, Position, Shape } from './geo-shapes.js';
import { isEmpty } from './geo-shapes.js';

/** Pinot's earth radius (`GeometryUtils.EARTH_RADIUS_KM` = 6371.01), in meters. */
export const EARTH_RADIUS_M = 6_371_010;

const toRadians = (d: number): number => (d * Math.PI) / 180;

function checkLonLat([lon, lat]: Position): void {
  if (!(lat >= -90 && lat <= 90)) throw new Error(`Latitude must be between -90 and 90, got ${lat}`);
  if (!(lon >= -180 && lon <= 180)) throw new Error(`Longitude must be between -180 and 180, got ${lon}`);
}

/** Great-circle distance in meters between two lon/lat points on a sphere (the Vincenty form). */
export function greatCircleDistance(a: Position, b: Position): number {
  checkLonLat(a);
  checkLonLat(b);
  const [phi1, phi2] = [toRadians(a[1]), toRadians(b[1])];
  const dLon = toRadians(a[0]) - toRadians(b[0]);
  const t1 = Math.cos(phi2) * Math.sin(dLon);
  const t2 = Math.cos(phi1) * Math.sin(phi2) - Math.sin(phi1) * Math.cos(phi2) * Math.cos(dLon);
  const t3 = Math.sin(phi1) * Math.sin(phi2) + Math.cos(phi1) * Math.cos(phi2) * Math.cos(dLon);
  return Math.atan2(Math.sqrt(t1 * t1 + t2 * t2), t3) * EARTH_RADIUS_M;
}

/** Every point, segment and polygon of a shape, for the planar distance. */
interface Parts {
  readonly segments: [Position, Position][];
  readonly polygons: (readonly (readonly Position[])[])[];
}

function partsOf(shape: Shape, into: Parts = { segments: [], polygons: [] }): Parts {
  const line = (ps: readonly Position[]): void => {
    if (ps.length === 1) into.segments.push([ps[0]!, ps[0]!]);
    for (let i = 1; i < ps.length; i++) into.segments.push([ps[i - 1]!, ps[i]!]);
  };
  switch (shape.type) {
    case 'Point':
      if (shape.coordinates.length === 2) line([shape.coordinates]);
      break;
    case 'MultiPoint':
      shape.coordinates.forEach((p) => line([p]));
      break;
    case 'LineString':
      line(shape.coordinates);
      break;
    case 'MultiLineString':
      shape.coordinates.forEach(line);
      break;
    case 'Polygon':
    case 'MultiPolygon':
      for (const rings of shape.type === 'Polygon' ? [shape.coordinates] : shape.coordinates) {
        rings.forEach(line);
        if (rings.length > 0) into.polygons.push(rings);
      }
      break;
    case 'GeometryCollection':
      shape.geometries.forEach((g) => partsOf(g, into));
  }
  return into;
}

/** Inside a polygon with holes (even-odd), boundary included. */
function inPolygon(p: Position, rings: readonly (readonly Position[])[]): boolean {
  let inside = false;
  for (const ring of rings) {
    for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
      const [xi, yi] = ring[i]!;
      const [xj, yj] = ring[j]!;
      if (pointSegment(p, [ring[j]!, ring[i]!]) === 0) return true;
      if (yi > p[1] !== yj > p[1] && p[0] < ((xj - xi) * (p[1] - yi)) / (yj - yi) + xi) inside = !inside;
    }
  }
  return inside;
}

function pointSegment(p: Position, [a, b]: [Position, Position]): number {
  const dx = b[0] - a[0];
  const dy = b[1] - a[1];
  const len2 = dx * dx + dy * dy;
  const t = len2 === 0 ? 0 : Math.max(0, Math.min(1, ((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / len2));
  return Math.hypot(p[0] - (a[0] + t * dx), p[1] - (a[1] + t * dy));
}

const orient = (a: Position, b: Position, c: Position): number => Math.sign((b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0]));

function segmentsCross([a, b]: [Position, Position], [c, d]: [Position, Position]): boolean {
  return orient(a, b, c) * orient(a, b, d) < 0 && orient(c, d, a) * orient(c, d, b) < 0;
}

function segmentSegment(s: [Position, Position], t: [Position, Position]): number {
  if (segmentsCross(s, t)) return 0;
  return Math.min(pointSegment(s[0], t), pointSegment(s[1], t), pointSegment(t[0], s), pointSegment(t[1], s));
}

/** The 2-D minimum distance between two planar geometries (0 when they touch or overlap). */
export function planarDistance(a: Shape, b: Shape): number {
  const pa = partsOf(a);
  const pb = partsOf(b);
  for (const [x, y] of [[pa, pb], [pb, pa]] as const) {
    for (const rings of x.polygons) if (y.segments.some(([p]) => inPolygon(p, rings))) return 0;
  }
  let best = Number.POSITIVE_INFINITY;
  for (const s of pa.segments) for (const t of pb.segments) best = Math.min(best, segmentSegment(s, t));
  return best;
}

/** ST_Distance: meters between two geography points, or the planar distance of two geometries. */
export function distance(a: Geo, b: Geo): number {
  if (a.geography !== b.geography) throw new Error('The first and second arguments shall either all be geometry or all geography');
  if (a.geography) {
    if (a.shape.type !== 'Point' || a.shape.coordinates.length !== 2) throw new Error('The left argument must be a point');
    if (b.shape.type !== 'Point' || b.shape.coordinates.length !== 2) throw new Error('The right argument must be a point');
    return greatCircleDistance(a.shape.coordinates, b.shape.coordinates);
  }
  return isEmpty(a.shape) || isEmpty(b.shape) ? Number.NaN : planarDistance(a.shape, b.shape);
}

function ringArea(ring: readonly Position[]): number {
  let sum = 0;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) sum += (ring[j]![0] + ring[i]![0]) * (ring[j]![1] - ring[i]![1]);
  return Math.abs(sum / 2);
}

/**
 * The signed spherical excess of a closed lon/lat ring: the sum over its edges of the excess of
 * the triangle each edge makes with the pole, corrected by 2π when the ring turns by less than
 * π/4 in total (it encloses a pole).
 */
function sphericalExcess(ring: readonly Position[]): number {
  if (ring.length < 3) throw new Error('Polygon is not valid: a loop contains less then 3 vertices.');
  let excess = 0;
  let turn = 0;
  let firstBearing = 0;
  let previousFinal = 0;
  let [prevLon, prevPhi] = [toRadians(ring[ring.length - 1]![0]), toRadians(ring[ring.length - 1]![1])];
  const wrap = (x: number): number => ((x + 3 * Math.PI) % (2 * Math.PI)) - Math.PI;
  for (let i = 1; i < ring.length; i++) {
    const [lon, phi] = [toRadians(ring[i]![0]), toRadians(ring[i]![1])];
    if (lon === prevLon && phi === prevPhi) throw new Error('Polygon is not valid: it has two identical consecutive vertices');
    const dLon = lon - prevLon;
    const [tanPrev, tan] = [Math.tan(prevPhi / 2), Math.tan(phi / 2)];
    excess += 2 * Math.atan2(Math.tan(dLon / 2) * (tanPrev + tan), 1 + tanPrev * tan);
    const initial = (Math.atan2(Math.sin(dLon) * Math.cos(phi), Math.cos(prevPhi) * Math.sin(phi) - Math.sin(prevPhi) * Math.cos(phi) * Math.cos(dLon)) + 2 * Math.PI) % (2 * Math.PI);
    const final = (Math.atan2(-Math.sin(dLon) * Math.cos(prevPhi), Math.sin(prevPhi) * Math.cos(phi) - Math.cos(prevPhi) * Math.sin(phi) * Math.cos(dLon)) + Math.PI) % (2 * Math.PI);
    if (i === 1) firstBearing = initial;
    else turn += wrap(initial - previousFinal);
    turn += wrap(final - initial);
    previousFinal = final;
    [prevLon, prevPhi] = [lon, phi];
  }
  turn += wrap(firstBearing - previousFinal);
  return Math.abs(turn) < Math.PI / 4 ? Math.abs(excess) - 2 * Math.PI : excess;
}

/** ST_Area: planar area of a geometry, or square meters of a geography polygon on a sphere. */
export function area(geo: Geo): number {
  const { shape } = geo;
  if (geo.geography) {
    if (shape.type !== 'Polygon' && shape.type !== 'MultiPolygon') throw new Error(`the area of a geography needs a Polygon or MultiPolygon, not ${shape.type}`);
    const polygons = shape.type === 'Polygon' ? [shape.coordinates] : shape.coordinates;
    let total = 0;
    for (const rings of polygons) {
      let e = 0;
      rings.forEach((ring, i) => (e += (i === 0 ? 1 : -1) * Math.abs(sphericalExcess(ring))));
      total += Math.abs(e * EARTH_RADIUS_M * EARTH_RADIUS_M);
    }
    return total;
  }
  const polygons = shape.type === 'Polygon' ? [shape.coordinates] : shape.type === 'MultiPolygon' ? shape.coordinates : shape.type === 'GeometryCollection' ? null : [];
  if (polygons === null) return (shape as { geometries: readonly Shape[] }).geometries.reduce((t, g) => t + area({ shape: g, geography: false }), 0);
  return polygons.reduce((t, rings) => t + rings.reduce((s, ring, i) => s + (i === 0 ? 1 : -1) * ringArea(ring), 0), 0);
}

/** ST_Contains / ST_Within, planar (Pinot's JTS predicates; a geography's lon/lat read as x/y). */
export function contains(a: Geo, b: Geo, within: boolean): boolean {
  if (isEmpty(a.shape) || isEmpty(b.shape)) return false;
  const test = within ? booleanWithin : booleanContains;
  try {
    return test(a.shape as Parameters<typeof test>[0], b.shape as Parameters<typeof test>[1]);
  } catch (err) {
    throw new Error(`${within ? 'ST_Within' : 'ST_Contains'} of ${a.shape.type} and ${b.shape.type} is not supported (${(err as Error).message})`);
  }
}
