import type { FastifyPluginAsync } from 'fastify';
import type { TableManager } from '../../table/table-manager.js';
import { brokerInstance } from '../broker-identity.js';
import { realtimeTable, withType } from '../table-type.js';
import type { TypeQuery } from '../table-type.js';
import { tableMetadata, tableSize, tableView } from '../table-views.js';

interface NameParams {
  name: string;
}

type ColumnStats = Parameters<typeof tableMetadata>[1][number]['columns'][number];

function columnStats(metadata: Record<string, unknown> | undefined): ColumnStats[] {
  const columns = metadata?.columns;
  return Array.isArray(columns) ? (columns as ColumnStats[]) : [];
}

/**
 * Read-only views of a table in Pinot's controller shapes, answered with the one-server truth:
 * `GET /tables/{name}/idealstate`, `/externalview`, `/size`, `/metadata`, `/instances`, and the
 * table's brokers, `GET /brokers/tables/{name}` (instance names) and `GET /v2/brokers/tables/{name}`
 * (`[{instanceName, host, port}]`). Unknown table 404; `?type=offline` 404 (no offline tables).
 */
export const tableViewRoutes: FastifyPluginAsync<{ manager: TableManager; serverName: string }> = async (app, { manager, serverName }) => {
  const view = async (request: { params: NameParams; query: TypeQuery }): Promise<unknown> => {
    const tableName = realtimeTable(request.params.name, request.query);
    return tableView(manager.segments(tableName), manager.partitions(tableName), serverName);
  };
  app.get<{ Params: NameParams; Querystring: TypeQuery }>('/tables/:name/idealstate', view);
  app.get<{ Params: NameParams; Querystring: TypeQuery }>('/tables/:name/externalview', view);

  app.get<{ Params: NameParams; Querystring: TypeQuery }>('/tables/:name/size', async (request) => {
    const tableName = realtimeTable(request.params.name, request.query);
    return tableSize(tableName, manager.segments(tableName), serverName);
  });

  app.get<{ Params: NameParams; Querystring: TypeQuery & { columns?: string | string[] } }>('/tables/:name/metadata', async (request) => {
    const tableName = realtimeTable(request.params.name, request.query);
    const runtime = manager.runtimeOf(tableName);
    const asked = request.query.columns;
    const columns = (Array.isArray(asked) ? asked : asked === undefined ? [] : [asked]).flatMap((c) => c.split(','));
    const sealed = runtime.segments().map((summary) => ({ summary, columns: columnStats(runtime.segmentMetadata(summary.segmentName)) }));
    return tableMetadata(withType(tableName), sealed, runtime.partitions(), columns);
  });

  app.get<{ Params: NameParams; Querystring: { type?: string } }>('/tables/:name/instances', async (request, reply) => {
    const tableName = realtimeTable(request.params.name, {});
    manager.getTableConfig(tableName);
    const type = (request.query.type ?? '').toLowerCase();
    const broker = brokerInstance(app, request).instanceName;
    const body = {
      tableName,
      brokers: type === '' || type === 'broker' ? [{ tableType: 'realtime', instances: [broker] }] : [],
      server: type === '' || type === 'server' ? [{ tableType: 'realtime', instances: [serverName] }] : [],
    };
    return reply.type('application/json; charset=utf-8').send(body);
  });

  const brokers = (request: Parameters<typeof brokerInstance>[1] & { params: NameParams; query: TypeQuery }) => {
    manager.getTableConfig(realtimeTable(request.params.name, request.query));
    return [brokerInstance(app, request)];
  };
  app.get<{ Params: NameParams; Querystring: TypeQuery }>('/v2/brokers/tables/:name', async (request) => brokers(request));
  app.get<{ Params: NameParams; Querystring: TypeQuery }>('/brokers/tables/:name', async (request) => brokers(request).map((b) => b.instanceName));
};
