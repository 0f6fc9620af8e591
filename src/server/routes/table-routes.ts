import type { FastifyPluginAsync } from 'fastify';
import { rawTableName, REALTIME_SUFFIX, tableIdentity } from '../../config/table-config-validation.js';
import { unrecognizedTableProperties } from '../../config/unrecognized-properties.js';
import { redactTableConfig } from '../../config/redact.js';
import { ShardtableError } from '../../errors.js';
import type { TableManager } from '../../table/table-manager.js';
import { requireBody } from '../body-parsers.js';
import { wantsOffline } from '../table-type.js';
import type { TypeQuery } from '../table-type.js';
import type { PinotConfigResponse } from './schema-routes.js';

interface NameParams {
  name: string;
}


/**
 * `POST /tables`, `GET /tables`, `GET|PUT|DELETE /tables/{name}`, `GET /tables/{name}/schema`,
 * `POST /tables/validate`. `{name}` is accepted with or without `_REALTIME`; upload answers list
 * the keys Pinot does not know in `unrecognizedProperties`.
 */
export const tableRoutes: FastifyPluginAsync<{ manager: TableManager }> = async (app, { manager }) => {
  app.post('/tables', async (request): Promise<PinotConfigResponse> => {
    const body = requireBody(request.body);
    const config = await manager.addTable(body);
    return { unrecognizedProperties: unrecognizedTableProperties(body), status: `Table ${config.tableName}${REALTIME_SUFFIX} successfully added` };
  });

  app.post('/tables/validate', async (request) => {
    const body = requireBody(request.body);
    const config = manager.validateTable(body);
    return { REALTIME: redactTableConfig(config.pinot), unrecognizedProperties: unrecognizedTableProperties(body) };
  });

  // Pinot: no type lists raw names, `?type=realtime` names with `_REALTIME`, `?type=offline` none here.
  app.get<{ Querystring: TypeQuery }>('/tables', async (request) => {
    if (wantsOffline(request.query)) return { tables: [] };
    const typed = request.query.type?.toUpperCase() === 'REALTIME';
    return { tables: manager.listTables().map((t) => (typed ? `${t}${REALTIME_SUFFIX}` : t)) };
  });

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
    const body = requireBody(request.body);
    const config = await manager.updateTable(request.params.name, body);
    return { unrecognizedProperties: unrecognizedTableProperties(body), status: `Table config updated for ${config.tableName}${REALTIME_SUFFIX}` };
  });

  app.delete<{ Params: NameParams; Querystring: TypeQuery }>('/tables/:name', async (request) => {
    const tableName = rawTableName(request.params.name);
    if (wantsOffline(request.query)) throw new ShardtableError('TABLE_NOT_FOUND', { name: `${tableName}_OFFLINE` });
    await manager.deleteTable(tableName);
    return { status: `Tables: [${tableName}${REALTIME_SUFFIX}] deleted` };
  });
};
