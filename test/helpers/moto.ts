import { randomBytes } from 'node:crypto';
import { CreateTableCommand, waitUntilTableExists } from '@aws-sdk/client-dynamodb';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { AttributeDefinition, KeySchemaElement } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll } from 'vitest';
import { MotoServer } from '../../src/emulator/moto-server.js';

export { MotoServer };

/** Creates a DynamoDB table (a random name unless told) with a stream (NEW_AND_OLD_IMAGES unless told) and waits for it. */
export async function createStreamTable(
  client: DynamoDBClient,
  options: { prefix?: string; name?: string; keys?: readonly { name: string; type: 'S' | 'N' | 'B'; role: 'HASH' | 'RANGE' }[]; viewType?: 'NEW_AND_OLD_IMAGES' | 'NEW_IMAGE' | 'KEYS_ONLY' | 'OLD_IMAGE' | 'none' } = {},
): Promise<string> {
  const name = options.name ?? `${options.prefix ?? 'ddb'}-${randomBytes(4).toString('hex')}`;
  const keys = options.keys ?? [{ name: 'pk', type: 'S', role: 'HASH' }];
  const view = options.viewType ?? 'NEW_AND_OLD_IMAGES';
  await client.send(
    new CreateTableCommand({
      TableName: name,
      AttributeDefinitions: keys.map((k): AttributeDefinition => ({ AttributeName: k.name, AttributeType: k.type })),
      KeySchema: keys.map((k): KeySchemaElement => ({ AttributeName: k.name, KeyType: k.role })),
      BillingMode: 'PAY_PER_REQUEST',
      ...(view === 'none' ? {} : { StreamSpecification: { StreamEnabled: true, StreamViewType: view } }),
    }),
  );
  await waitUntilTableExists({ client, maxWaitTime: 30 }, { TableName: name });
  return name;
}

/** Starts moto for the enclosing `describe` block and stops it after. */
export function withMoto(): { readonly server: MotoServer } {
  let server: MotoServer | undefined;
  beforeAll(async () => {
    server = await MotoServer.start();
  }, 90_000);
  afterAll(async () => {
    await server?.stop();
  });
  return {
    get server() {
      if (server === undefined) throw new Error('moto is not running (use the handle inside tests)');
      return server;
    },
  };
}
