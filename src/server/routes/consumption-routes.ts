import type { FastifyPluginAsync } from 'fastify';
import { rawTableName } from '../../config/table-config-validation.js';
import { ShardtableError } from '../../errors.js';
import type { TableManager } from '../../table/table-manager.js';
import { consumingSegmentsInfo } from '../consuming-segments-info.js';

interface NameParams {
  name: string;
}

const PAUSED = 'Pause flag is set. Consuming segments are stopped; their rows are kept and served. Use /resumeConsumption to continue.';
const RESUMED = 'Pause flag is cleared. Consuming segments are consuming again.';

/**
 * `GET /tables/{name}/consumingSegmentsInfo`, `POST /tables/{name}/pauseConsumption`,
 * `POST /tables/{name}/resumeConsumption`, `GET /tables/{name}/pauseStatus`.
 */
export const consumptionRoutes: FastifyPluginAsync<{ manager: TableManager; serverName: string }> = async (app, { manager, serverName }) => {
  app.get<{ Params: NameParams }>('/tables/:name/consumingSegmentsInfo', async (request) =>
    consumingSegmentsInfo(manager.partitions(request.params.name), {
      serverName,
      secrets: manager.knownSecrets(),
      table: manager.tableStatus(request.params.name),
    }),
  );

  app.post<{ Params: NameParams }>('/tables/:name/pauseConsumption', async (request) => {
    const result = await manager.pause(request.params.name);
    return { ...result, description: PAUSED };
  });

  app.post<{ Params: NameParams; Querystring: { consumeFrom?: string } }>('/tables/:name/resumeConsumption', async (request) => {
    // Pinot's consumeFrom restarts partitions at the stream's oldest or newest record: in an append
    // table that adds a second copy of rows (smallest) or skips records (largest) without saying
    // so. Refused until a rewind that replaces rows exists (issue 20, item 3), rather than ignored.
    const { consumeFrom } = request.query;
    if (consumeFrom !== undefined && consumeFrom !== '') {
      throw new ShardtableError('BAD_REQUEST', {
        detail: `consumeFrom=${consumeFrom} is not supported: shardtable resumes every partition after its last sealed segment, exactly once. For a stream deleted and created again use POST /tables/${request.params.name}/resetStream?consumeFrom=smallest|largest`,
      });
    }
    const result = await manager.resume(request.params.name);
    return { ...result, description: RESUMED };
  });

  // Not in Pinot: a table whose stream was deleted and created again moves onto the new one.
  app.post<{ Params: NameParams; Querystring: { consumeFrom?: string } }>('/tables/:name/resetStream', async (request) => {
    const consumeFrom = request.query.consumeFrom ?? 'smallest';
    if (consumeFrom !== 'smallest' && consumeFrom !== 'largest') {
      throw new ShardtableError('BAD_REQUEST', { detail: `consumeFrom must be smallest or largest, got ${JSON.stringify(consumeFrom)}` });
    }
    const result = await manager.resetStream(request.params.name, consumeFrom);
    return {
      ...result,
      description: `Stream reset: the old stream's segments of partitions ${result.partitionsRetired.join(', ') || '(none)'} are retired; reading ${result.streams.map((s) => s.current.id).join(', ')} from ${consumeFrom === 'smallest' ? 'its oldest' : 'its newest'} record.`,
    };
  });

  app.get<{ Params: NameParams }>('/tables/:name/pauseStatus', async (request) => {
    const name = rawTableName(request.params.name);
    const { state, error, ingestion } = manager.tableState(name);
    const running = state === 'RUNNING' || state === 'PAUSED';
    const consumingSegments = running ? manager.partitions(name).flatMap((p) => (p.consumingSegmentName ? [p.consumingSegmentName] : [])) : [];
    return { pauseFlag: state === 'PAUSED', consumingSegments, state, ...(ingestion ? { ingestion: ingestion.state } : {}), ...(error ? { error } : {}) };
  });
};
