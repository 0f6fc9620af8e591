import { readFile, rm } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { createStream, kinesisClientFor, startEmulator } from '../emulator/index.js';
import { createLogger } from '../logger.js';
import { putJsonRecords } from '../plugins/stream/kinesis/index.js';
import { createEventGenerator, QUICKSTART_PARTITION_KEY_FIELD } from './quickstart-events.js';
import { startServer, untilSignal } from './serve.js';
import type { RunningServer } from './serve.js';

const QUICKSTART_DIR = fileURLToPath(new URL('../../../schemas/quickstart/', import.meta.url));
const EVENTS_PER_SECOND = 200;
const TICK_MS = 250;

export interface QuickstartOptions {
  readonly port: number;
  readonly dataDir: string;
}

async function readJson(name: string): Promise<Record<string, unknown>> {
  return JSON.parse(await readFile(`${QUICKSTART_DIR}${name}`, 'utf8')) as Record<string, unknown>;
}

async function post(url: string, body: unknown): Promise<void> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  if (!response.ok) throw new Error(`POST ${url} failed: ${response.status} ${await response.text()}`);
}

/**
 * `npm start`: an embedded Kinesis emulator (kinesalite, in memory), a demo stream with 4 shards
 * fed continuously, the demo schema and table from `schemas/quickstart/` created over HTTP as a
 * user would, and the server on the given port. The data dir is wiped first because the emulator's
 * stream is new on every run. Ctrl-C stops producer, server and emulator in that order.
 */
export async function runQuickstart(options: QuickstartOptions): Promise<void> {
  const logger = createLogger(process.env.SHARDTABLE_LOG_LEVEL ?? 'warn');
  const schema = await readJson('clickstream_schema.json');
  const table = await readJson('clickstream_realtime_table_config.json');
  const streamName = String((table as { tableIndexConfig: { streamConfigs: Record<string, string> } }).tableIndexConfig.streamConfigs['stream.kinesis.topic.name']);

  const emulator = await startEmulator('kinesalite');
  process.env.AWS_ENDPOINT_URL_KINESIS = emulator.endpoint;
  process.env.AWS_ACCESS_KEY_ID ??= 'quickstart';
  process.env.AWS_SECRET_ACCESS_KEY ??= 'quickstart';
  process.env.AWS_REGION ??= 'us-east-1';
  await createStream(emulator.endpoint, streamName, 4);

  await rm(options.dataDir, { recursive: true, force: true });
  let server: RunningServer;
  try {
    server = await startServer({ dataDir: options.dataDir, port: options.port, host: '127.0.0.1', logger });
    await post(`${server.url}/schemas`, schema);
    await post(`${server.url}/tables`, table);
  } catch (err) {
    await emulator.stop();
    throw err;
  }

  const client = kinesisClientFor(emulator.endpoint);
  const events = createEventGenerator(Date.now() % 100_000);
  let produced = 0;
  let producing = Promise.resolve();
  const timer = setInterval(() => {
    producing = producing.then(async () => {
      const batch = Array.from({ length: (EVENTS_PER_SECOND * TICK_MS) / 1000 }, () => events.next(Date.now()));
      try {
        await putJsonRecords(client, streamName, batch, (row) => String(row[QUICKSTART_PARTITION_KEY_FIELD]));
        produced += batch.length;
      } catch (err) {
        logger.warn({ err: String(err) }, 'demo producer: PutRecords failed; retrying next tick');
      }
    });
  }, TICK_MS);

  const tableName = String(table.tableName);
  const base = server.url;
  process.stdout.write(
    [
      '',
      `shardtable quickstart: ${base}`,
      `  Kinesis emulator (kinesalite) at ${emulator.endpoint}, stream "${streamName}" with 4 shards,`,
      `  ${EVENTS_PER_SECOND} demo events/s; data in ${options.dataDir}`,
      '',
      `Open the web console: ${base}/  (query editor, tables, ingestion charts)`,
      '',
      'Try:',
      `  curl -s ${base}/query/sql -H 'content-type: application/json' \\`,
      `    -d '{"sql": "SELECT country, count(*) AS events FROM ${tableName} GROUP BY country ORDER BY events DESC LIMIT 5"}'`,
      `  curl -s -G ${base}/query/sql --data-urlencode 'sql=SELECT eventType, count(*), avg(durationMs) FROM ${tableName} GROUP BY eventType'`,
      `  curl -s ${base}/tables`,
      `  curl -s ${base}/schemas/${String(schema.schemaName)}`,
      `  curl -s ${base}/tables/${tableName}/consumingSegmentsInfo`,
      `  curl -s ${base}/tables/${tableName}/segments`,
      `  npx shardtable inspect ${options.dataDir}/${tableName}/<segment>.seg --rows 5`,
      '',
      'Ctrl-C stops the quickstart.',
      '',
    ].join('\n'),
  );

  await untilSignal();
  process.stdout.write(`\nstopping (produced ${produced} events)...\n`);
  clearInterval(timer);
  await producing;
  client.destroy();
  await server.close();
  await emulator.stop();
}
