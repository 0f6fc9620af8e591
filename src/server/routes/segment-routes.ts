import type { FastifyPluginAsync } from 'fastify';
import type { TableManager } from '../../table/table-manager.js';

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

/** `GET /tables/{name}/segments`, `GET /segments/{table}`, `GET /segments/{table}/{segment}/metadata`. */
export const segmentRoutes: FastifyPluginAsync<{ manager: TableManager }> = async (app, { manager }) => {
  app.get<{ Params: TableParams }>('/tables/:name/segments', async (request) => segmentList(manager, request.params.name));

  app.get<{ Params: TableParams }>('/segments/:name', async (request) => segmentList(manager, request.params.name));

  app.get<{ Params: { table: string; segment: string } }>('/segments/:table/:segment/metadata', async (request) =>
    manager.segmentMetadata(request.params.table, request.params.segment),
  );
};
