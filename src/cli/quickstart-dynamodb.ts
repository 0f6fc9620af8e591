import { readFile, rm } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { BatchWriteItemCommand, CreateTableCommand, DeleteItemCommand, PutItemCommand, waitUntilTableExists } from '@aws-sdk/client-dynamodb';
import type { AttributeValue, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { MotoServer } from '../emulator/index.js';
import { createLogger } from '../logger.js';
import { startServer, untilSignal } from './serve.js';
import type { RunningServer } from './serve.js';

const DIR = fileURLToPath(new URL('../../../schemas/quickstart-dynamodb/', import.meta.url));
const SEEDED = 1000;
const WRITES_PER_SECOND = 20;
const STATUSES = ['NEW', 'PAID', 'SHIPPED', 'DELIVERED'];

async function readJson(name: string): Promise<Record<string, unknown>> {
  return JSON.parse(await readFile(`${DIR}${name}`, 'utf8')) as Record<string, unknown>;
}

async function post(url: string, body: unknown): Promise<void> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  if (!response.ok) throw new Error(`POST ${url} failed: ${response.status} ${await response.text()}`);
}

function order(i: number, version: number): Record<string, AttributeValue> {
  return {
    orderId: { S: `order-${String(i).padStart(5, '0')}` },
    customer: { S: `customer-${i % 97}` },
    status: { S: STATUSES[version % STATUSES.length]! },
    amount: { N: `${(i % 500) + 1}.${String(version % 100).padStart(2, '0')}` },
    items: { N: String((i % 7) + 1) },
    ...(i % 3 === 0 ? { tags: { SS: ['gift', `batch-${i % 5}`] } } : {}),
  };
}

/**
 * `quickstart --source dynamodb`: moto (`python3 -m moto.server`) as the DynamoDB endpoint, a demo
 * table `Orders` with a stream and 1,000 items, the `orders` table from
 * `schemas/quickstart-dynamodb/` created over HTTP (scan load, then the stream), and a writer that
 * keeps creating, updating and deleting orders while it runs. Ctrl-C stops writer, server and moto.
 */
export async function runDynamoDbQuickstart(options: { readonly port: number; readonly dataDir: string }): Promise<void> {
  const logger = createLogger(process.env.SHARDTABLE_LOG_LEVEL ?? 'warn');
  const schema = await readJson('orders_schema.json');
  const table = await readJson('orders_realtime_table_config.json');
  const moto = await MotoServer.start();
  Object.assign(process.env, moto.env());
  process.env.AWS_ACCESS_KEY_ID ??= 'quickstart';
  process.env.AWS_SECRET_ACCESS_KEY ??= 'quickstart';
  const client = moto.client();
  let server: RunningServer;
  try {
    await createOrders(client);
    await rm(options.dataDir, { recursive: true, force: true });
    server = await startServer({ dataDir: options.dataDir, port: options.port, host: '127.0.0.1', logger });
    await post(`${server.url}/schemas`, schema);
    await post(`${server.url}/tables`, table);
  } catch (err) {
    client.destroy();
    await moto.stop();
    throw err;
  }

  let version = 1;
  let writes = 0;
  let writing = Promise.resolve();
  const timer = setInterval(() => {
    writing = writing.then(async () => {
      const v = version++;
      const i = (v * 7919) % (SEEDED + 200);
      try {
        if (v % 10 === 0) await client.send(new DeleteItemCommand({ TableName: 'Orders', Key: { orderId: { S: `order-${String(i).padStart(5, '0')}` } } }));
        else await client.send(new PutItemCommand({ TableName: 'Orders', Item: order(i, v) }));
        writes++;
      } catch (err) {
        logger.warn({ err: String(err) }, 'demo writer: write failed; retrying next tick');
      }
    });
  }, 1000 / WRITES_PER_SECOND);

  const base = server.url;
  process.stdout.write(
    [
      '',
      `shardtable quickstart (DynamoDB): ${base}`,
      `  moto at ${moto.endpoint}: table "Orders" with a stream, ${SEEDED} items, ${WRITES_PER_SECOND} writes/s (creates, updates, deletes);`,
      `  the "orders" table loads them by scan, then follows the stream; data in ${options.dataDir}`,
      '',
      `Open the web console: ${base}/`,
      '',
      'Try:',
      `  npx shardtable status orders --server ${base}   # phase LOADING with progress, then STREAMING`,
      `  curl -s -G ${base}/query/sql --data-urlencode 'sql=SELECT status, count(*), sum(amount) FROM orders GROUP BY status'`,
      `  curl -s -G ${base}/query/sql --data-urlencode 'sql=SELECT _id, customer, status, amount, tags FROM orders ORDER BY amount DESC LIMIT 5'`,
      '',
      'Ctrl-C stops the quickstart.',
      '',
    ].join('\n'),
  );

  await untilSignal();
  process.stdout.write(`\nstopping (${writes} DynamoDB writes)...\n`);
  clearInterval(timer);
  await writing;
  await server.close();
  client.destroy();
  await moto.stop();
}

async function createOrders(client: DynamoDBClient): Promise<void> {
  await client.send(
    new CreateTableCommand({
      TableName: 'Orders',
      AttributeDefinitions: [{ AttributeName: 'orderId', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'orderId', KeyType: 'HASH' }],
      BillingMode: 'PAY_PER_REQUEST',
      StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' },
    }),
  );
  await waitUntilTableExists({ client, maxWaitTime: 30 }, { TableName: 'Orders' });
  for (let start = 0; start < SEEDED; start += 25) {
    const puts = Array.from({ length: Math.min(25, SEEDED - start) }, (_, k) => ({ PutRequest: { Item: order(start + k, 0) } }));
    await client.send(new BatchWriteItemCommand({ RequestItems: { Orders: puts } }));
  }
}
