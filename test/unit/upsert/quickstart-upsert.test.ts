import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CellValue } from '../../../src/config/data-type.js';
import { buildTableSchema } from '../../../src/config/schema.js';
import { validateSchema } from '../../../src/config/schema-validation.js';
import { validateTableConfig } from '../../../src/config/table-config-validation.js';
import { QueryEngine, snapshotRuntime, writeBrokerResponse } from '../../../src/query/index.js';
import { ConsumingSegment, loadTableSegments, sealPermutation, sealSegment } from '../../../src/segment/index.js';
import type { SealedSegment } from '../../../src/segment/index.js';
import { UpsertKeyMap } from '../../../src/upsert/index.js';
import { kinesisStreamConfigs } from '../../helpers/pinot-config-fixtures.js';
import { tempDir } from '../segment/fixtures.js';

let dir: string;
let cleanup: () => Promise<void>;
beforeEach(async () => ({ dir, cleanup } = await tempDir()));
afterEach(async () => cleanup());

const QUICKSTART = join(import.meta.dirname, '../../../../shared/pinot-conformance/quickstart/upsertMeetupRsvp');

interface Rsvp {
  event_id: string;
  mtime: bigint;
  rsvp_count: number;
  group_city: string;
}

/**
 * Pinot's upsert quickstart table (`upsertMeetupRsvp`: FULL, keyed by `event_id`, compared on
 * `mtime`), its config and schema as Pinot ships them (the Kafka stream map swapped for Kinesis),
 * fed RSVP-shaped records — updates, ties, late ones — through its key map, sealed and rebuilt
 * after a restart; its answers equal the latest record per `event_id`. The quickstart's own data
 * file is not in the conformance folder, so the records are generated in its schema's shape.
 */
describe("Pinot's upsert quickstart table", () => {
  it('answers with the latest RSVP per event_id, across seals and a restart', async () => {
    const schema = buildTableSchema(validateSchema(JSON.parse(readFileSync(join(QUICKSTART, 'upsertMeetupRsvp_schema.json'), 'utf8'))));
    const json = JSON.parse(readFileSync(join(QUICKSTART, 'upsertMeetupRsvp_realtime_table_config.json'), 'utf8'));
    json.ingestionConfig.streamIngestionConfig.streamConfigMaps = [kinesisStreamConfigs('upsertMeetupRSVPEvents')];
    const table = validateTableConfig(json, schema);
    let keyMap = new UpsertKeyMap(schema, table.upsert!);
    let seed = 3;
    const next = (): number => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
    const clock = new Map<string, number>();
    const rsvps: Rsvp[] = [];
    for (let i = 0; i < 1500; i++) {
      const id = `ev${Math.floor(next() * 250)}`;
      const last = clock.get(id) ?? 1_600_000_000_000;
      const mtime = next() < 0.1 ? last - 1000 : last + Math.floor(next() * 3) * 1000;
      clock.set(id, Math.max(last, mtime));
      rsvps.push({ event_id: id, mtime: BigInt(mtime), rsvp_count: i, group_city: ['Paris', 'Lyon', 'Oslo'][i % 3]! });
    }
    const rowOf = (r: Rsvp): (CellValue | null)[] => schema.columns.map((c) => (r as unknown as Record<string, CellValue>)[c.name] ?? null);
    let sealed: SealedSegment[] = [];
    let segment: ConsumingSegment | null = null;
    const seal = async (): Promise<void> => {
      const perm = sealPermutation(segment!.snapshot(), segment!.indexing);
      const file = await sealSegment(segment!, { tableDir: dir, endOfShard: false, builder: 'inline', upsert: keyMap.footerFor(segment!, perm) });
      keyMap.sealed(segment!, file, perm);
      sealed.push(file);
      segment = null;
    };
    for (const [i, r] of rsvps.entries()) {
      segment ??= new ConsumingSegment({ identity: { tableName: 'upsertMeetupRsvp', segmentName: `upsertMeetupRsvp__0__${sealed.length}__20240101T0000Z`, partitionId: 0, shardId: 'shardId-000000000000' }, schema, indexing: table.indexing });
      const row = keyMap.admit(rowOf(r), segment);
      if (row !== null) {
        segment.index(row, String(i), 0);
        keyMap.commit(segment.numDocs - 1);
      }
      if (i % 400 === 399) await seal();
    }
    await seal();
    const engine = new QueryEngine({
      resolve: () => ({ name: 'upsertMeetupRsvp', schema, snapshot: () => snapshotRuntime({ queryableSegments: () => ({ sealed, consuming: [], liveDocs: keyMap.freezeAll(sealed.map((s) => s.name)) }) }) }),
    });
    const query = async (sql: string): Promise<unknown[][]> => (JSON.parse(writeBrokerResponse(await engine.query(sql))) as { resultTable: { rows: unknown[][] } }).resultTable.rows;
    const latest = new Map<string, Rsvp>();
    for (const r of rsvps) if ((latest.get(r.event_id)?.mtime ?? -1n) <= r.mtime) latest.set(r.event_id, r);
    const want = [...latest.values()].sort((a, b) => (a.event_id < b.event_id ? -1 : 1));
    const check = async (): Promise<void> => {
      expect(await query('SELECT COUNT(*), COUNT(DISTINCT event_id), SUM(rsvp_count) FROM upsertMeetupRsvp')).toEqual([[want.length, want.length, want.reduce((s, r) => s + r.rsvp_count, 0)]]);
      expect(await query('SELECT event_id, rsvp_count, mtime, group_city FROM upsertMeetupRsvp ORDER BY event_id LIMIT 1000')).toEqual(want.map((r) => [r.event_id, r.rsvp_count, timestampText(r.mtime), r.group_city]));
    };
    await check();
    sealed = (await loadTableSegments(dir, { tableName: 'upsertMeetupRsvp', compareOffsets: (a, b) => Number(a) - Number(b) })).segments;
    keyMap = new UpsertKeyMap(schema, table.upsert!);
    keyMap.rebuild(sealed);
    await check();
  });
});

/** A TIMESTAMP as a query prints it (Pinot's `yyyy-MM-dd HH:mm:ss.S`; these are whole seconds, UTC). */
function timestampText(ms: bigint): string {
  return `${new Date(Number(ms)).toISOString().slice(0, 19).replace('T', ' ')}.0`;
}
