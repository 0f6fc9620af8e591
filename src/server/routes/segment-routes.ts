import { randomUUID } from 'node:crypto';
import type { FastifyPluginAsync } from 'fastify';
import type { TableManager } from '../../table/table-manager.js';
import { rawTableName } from '../../config/table-config-validation.js';
import { ShardtableError } from '../../errors.js';
import type { ClusterAttachment } from '../cluster-attachment.js';
import { ClusterSegmentViews } from '../cluster-segment-views.js';
import { realtimeTable, withType } from '../table-type.js';
import type { TypeQuery } from '../table-type.js';

interface TableParams {
  name: string;
}

/**
 * Segment names in Pinot 1.x's shape `[{"REALTIME": [...]}]`: sealed segments, then the
 * consuming ones (Pinot lists its IN_PROGRESS segments too).
 */
function segmentList(manager: TableManager, name: string): [{ REALTIME: string[] }] {
  const sealed = manager.segments(name).map((s) => s.segmentName);
  const seen = new Set(sealed);
  const consuming = manager
    .partitions(name)
    .flatMap((p) => (p.consumingSegmentName !== null && !seen.has(p.consumingSegmentName) ? [p.consumingSegmentName] : []));
  return [{ REALTIME: [...sealed, ...consuming] }];
}

/**
 * `GET /tables/{name}/segments`, `GET /segments/{table}`, `GET /segments/{table}/metadata` (every
 * sealed segment's summary by name), `GET /segments/{table}/{segment}/metadata`,
 * `DELETE /segments/{table}/{segment}` (a sealed segment, for good: Pinot's `Segment deleted`),
 * `DELETE /segments/{table}` (every sealed segment) and `POST /segments/{table}/delete` (a JSON
 * array of names; all checked before any is deleted),
 * `POST /segments/{table}/reload` (re-reads the sealed segments from disk, at once; Pinot's answer
 * with a job id, plus what was reloaded and what failed), `GET /segments/{table}/servers` (Pinot's
 * server → segments map).
 *
 * With `--cluster` the reads answer for the whole cluster (`ClusterSegmentViews`): every committed
 * segment and every live server's consuming ones, the metadata with each segment's `servers`.
 */
export const segmentRoutes: FastifyPluginAsync<{ manager: TableManager; cluster?: ClusterAttachment; serverName?: string }> = async (app, { manager, cluster, serverName }) => {
  const views = (): ClusterSegmentViews | null => (cluster?.controller ? new ClusterSegmentViews(cluster.controller, manager) : null);
  const list = async (name: string): Promise<[{ REALTIME: string[] }]> => (await views()?.names(rawTableName(name))) ?? segmentList(manager, name);
  app.get<{ Params: TableParams }>('/tables/:name/segments', async (request) => list(request.params.name));

  app.get<{ Params: TableParams }>('/segments/:name', async (request) => list(request.params.name));

  // Pinot's server → segments map (its newer answer carries the counts too).
  app.get<{ Params: TableParams; Querystring: TypeQuery }>('/segments/:name/servers', async (request) => {
    const tableName = realtimeTable(request.params.name, request.query);
    const cluster = views();
    if (cluster !== null) return cluster.servers(tableName);
    const names = segmentList(manager, tableName)[0].REALTIME;
    const server = serverName ?? 'Server_localhost';
    return [{ tableName: withType(tableName), serverToSegmentsMap: { [server]: names }, serverToSegmentsCountMap: { [server]: names.length } }];
  });

  // Pinot's "metadata of every segment of a table": segment name → its summary (sizes, rows, time range).
  app.get<{ Params: TableParams }>('/segments/:name/metadata', async (request) =>
    (await views()?.metadataByName(rawTableName(request.params.name))) ?? Object.fromEntries(manager.segments(request.params.name).map((s) => [s.segmentName, s])),
  );

  app.get<{ Params: { table: string; segment: string } }>('/segments/:table/:segment/metadata', async (request) =>
    (await views()?.metadata(rawTableName(request.params.table), request.params.segment)) ?? manager.segmentMetadata(request.params.table, request.params.segment),
  );

  app.delete<{ Params: { table: string; segment: string }; Querystring: TypeQuery }>('/segments/:table/:segment', async (request) => {
    await manager.deleteSegment(realtimeTable(request.params.table, request.query), request.params.segment);
    return { status: 'Segment deleted' };
  });

  // Pinot's deleteAllSegments: every sealed segment of the table (consuming segments keep consuming).
  app.delete<{ Params: TableParams; Querystring: TypeQuery }>('/segments/:name', async (request) => {
    const tableName = realtimeTable(request.params.name, request.query);
    const deleted = await manager.deleteSegments(tableName, null);
    return { status: `All segments of table ${withType(tableName)} deleted`, deleted };
  });

  // Pinot's deleteSegments: a JSON array of segment names in the body.
  app.post<{ Params: TableParams; Querystring: TypeQuery; Body: unknown }>('/segments/:name/delete', async (request) => {
    const tableName = realtimeTable(request.params.name, request.query);
    const body = request.body;
    if (!Array.isArray(body) || body.length === 0 || !body.every((n) => typeof n === 'string' && n !== '')) {
      throw new ShardtableError('BAD_REQUEST', { detail: 'the body must be a non-empty JSON array of segment names' });
    }
    const deleted = await manager.deleteSegments(tableName, body as string[]);
    return { status: `Deleted ${deleted.length} segments from table ${withType(tableName)}`, deleted };
  });

  app.post<{ Params: TableParams; Querystring: TypeQuery }>('/segments/:name/reload', async (request) => {
    const tableName = realtimeTable(request.params.name, request.query);
    const report = await manager.reloadSegments(tableName);
    const job = { numMessagesSent: String(report.reloaded.length), reloadJobId: randomUUID(), reloadJobMetaZKStorageStatus: 'SUCCESS' };
    return { status: JSON.stringify({ [withType(tableName)]: job }), reloaded: report.reloaded, reindexed: report.reindexed, failed: report.failed };
  });
};
