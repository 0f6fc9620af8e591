import type { FastifyPluginAsync } from 'fastify';
import { rawTableName } from '../../config/table-config-validation.js';
import { unrecognizedSchemaProperties, unrecognizedTableProperties } from '../../config/unrecognized-properties.js';
import { ShardtableError } from '../../errors.js';
import type { TableManager } from '../../table/table-manager.js';
import { requireBody } from '../body-parsers.js';
import type { PinotConfigResponse } from './schema-routes.js';

interface NameParams {
  name: string;
}

interface TableConfigsBody {
  readonly tableName: string;
  readonly schema: unknown;
  readonly realtime: unknown;
}

/** Reads Pinot's `TableConfigs` JSON: `tableName`, `schema`, `realtime` (an `offline` config is refused: realtime tables only). */
function parseTableConfigs(json: unknown): TableConfigsBody {
  const body = (typeof json === 'object' && json !== null && !Array.isArray(json) ? json : {}) as Record<string, unknown>;
  const problems: string[] = [];
  if (typeof body.tableName !== 'string' || body.tableName === '') problems.push('tableName: required, the raw table name');
  if (typeof body.schema !== 'object' || body.schema === null) problems.push('schema: required, a Pinot schema');
  if (typeof body.realtime !== 'object' || body.realtime === null) problems.push('realtime: required, a REALTIME table config');
  if (body.offline !== undefined && body.offline !== null) problems.push('offline: OFFLINE tables are not supported; send only realtime');
  if (problems.length > 0) throw new ShardtableError('INVALID_TABLE_CONFIG', { detail: problems.join('; ') });
  return { tableName: body.tableName as string, schema: body.schema, realtime: body.realtime };
}

function unrecognized(json: unknown, body: TableConfigsBody): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(json as Record<string, unknown>)) if (!['tableName', 'schema', 'realtime', 'offline'].includes(k)) out[`/${k}`] = v;
  for (const [k, v] of Object.entries(unrecognizedSchemaProperties(body.schema))) out[`/schema${k}`] = v;
  for (const [k, v] of Object.entries(unrecognizedTableProperties(body.realtime))) out[`/realtime${k}`] = v;
  return out;
}

/**
 * Pinot's `TableConfigsRestletResource`: schema and table config in one call.
 * `GET /tableConfigs` (raw names), `GET /tableConfigs/{name}` (`{tableName, schema, realtime}`),
 * `POST /tableConfigs`, `PUT /tableConfigs/{name}`, `DELETE /tableConfigs/{name}` (the table, then
 * its schema). A POST whose table cannot be created removes the schema it added.
 */
export const tableConfigsRoutes: FastifyPluginAsync<{ manager: TableManager }> = async (app, { manager }) => {
  app.get('/tableConfigs', async () => manager.listTables());

  app.get<{ Params: NameParams }>('/tableConfigs/:name', async (request) => {
    const tableName = rawTableName(request.params.name);
    const realtime = manager.getTable(tableName);
    return { tableName, schema: manager.getSchema(manager.schemaNameOf(tableName)), realtime };
  });

  app.post('/tableConfigs', async (request): Promise<PinotConfigResponse> => {
    const json = requireBody(request.body);
    const body = parseTableConfigs(json);
    if (manager.hasTable(body.tableName)) throw new ShardtableError('TABLE_EXISTS', { name: `${rawTableName(body.tableName)}_REALTIME` });
    const existed = manager.listSchemas().includes((body.schema as { schemaName?: string }).schemaName ?? '');
    const schema = await manager.addSchema(body.schema, { override: true });
    try {
      await manager.addTable(body.realtime);
    } catch (error) {
      if (!existed) await manager.deleteSchema(schema.schemaName).catch(() => undefined);
      throw error;
    }
    return { unrecognizedProperties: unrecognized(json, body), status: `TableConfigs ${body.tableName} successfully added` };
  });

  app.put<{ Params: NameParams }>('/tableConfigs/:name', async (request): Promise<PinotConfigResponse> => {
    const json = requireBody(request.body);
    const body = parseTableConfigs(json);
    const tableName = rawTableName(request.params.name);
    if (rawTableName(body.tableName) !== tableName) throw new ShardtableError('NAME_MISMATCH', { kind: 'table', body: body.tableName, path: tableName });
    manager.getTable(tableName);
    const schemaName = (body.schema as { schemaName?: unknown }).schemaName;
    await manager.updateSchema(typeof schemaName === 'string' ? schemaName : '', body.schema);
    await manager.updateTable(tableName, body.realtime);
    return { unrecognizedProperties: unrecognized(json, body), status: `TableConfigs updated for ${tableName}` };
  });

  app.delete<{ Params: NameParams }>('/tableConfigs/:name', async (request) => {
    const tableName = rawTableName(request.params.name);
    const schemaName = manager.schemaNameOf(tableName);
    await manager.deleteTable(tableName);
    await manager.deleteSchema(schemaName);
    return { status: `Deleted TableConfigs: ${tableName}` };
  });
};
