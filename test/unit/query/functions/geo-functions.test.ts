import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CellValue } from '../../../../src/config/data-type.js';
import { buildTableSchema } from '../../../../src/config/schema.js';
import type { PinotSchema } from '../../../../src/config/schema.js';
import { validateSchema } from '../../../../src/config/schema-validation.js';
import { deserializeGeo, serializeGeo } from '../../../../src/query/functions/geo-shapes.js';
import { shapeToWkb } from '../../../../src/query/functions/geo-text.js';
import { compileSourceExpression } from '../../../../src/transform/source-expression.js';
import { buildFixture } from '../query-fixtures.js';
import type { QueryFixture } from '../query-fixtures.js';

/**
 * Geospatial functions (issue 15): Pinot's geometry bytes, WKT and WKB in and out, distances and
 * areas (planar, and on Pinot's sphere of radius 6371.01 km), containment — on sealed and
 * consuming segments, the quickstart's `toSphericalGeography(stPoint(lon, lat))` transform, and
 * the errors. DuckDB's spatial extension is not available here: references are computed in the
 * test from closed forms.
 */
const R = 6_371_010;
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

describe("Pinot's geometry bytes", () => {
  it('a point is its type byte (0x80 for a geography) and two big-endian doubles', () => {
    expect(hex(serializeGeo({ shape: { type: 'Point', coordinates: [1, 2] }, geography: false }))).toBe('003ff00000000000004000000000000000');
    expect(hex(serializeGeo({ shape: { type: 'Point', coordinates: [1, 2] }, geography: true }))).toBe('803ff00000000000004000000000000000');
    expect(deserializeGeo(Buffer.from('80' + '7ff8000000000000'.repeat(2), 'hex'))).toEqual({ shape: { type: 'Point', coordinates: [] }, geography: true });
  });

  it('round-trips every shape, polygon shells clockwise and holes counter-clockwise', () => {
    const shapes = [
      { type: 'MultiPoint', coordinates: [[1, 2], [3, 4]] },
      { type: 'LineString', coordinates: [[0, 0], [1, 1], [2, 0]] },
      { type: 'MultiLineString', coordinates: [[[0, 0], [1, 1]], [[5, 5], [6, 6], [7, 5]]] },
      { type: 'Polygon', coordinates: [[[0, 0], [0, 10], [10, 10], [10, 0], [0, 0]], [[2, 2], [4, 2], [4, 4], [2, 2]]] },
      { type: 'MultiPolygon', coordinates: [[[[0, 0], [0, 1], [1, 1], [0, 0]]], [[[5, 5], [5, 6], [6, 6], [5, 5]]]] },
      { type: 'GeometryCollection', geometries: [{ type: 'Point', coordinates: [1, 2] }, { type: 'LineString', coordinates: [[0, 0], [1, 1]] }] },
    ] as const;
    for (const shape of shapes) expect(deserializeGeo(serializeGeo({ shape, geography: false })).shape).toEqual(shape);
  });

  it('refuses bytes that are not a geometry, naming what is wrong', () => {
    expect(() => deserializeGeo(new Uint8Array(0))).toThrow('end early at byte 0');
    expect(() => deserializeGeo(Uint8Array.from([9, 0, 0]))).toThrow();
    expect(() => deserializeGeo(Buffer.from('003ff0000000000000400000000000000001', 'hex'))).toThrow('1 bytes after the Point');
  });
});

const SCHEMA: PinotSchema = {
  schemaName: 'places',
  dimensionFieldSpecs: [
    { name: 'id', dataType: 'LONG' },
    { name: 'lon', dataType: 'DOUBLE' },
    { name: 'lat', dataType: 'DOUBLE' },
    { name: 'shape', dataType: 'BYTES' },
  ],
};
const ROWS = Array.from({ length: 24 }, (_, i) => ({ id: i, lon: -10 + i * 1.25, lat: 40 + ((i * 7) % 11) * 0.5 }));

let fx: QueryFixture;

beforeAll(async () => {
  const cells: (CellValue | null)[][] = ROWS.map((r) => [BigInt(r.id), r.lon, r.lat, serializeGeo({ shape: { type: 'Point', coordinates: [r.lon, r.lat] }, geography: true })]);
  fx = await buildFixture(SCHEMA, cells, { segmentRows: 7 });
});

afterAll(async () => fx.cleanup());

async function rows(sql: string): Promise<{ types: string[]; rows: unknown[][] }> {
  const r = await fx.query(sql);
  expect(r.exceptions, sql).toEqual([]);
  return { types: r.resultTable!.dataSchema.columnDataTypes, rows: r.resultTable!.rows };
}

async function value(expr: string): Promise<unknown> {
  return (await rows(`SELECT ${expr} FROM places WHERE id = 0`)).rows[0]![0];
}

/** Haversine on Pinot's sphere: an independent formula for the great-circle distance. */
function haversine([lon1, lat1]: number[], [lon2, lat2]: number[]): number {
  const rad = Math.PI / 180;
  const a = Math.sin(((lat2! - lat1!) * rad) / 2) ** 2 + Math.cos(lat1! * rad) * Math.cos(lat2! * rad) * Math.sin(((lon2! - lon1!) * rad) / 2) ** 2;
  return 2 * R * Math.asin(Math.sqrt(a));
}

describe('geospatial SQL functions, on sealed and consuming segments', () => {
  it('spans sealed and consuming segments', async () => {
    const r = await fx.query('SELECT count(*) FROM places');
    expect(r.numConsumingSegmentsQueried).toBe(1);
  });

  it('ST_Point builds the bytes a stored geography column holds; ST_AsText and ST_GeometryType read them', async () => {
    const got = await rows('SELECT id, ST_Point(lon, lat, 1) = shape, ST_AsText(shape), ST_GeometryType(shape), toGeometry(shape) = ST_Point(lon, lat) FROM places ORDER BY id LIMIT 100');
    expect(got.types).toEqual(['LONG', 'BOOLEAN', 'STRING', 'STRING', 'BOOLEAN']);
    expect(got.rows).toEqual(ROWS.map((r) => [r.id, true, `POINT (${r.lon} ${r.lat})`, 'ST_Point', true]));
    expect(await value('ST_Point(1.5, -2)')).toBe('003ff8000000000000c000000000000000');
  });

  it('ST_Distance: meters on the sphere between geography points, planar between geometries', async () => {
    const got = await rows("SELECT id, ST_Distance(shape, toSphericalGeography(ST_Point(2.35, 48.85))) FROM places ORDER BY id LIMIT 100");
    expect(got.types).toEqual(['LONG', 'DOUBLE']);
    got.rows.forEach(([id, d]) => expect(d as number).toBeCloseTo(haversine([ROWS[id as number]!.lon, ROWS[id as number]!.lat], [2.35, 48.85]), 4));
    expect(await value("ST_Distance(ST_GeomFromText('POINT (0 0)'), ST_GeomFromText('LINESTRING (3 4, 3 10)'))")).toBe(5);
    expect(await value("ST_Distance(ST_GeomFromText('POLYGON ((0 0, 10 0, 10 10, 0 10, 0 0))'), ST_Point(5, 5))")).toBe(0);
    expect(await value("ST_Distance(ST_GeomFromText('POLYGON ((0 0, 10 0, 10 10, 0 10, 0 0))'), ST_GeomFromText('LINESTRING (13 0, 13 20)'))")).toBe(3);
    expect(await value("ST_Distance(ST_GeomFromText('POINT EMPTY'), ST_Point(1, 1))")).toBe('NaN');
  });

  it('ST_Area: planar area, or square meters of a geography polygon', async () => {
    expect(await value("ST_Area(ST_GeomFromText('POLYGON ((0 0, 4 0, 4 4, 0 4, 0 0), (1 1, 2 1, 2 2, 1 2, 1 1))'))")).toBe(15);
    expect(await value("ST_Area(ST_GeomFromText('MULTIPOLYGON (((0 0, 1 0, 1 1, 0 0)), ((5 5, 7 5, 7 7, 5 7, 5 5)))'))")).toBe(4.5);
    expect(await value("ST_Area(ST_Point(1, 2))")).toBe(0);
    // An octant of the sphere: an eighth of 4πR².
    expect(await value("ST_Area(ST_GeogFromText('POLYGON ((0 0, 90 0, 0 90, 0 0))'))") as number).toBeCloseTo((Math.PI * R * R) / 2, -3);
  });

  it('ST_Contains / ST_Within answer 1 or 0 (INT); a point on the boundary is not contained', async () => {
    const poly = "ST_GeomFromText('POLYGON ((0 0, 10 0, 10 10, 0 10, 0 0), (4 4, 6 4, 6 6, 4 6, 4 4))')";
    const got = await rows(`SELECT ST_Contains(${poly}, ST_Point(1, 1)), ST_Contains(${poly}, ST_Point(5, 5)), ST_Contains(${poly}, ST_Point(0, 5)), ST_Within(ST_Point(1, 1), ${poly}), ST_Within(ST_Point(11, 1), ${poly}), ST_Contains(${poly}, ST_GeomFromText('LINESTRING (1 1, 2 2)')) FROM places WHERE id = 0`);
    expect(got.types).toEqual(['INT', 'INT', 'INT', 'INT', 'INT', 'INT']);
    expect(got.rows).toEqual([[1, 0, 0, 1, 0, 1]]);
    const near = await rows(`SELECT count(*) FROM places WHERE ST_Contains(ST_Polygon('POLYGON ((-5 40, 5 40, 5 46, -5 46, -5 40))'), toGeometry(shape)) = 1`);
    expect(near.rows[0]![0]).toBe(ROWS.filter((r) => r.lon > -5 && r.lon < 5 && r.lat > 40 && r.lat < 46).length);
  });

  it('WKT and WKB in and out, in JTS spelling', async () => {
    expect(await value("ST_AsText(ST_GeomFromText('POLYGON((0 0, 1 0, 1 1, 0 1, 0 0))'))")).toBe('POLYGON ((0 0, 0 1, 1 1, 1 0, 0 0))');
    expect(await value("ST_AsText(ST_GeomFromText('MULTIPOINT(1 2, 3.5 4)'))")).toBe('MULTIPOINT ((1 2), (3.5 4))');
    expect(await value("ST_AsText(ST_GeomFromText('GEOMETRYCOLLECTION (POINT (1 2), LINESTRING (0 0, 1 1))'))")).toBe('GEOMETRYCOLLECTION (POINT (1 2), LINESTRING (0 0, 1 1))');
    expect(await value("ST_AsText(ST_GeomFromText('LINESTRING EMPTY'))")).toBe('LINESTRING EMPTY');
    expect(await value('ST_AsBinary(ST_Point(1, 2))')).toBe(hex(shapeToWkb({ type: 'Point', coordinates: [1, 2] })));
    expect(await value('ST_AsBinary(ST_Point(1, 2))')).toBe('00000000013ff00000000000004000000000000000');
    // Little-endian WKB (as PostGIS writes it) reads too.
    expect(await value("ST_AsText(ST_GeomFromWKB('0101000000000000000000f03f0000000000000040'))")).toBe('POINT (1 2)');
    expect(await value("ST_GeometryType(ST_GeogFromWKB(ST_AsBinary(ST_Polygon('POLYGON ((0 0, 1 0, 1 1, 0 0))'))))")).toBe('ST_Polygon');
  });

  it('geoToH3, gridDisk and gridDistance answer H3 cells as LONG (h3-js README example cell 87283472bffffff)', async () => {
    const cell = BigInt('0x87283472bffffff').toString();
    const got = await rows(`SELECT geoToH3(-122.0553238, 37.3615593, 7), geoToH3(ST_Point(-122.0553238, 37.3615593, 1), 7), gridDisk(${cell}, 1), gridDistance(${cell}, geoToH3(-122.0553238, 37.3615593, 7)) FROM places WHERE id = 0`);
    expect(got.types).toEqual(['LONG', 'LONG', 'LONG_ARRAY', 'LONG']);
    const ring = ['87283472bffffff', '87283472affffff', '87283470cffffff', '87283470dffffff', '872834776ffffff', '872834729ffffff', '872834728ffffff'].map((h) => Number(BigInt(`0x${h}`)));
    expect(got.rows).toEqual([[Number(cell), Number(cell), ring, 0]]);
    expect(await value(`gridDistance(${cell}, ${BigInt('0x87283470cffffff')})`)).toBe(1);
    const cells = await rows('SELECT geoToH3(lon, lat, 3), count(*) FROM places GROUP BY geoToH3(lon, lat, 3) ORDER BY count(*) DESC LIMIT 100');
    expect(cells.rows.reduce((t, r) => t + Number(r[1]), 0)).toBe(ROWS.length);
  });

  it('refuses bad input with an error naming the function and the argument', async () => {
    for (const [sql, code, text] of [
      ["SELECT ST_GeomFromText('POLYGON ((0 0, 1 1') FROM places", 200, "ST_GeomFromText: invalid WKT \"POLYGON ((0 0, 1 1\""],
      ["SELECT ST_Polygon('POINT (1 2)') FROM places", 200, 'ST_Polygon: the WKT is a Point, not a Polygon'],
      ['SELECT ST_AsText(lon) FROM places', 200, 'Function ST_AsText: argument 1 must be a geometry (BYTES), not DOUBLE'],
      ['SELECT ST_Point(lon) FROM places', 200, 'Function ST_Point expects 2 to 3 argument(s), got 1'],
      ['SELECT ST_Distance(shape, ST_Point(0, 0)) FROM places', 200, 'ST_Distance: The first and second arguments shall either all be geometry or all geography'],
      ["SELECT ST_Distance(shape, ST_GeogFromText('LINESTRING (0 0, 1 1)')) FROM places", 200, 'The right argument must be a point'],
      ['SELECT ST_Distance(ST_Point(0, 95, 1), shape) FROM places', 200, 'Latitude must be between -90 and 90'],
      ["SELECT ST_Area(ST_GeogFromText('LINESTRING (0 0, 1 1)')) FROM places", 200, 'ST_Area: the area of a geography needs a Polygon'],
      ["SELECT ST_AsText(ST_GeomFromWKB('0102')) FROM places", 200, 'ST_GeomFromWKB: invalid WKB (2 bytes)'],
      ['SELECT geoToH3(lon, lat, 16) FROM places', 200, 'geoToH3: the H3 resolution must be an integer from 0 to 15, got 16'],
      ['SELECT gridDisk(12345, 1) FROM places', 200, 'gridDisk: 12345 is not an H3 cell index'],
      ["SELECT geoToH3(ST_GeomFromText('LINESTRING (0 0, 1 1)'), 5) FROM places", 200, 'geoToH3: the geometry must be a point, not LineString'],
      ['SELECT geoToH3(lon, 5) FROM places', 200, 'argument 1 must be a point (BYTES), not DOUBLE'],
    ] as const) {
      const r = await fx.query(sql);
      expect(r.exceptions[0]?.errorCode, sql).toBe(code);
      expect(r.exceptions[0]!.message, sql).toContain(text);
    }
  });
});

describe("the quickstart's geography transform", () => {
  it('toSphericalGeography(stPoint(group_lon, group_lat)) fills the BYTES column with a geography point', () => {
    const dir = join(import.meta.dirname, '../../../../../shared/pinot-conformance/quickstart/upsertMeetupRsvp');
    const pinot = JSON.parse(readFileSync(join(dir, 'upsertMeetupRsvp_schema.json'), 'utf8'));
    const schema = buildTableSchema(validateSchema(pinot));
    const spec = (pinot.dimensionFieldSpecs as { name: string; transformFunction?: string }[]).find((f) => f.name === 'location')!;
    const expr = compileSourceExpression(spec.transformFunction!, schema);
    expect(expr.type).toEqual({ dataType: 'BYTES', sv: true });
    const bytes = expr.evaluate({ group_lon: -73.99, group_lat: 40.73 }) as Uint8Array;
    expect(deserializeGeo(bytes)).toEqual({ shape: { type: 'Point', coordinates: [-73.99, 40.73] }, geography: true });
  });
});
