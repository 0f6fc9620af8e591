import { describe, expect, it } from 'vitest';
import { buildTableSchema, validateSchema } from '../../src/config/index.js';
import { putJsonRecords } from '../../src/plugins/stream/kinesis/index.js';
import { QueryEngine, snapshotRuntime, writeBrokerResponse } from '../../src/query/index.js';
import { withEmulator } from '../helpers/emulator.js';
import { emulatorTableConfig, idKindTsRows, idKindTsSchema } from '../helpers/emulator-table.js';
import { withTableRuntimes } from '../helpers/table-runtimes.js';

const schema = buildTableSchema(validateSchema(idKindTsSchema('fresh', { metrics: [{ name: 'amount', dataType: 'DOUBLE' }] })));

function tableConfig(endpoint: string, stream: string): Record<string, unknown> {
  return emulatorTableConfig({
    endpoint,
    stream,
    tableName: 'fresh',
    timeColumn: 'ts',
    streamConfigs: {
      'stream.kinesis.fetch.timeout.millis': '1000',
      maxRecordsToFetch: '37',
      // Small segments: many seals while the queries run.
      'realtime.segment.flush.threshold.rows': '25',
    },
  });
}

interface Answer {
  count: number;
  distinct: number;
  sealedSegments: number;
  consumingSegments: number;
}

async function countNow(engine: QueryEngine): Promise<Answer> {
  const body = JSON.parse(writeBrokerResponse(await engine.query('SELECT count(*), count(DISTINCT id) FROM fresh'))) as {
    exceptions: unknown[];
    resultTable: { rows: [[number, number]] };
    numSegmentsQueried: number;
    numConsumingSegmentsQueried: number;
  };
  expect(body.exceptions).toEqual([]);
  const [count, distinct] = body.resultTable.rows[0];
  return { count, distinct, sealedSegments: body.numSegmentsQueried - body.numConsumingSegmentsQueried, consumingSegments: body.numConsumingSegmentsQueried };
}

describe('query freshness and exactly-once visibility (kinesalite)', () => {
  const env = withEmulator('kinesalite');
  const tables = withTableRuntimes('shardtable-fresh-');

  it('concurrent count(*) during repeated seals never sees a row twice or loses one', async () => {
    const stream = await env.newStream(2);
    const runtime = await tables.start({ schema, config: tableConfig(env.endpoint, stream) });
    const engine = new QueryEngine({ resolve: (n) => (n.toLowerCase() === 'fresh' ? { name: 'fresh', schema, snapshot: () => snapshotRuntime(runtime) } : undefined) });

    const total = 600;
    const batch = 50;
    let acknowledged = 0; // rows PutRecords has acknowledged
    const producing = (async () => {
      for (let from = 0; from < total; from += batch) {
        const rows = idKindTsRows(from, batch, ['a', 'b', 'c'], (id) => ({ amount: id }));
        await putJsonRecords(env.client, stream, rows, (r) => String(r.id));
        acknowledged = from + batch;
      }
    })();

    // Queries race with indexing and seals. Lower bound: every row indexed before the queries
    // started (and what an earlier query already saw); upper bound: rows indexed by the time they
    // answered, and rows PutRecords acknowledged; no id twice.
    const indexedNow = (): number => {
      const { sealed, consuming } = runtime.queryableSegments();
      return [...sealed, ...consuming].reduce((n, segment) => n + segment.numDocs, 0);
    };
    let seen = 0;
    let maxSealed = 0;
    const answers: Answer[] = [];
    const deadline = Date.now() + 60_000;
    for (;;) {
      const before = seen;
      const producedBefore = acknowledged;
      const indexedBefore = indexedNow();
      const concurrent = await Promise.all([countNow(engine), countNow(engine), countNow(engine)]);
      const indexedAfter = indexedNow();
      const producedAfter = acknowledged;
      for (const a of concurrent) {
        expect(a.distinct).toBe(a.count);
        expect(a.count).toBeGreaterThanOrEqual(before);
        expect(a.count).toBeGreaterThanOrEqual(indexedBefore);
        expect(a.count).toBeLessThanOrEqual(indexedAfter);
        expect(a.count).toBeLessThanOrEqual(producedAfter);
        seen = Math.max(seen, a.count);
        maxSealed = Math.max(maxSealed, a.sealedSegments);
        answers.push(a);
      }
      expect(producedBefore).toBeLessThanOrEqual(producedAfter);
      if (seen === total) break;
      if (Date.now() > deadline) throw new Error(`only ${seen} of ${total} rows became visible`);
      await new Promise((r) => setTimeout(r, 5));
    }
    await producing;
    // The scenario did what it claims: segments were sealed while queries ran, and queries saw
    // intermediate states.
    expect(maxSealed).toBeGreaterThanOrEqual(10);
    expect(new Set(answers.map((a) => a.count)).size).toBeGreaterThan(3);
    const final = await countNow(engine);
    expect(final).toMatchObject({ count: total, distinct: total });
    // Every id exactly once, by value.
    const ids = JSON.parse(writeBrokerResponse(await engine.query('SELECT id, count(*) FROM fresh GROUP BY id HAVING count(*) <> 1 LIMIT 10'))) as { resultTable: { rows: unknown[] } };
    expect(ids.resultTable.rows).toEqual([]);
    const sum = JSON.parse(writeBrokerResponse(await engine.query('SELECT sum(id), min(id), max(id) FROM fresh'))) as { resultTable: { rows: number[][] } };
    expect(sum.resultTable.rows[0]).toEqual([(total * (total - 1)) / 2, 0, total - 1]);
  }, 120_000);
});
