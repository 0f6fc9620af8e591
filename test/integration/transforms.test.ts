import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildTableSchema, validateSchema } from '../../src/config/index.js';
import type { TableSchema } from '../../src/config/schema.js';
import { EMULATOR_KINDS } from '../../src/emulator/index.js';
import type { TableIngestion } from '../../src/ingest/index.js';
import { putJsonRecords } from '../../src/plugins/stream/kinesis/index.js';
import { withEmulator } from '../helpers/emulator.js';
import { emulatorStreamConfigs } from '../helpers/emulator-table.js';
import { tableRows, waitForWith } from '../helpers/table-rows.js';
import { withTableRuntimes } from '../helpers/table-runtimes.js';

const CONFORMANCE = join(import.meta.dirname, '../../../shared/pinot-conformance');
const readJson = async (path: string): Promise<Record<string, unknown>> => JSON.parse(await readFile(join(CONFORMANCE, path), 'utf8')) as Record<string, unknown>;

const waitFor = waitForWith({ timeoutMs: 60_000, pollMs: 100 });

describe.each(EMULATOR_KINDS)('ingestion transforms on %s', (kind) => {
  const env = withEmulator(kind);
  const tables = withTableRuntimes('shardtable-transforms-');

  /** A Pinot config with its Kafka stream map swapped for this emulator's Kinesis stream. */
  function kinesisConfig(pinot: Record<string, unknown>, stream: string, rowsThreshold: string): Record<string, unknown> {
    const config = structuredClone(pinot) as { ingestionConfig: { streamIngestionConfig: { streamConfigMaps: Record<string, string>[] } } };
    config.ingestionConfig.streamIngestionConfig.streamConfigMaps = [
      emulatorStreamConfigs(env.endpoint, stream, {
        'stream.kinesis.decoder.class.name': 'org.apache.pinot.plugin.stream.kafka.KafkaJSONMessageDecoder',
        'realtime.segment.flush.threshold.rows': rowsThreshold,
      }),
    ];
    return config as unknown as Record<string, unknown>;
  }

  const start = (schema: TableSchema, config: Record<string, unknown>): Promise<TableIngestion> => tables.start({ schema, config });

  it("airlineStats: the config's fromEpochDays(DaysSinceEpoch) transforms fill ts and tsRaw", async () => {
    const schema = buildTableSchema(validateSchema(await readJson('airline/airlineStats_schema.json')));
    const lines = (await readFile(join(CONFORMANCE, 'airline/airlineStats_data.jsonl'), 'utf8')).split('\n').slice(0, 25);
    const records = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    const stream = await env.newStream(1);
    await putJsonRecords(env.client, stream, records, (_, i) => String(i));
    const runtime = await start(schema, kinesisConfig(await readJson('airline/airlineStats_realtime_table_config.json'), stream, '10'));
    await waitFor('25 rows', () => tableRows(runtime, ['DaysSinceEpoch']).length === 25);
    const got = tableRows(runtime, ['FlightNum', 'DaysSinceEpoch', 'ts', 'tsRaw']);
    const expected = records.map((r) => ({ FlightNum: r.FlightNum, DaysSinceEpoch: r.DaysSinceEpoch, ts: BigInt(r.DaysSinceEpoch as number) * 86_400_000n, tsRaw: BigInt(r.DaysSinceEpoch as number) * 86_400_000n }));
    const key = (r: Record<string, unknown>): string => `${String(r.DaysSinceEpoch)}:${String(r.FlightNum)}:${String(r.ts)}`;
    expect(got.map(key).sort()).toEqual(expected.map(key).sort());
    for (const r of got) expect(r.tsRaw).toBe(r.ts);
    expect(runtime.segments().length).toBeGreaterThanOrEqual(2);
  });

  it('githubEvents: its schema and config (fromDateTime transform), then complexTypeConfig unnesting of payload.commits', async () => {
    const raw = (await readFile(join(CONFORMANCE, 'quickstart/githubEvents/rawdata/2021-07-21-few-hours.json'), 'utf8')).split('\n').filter((l) => l !== '');
    expect(raw).toHaveLength(800);
    const events = raw.map((l) => JSON.parse(l) as Record<string, any>);
    const stream = await env.newStream(2);
    await putJsonRecords(env.client, stream, events, (e) => String(e.id));

    // 1. The conformance schema and table config as they are.
    const pinotSchema = await readJson('quickstart/githubEvents/githubEvents_schema.json');
    const pinotConfig = await readJson('quickstart/githubEvents/githubEvents_realtime_table_config.json');
    const plain = await start(buildTableSchema(validateSchema(pinotSchema)), kinesisConfig(pinotConfig, stream, '100'));
    await waitFor('800 rows', () => tableRows(plain, ['id']).length === 800);
    const byId = new Map(tableRows(plain, ['id', 'type', 'created_at', 'created_at_timestamp']).map((r) => [r.id, r]));
    expect(byId.size).toBe(800);
    for (const e of events) {
      expect(byId.get(e.id)).toEqual({ id: e.id, type: e.type, created_at: e.created_at, created_at_timestamp: BigInt(Date.parse(e.created_at as string)) });
    }

    // 2. The same events flattened: one row per commit of a push, nested fields as columns,
    //    payload kept whole as a JSON column. Null handling is off: missing values read as
    //    Pinot's defaults ('null', INT -2147483648).
    const schemaJson = structuredClone(pinotSchema) as { schemaName: string; dimensionFieldSpecs: { name: string; dataType: string }[] };
    schemaJson.schemaName = 'githubEventsFlat';
    schemaJson.dimensionFieldSpecs.push(
      { name: 'actor.login', dataType: 'STRING' },
      { name: 'repo.name', dataType: 'STRING' },
      { name: 'payload', dataType: 'JSON' },
      { name: 'payload.commits.sha', dataType: 'STRING' },
      { name: 'payload.commits.author.name', dataType: 'STRING' },
      { name: 'payload.size', dataType: 'INT' },
    );
    const configJson = structuredClone(pinotConfig) as { tableName: string; ingestionConfig: Record<string, unknown> };
    configJson.tableName = 'githubEventsFlat';
    configJson.ingestionConfig.complexTypeConfig = { fieldsToUnnest: ['payload.commits'] };
    const flat = await start(buildTableSchema(validateSchema(schemaJson)), kinesisConfig(configJson, stream, '100'));
    const expectedRows = events.reduce((n, e) => n + (Array.isArray(e.payload?.commits) && e.payload.commits.length > 0 ? e.payload.commits.length : 1), 0);
    expect(expectedRows).toBeGreaterThan(800);
    await waitFor(`${expectedRows} rows`, () => tableRows(flat, ['id']).length >= expectedRows);
    const got = tableRows(flat, ['id', 'actor.login', 'repo.name', 'payload.commits.sha', 'payload.commits.author.name', 'payload.size', 'payload', 'created_at_timestamp']);
    expect(got).toHaveLength(expectedRows);
    const expected = events.flatMap((e) => {
      const base = { id: e.id, 'actor.login': e.actor.login, 'repo.name': e.repo.name, 'payload.size': e.payload.size ?? -2147483648, created_at_timestamp: BigInt(Date.parse(e.created_at as string)) };
      const commits = Array.isArray(e.payload?.commits) && e.payload.commits.length > 0 ? (e.payload.commits as Record<string, any>[]) : [null];
      return commits.map((c) => ({ ...base, 'payload.commits.sha': c?.sha ?? 'null', 'payload.commits.author.name': c?.author?.name ?? 'null' }));
    });
    const key = (r: Record<string, unknown>): string => JSON.stringify([r.id, r['payload.commits.sha'], r['payload.commits.author.name'], r['actor.login'], r['repo.name'], r['payload.size'], String(r.created_at_timestamp)]);
    expect(got.map(key).sort()).toEqual(expected.map(key).sort());
    // The JSON column holds the whole payload object.
    const push = events.find((e) => e.type === 'PushEvent')!;
    const pushRow = got.find((r) => r.id === push.id)!;
    expect(JSON.parse(pushRow.payload as string)).toEqual(push.payload);
  });
  it('unnested and filtered records: seals only at record boundaries, exactly once across a restart', async () => {
    const schema = buildTableSchema(
      validateSchema({
        schemaName: 'orders',
        dimensionFieldSpecs: [
          { name: 'id', dataType: 'LONG' },
          { name: 'kind', dataType: 'STRING' },
          { name: 'items.n', dataType: 'INT' },
        ],
      }),
    );
    const records = Array.from({ length: 40 }, (_, i) => ({ id: i, kind: i % 7 === 3 ? 'drop' : 'keep', items: Array.from({ length: (i % 3) + 1 }, (_, k) => ({ n: k })) }));
    const kept = records.filter((r) => r.kind === 'keep');
    const expected = kept.flatMap((r) => r.items.map((it) => `${r.id}:${it.n}`)).sort();
    const stream = await env.newStream(1);
    await putJsonRecords(env.client, stream, records, (r) => String(r.id));
    const configJson = {
      tableName: 'orders',
      ingestionConfig: {
        streamIngestionConfig: { streamConfigMaps: [{}] },
        complexTypeConfig: { fieldsToUnnest: ['items'] },
        filterConfig: { filterFunction: "kind = 'drop'" },
      },
    };
    const withStream = kinesisConfig(configJson, stream, '4');
    const tableDir = await tables.tempDir('shardtable-unnest-');
    const open = (): Promise<TableIngestion> => tables.start({ schema, config: withStream, tableDir });
    const key = (r: Record<string, unknown>): string => `${String(r.id)}:${String(r['items.n'])}`;
    const first = await open();
    await waitFor(`${expected.length} rows`, () => tableRows(first, ['id']).length === expected.length);
    expect(tableRows(first, ['id', 'items.n']).map(key).sort()).toEqual(expected);
    expect(first.partitions()[0]!.recordsFiltered).toBe(records.length - kept.length);
    // Every sealed segment holds whole records: all rows of an id are in one segment.
    const sealedIds = new Map<bigint, number>();
    for (const segment of first.queryableSegments().sealed) {
      for (let doc = 0; doc < segment.numDocs; doc++) {
        const id = segment.getValue('id', doc) as bigint;
        sealedIds.set(id, (sealedIds.get(id) ?? 0) + 1);
      }
    }
    expect(first.segments().length).toBeGreaterThan(2);
    for (const [id, n] of sealedIds) expect(n, `rows of record ${id}`).toBe((Number(id) % 3) + 1);
    await first.stop();

    const second = await open();
    await waitFor(`${expected.length} rows after restart`, () => tableRows(second, ['id']).length >= expected.length && second.partitions()[0]?.state === 'CAUGHT_UP');
    expect(tableRows(second, ['id', 'items.n']).map(key).sort()).toEqual(expected);
  });
});
