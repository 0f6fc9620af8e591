import type { FastifyPluginAsync } from 'fastify';
import { rawTableName, REALTIME_SUFFIX, tableIdentity } from '../../config/table-config-validation.js';
import { ShardtableError } from '../../errors.js';
import type { TableManager } from '../../table/table-manager.js';
import { requireBody } from '../body-parsers.js';
import type { PinotConfigResponse } from './schema-routes.js';

interface NameParams {
  name: string;
}

interface TypeQuery {
  type?: string;
}

/** Pinot's `?type=` filter: only `realtime` (or none) can match a shardtable table. */
function wantsOffline(query: TypeQuery): boolean {
  return query.type !== undefined && query.type.toUpperCase() === 'OFFLINE';
}

/**
 * `POST /tables`, `GET /tables`, `GET|PUT|DELETE /tables/{name}`, `GET /tables/{name}/schema`.
 * `{name}` is accepted with or without `_REALTIME`.
 */
export const tableRoutes: FastifyPluginAsync<{ manager: TableManager }> = async (app, { manager }) => {
  app.post('/tables', async (request): Promise<PinotConfigResponse> => {
    const config = await manager.addTable(requireBody(request.body));
    return { unrecognizedProperties: {}, status: `Table ${config.tableName}${REALTIME_SUFFIX} successfully added` };
  });

  app.get('/tables', async () => ({ tables: manager.listTables() }));

  app.get<{ Params: NameParams; Querystring: TypeQuery }>('/tables/:name', async (request) => {
    const config = manager.getTable(request.params.name);
    return wantsOffline(request.query) ? {} : { REALTIME: config };
  });

  app.get<{ Params: NameParams }>('/tables/:name/schema', async (request) => {
    const identity = tableIdentity(manager.getTable(request.params.name));
    for (const name of identity.schemaCandidates) {
      if (manager.listSchemas().includes(name)) return manager.getSchema(name);
    }
    throw new ShardtableError('SCHEMA_NOT_FOUND', { name: identity.tableName });
  });

  app.put<{ Params: NameParams }>('/tables/:name', async (request): Promise<PinotConfigResponse> => {
    const config = await manager.updateTable(request.params.name, requireBody(request.body));
    return { unrecognizedProperties: {}, status: `Table config updated for ${config.tableName}${REALTIME_SUFFIX}` };
  });

  app.delete<{ Params: NameParams; Querystring: TypeQuery }>('/tables/:name', async (request) => {
    const tableName = rawTableName(request.params.name);
    if (wantsOffline(request.query)) throw new ShardtableError('TABLE_NOT_FOUND', { name: `${tableName}_OFFLINE` });
    await manager.deleteTable(tableName);
    return { status: `Tables: [${tableName}${REALTIME_SUFFIX}] deleted` };
  });
};
