import { serialize } from 'node:v8';
import type { FastifyPluginAsync } from 'fastify';
import { PARTIAL_CONTENT_TYPE } from '../../cluster/broker/index.js';
import type { ServerRecord } from '../../cluster/broker/index.js';
import { httpStatusOfQueryError, ShardtableError } from '../../errors.js';
import { QueryError, listServedSegments, parsePartialQueryRequest, runPartialQuery } from '../../query/index.js';
import type { TableManager } from '../../table/table-manager.js';
import { brokerInstance } from '../broker-identity.js';
import { instanceNames } from '../instance-names.js';
import type { ClusterAttachment } from '../cluster-attachment.js';
import { managerTableResolver } from './query-routes.js';

/**
 * Cluster endpoints (docs/cluster.md):
 * - `GET /instances`: Pinot's `{"instances": [...]}`, every live server as `Broker_<host>_<port>`
 *   and `Server_<host>_<port>` (alone: this server); `GET /instances/{name}`: one of them with its
 *   `serverId`, URL and heartbeat.
 * - `GET /internal/cluster/tables/{table}/segments` and `POST /internal/cluster/query`: what this
 *   server serves and its partial answer over named segments (`node:v8`-serialised), for brokers.
 *   Only in cluster mode (404 otherwise).
 */
export const clusterRoutes: FastifyPluginAsync<{ manager: TableManager; cluster: ClusterAttachment; serverName: string }> = async (app, { manager, cluster, serverName }) => {
  const liveInstances = (): { name: string; kind: 'broker' | 'server'; record: ServerRecord; host: string; port: number }[] => {
    const out: { name: string; kind: 'broker' | 'server'; record: ServerRecord; host: string; port: number }[] = [];
    for (const record of cluster.node?.liveServers() ?? []) {
      const n = instanceNames(record.url);
      out.push({ name: n.broker, kind: 'broker', record, host: n.host, port: n.port }, { name: n.server, kind: 'server', record, host: n.host, port: n.port });
    }
    return out;
  };
  app.get('/instances', async (request, reply) => {
    const instances = cluster.node === null ? [brokerInstance(app, request).instanceName, serverName] : liveInstances().map((i) => i.name);
    return reply.type('application/json; charset=utf-8').send({ instances });
  });
  app.get<{ Params: { name: string } }>('/instances/:name', async (request, reply) => {
    const found = liveInstances().find((i) => i.name === request.params.name);
    if (found === undefined) throw new ShardtableError('INSTANCE_NOT_FOUND', { name: request.params.name });
    const { record } = found;
    return reply.type('application/json; charset=utf-8').send({
      instanceName: found.name,
      hostName: found.host,
      enabled: true,
      port: String(found.port),
      tags: [found.kind === 'broker' ? 'DefaultTenant_BROKER' : 'DefaultTenant_REALTIME'],
      pools: null,
      serverId: record.serverId,
      url: record.url,
      heartbeatCounter: record.heartbeatCounter,
      startedAtMs: record.startedAtMs,
    });
  });

  const requireCluster = (method: string, url: string): void => {
    if (cluster.node === null) throw new ShardtableError('NOT_FOUND', { method, url: `${url} (this server runs without --cluster)` });
  };
  app.get<{ Params: { table: string } }>('/internal/cluster/tables/:table/segments', async (request, reply) => {
    requireCluster('GET', request.url);
    const segments = listServedSegments(managerTableResolver(manager), request.params.table);
    return reply.type('application/json; charset=utf-8').send({ serverId: cluster.node!.serverId, segments });
  });
  app.post('/internal/cluster/query', async (request, reply) => {
    requireCluster('POST', request.url);
    const body = parsePartialQueryRequest(request.body);
    try {
      const partial = await runPartialQuery(managerTableResolver(manager), body);
      return reply.type(PARTIAL_CONTENT_TYPE).send(serialize(partial));
    } catch (err) {
      if (!(err instanceof QueryError)) throw err;
      const status = httpStatusOfQueryError(err.errorCode);
      return reply.code(status).type('application/json; charset=utf-8').send({ code: status, error: err.message, errorCode: err.errorCode });
    }
  });
};
