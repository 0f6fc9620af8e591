import type { FastifyPluginAsync } from 'fastify';
import { rawTableName } from '../../config/table-config-validation.js';
import { ShardtableError } from '../../errors.js';
import { defaultPauseComment } from '../../table/pause-state.js';
import { consumeFromTarget, parseRewindTarget } from '../../table/table-rewind-op.js';
import type { TableManager } from '../../table/table-manager.js';
import type { ClusterAttachment } from '../cluster-attachment.js';
import { clusterConsumingSegmentsInfo } from '../cluster-consuming-info.js';
import { consumingSegmentsInfo } from '../consuming-segments-info.js';
import type { ConsumingSegmentsInfoResponse } from '../consuming-segments-info.js';

interface NameParams {
  name: string;
}

interface CommentQuery {
  comment?: string;
}

// Pinot's texts (PinotLLCRealtimeSegmentManager.pauseConsumption / resumeConsumption) when the caller gives no comment.
const PAUSED = 'Pause flag is set. Consuming segments are being committed. Use /pauseStatus endpoint in a few moments to check if all consuming segments have been committed.';
const RESUMED = 'Pause flag is cleared. Consuming segments are being created. Use /pauseStatus endpoint in a few moments to double check.';

/**
 * `GET /tables/{name}/consumingSegmentsInfo`, `POST /tables/{name}/pauseConsumption[?comment=]`,
 * `POST /tables/{name}/resumeConsumption[?comment=]`, `GET /tables/{name}/pauseStatus`; with
 * `--cluster`, `consumingSegmentsInfo` answers for every live server and names each shard's lease
 * holder, and `GET /internal/cluster/tables/{name}/consumingSegmentsInfo` is a server's own part.
 *
 * Pause and resume answer Pinot's `PauseStatusDetails` (`pauseFlag`, `consumingSegments`,
 * `reasonCode`, `comment`, `timestamp`), plus `description` (the same text, as Pinot's older
 * `PauseStatus` had it). Pausing force-commits the consuming segments, as Pinot does; while
 * paused, `pauseStatus` lists as consuming only the segments whose rows are not sealed yet, so it
 * empties once the commits are done (Pinot: no consuming segment in the ideal state).
 */
export const consumptionRoutes: FastifyPluginAsync<{ manager: TableManager; serverName: string; cluster?: ClusterAttachment }> = async (app, { manager, serverName, cluster }) => {
  const local = (name: string): ConsumingSegmentsInfoResponse =>
    consumingSegmentsInfo(manager.partitions(name), { serverName, secrets: manager.knownSecrets(), table: manager.tableStatus(name) });
  // With --cluster: every live server's consuming segments and each shard's lease holder (docs/cluster.md).
  app.get<{ Params: NameParams }>('/tables/:name/consumingSegmentsInfo', async (request) => {
    const controller = cluster?.controller;
    const name = rawTableName(request.params.name);
    return controller ? clusterConsumingSegmentsInfo(controller, name, () => local(name)) : local(name);
  });
  // This server's own answer, for the server answering the request above.
  app.get<{ Params: NameParams }>('/internal/cluster/tables/:name/consumingSegmentsInfo', async (request) => {
    if (!cluster?.controller) throw new ShardtableError('NOT_FOUND', { method: 'GET', url: `${request.url} (this server runs without --cluster)` });
    return local(rawTableName(request.params.name));
  });

  app.post<{ Params: NameParams; Querystring: CommentQuery }>('/tables/:name/pauseConsumption', async (request) => {
    const { segmentsForceCommitted, ...result } = await manager.pause(request.params.name, { comment: request.query.comment ?? null });
    const comment = result.comment ?? PAUSED;
    return { ...result, comment, description: comment, shardtableSegmentsForceCommitted: segmentsForceCommitted ?? [] };
  });

  app.post<{ Params: NameParams; Querystring: CommentQuery & { consumeFrom?: string } }>('/tables/:name/resumeConsumption', async (request) => {
    // Pinot's consumeFrom: smallest = from the oldest record the stream holds, largest = from the
    // newest. Here both are a rewind (docs/ingestion.md, "Rewind"): smallest replaces the rows the
    // stream still holds instead of adding a second copy; largest skips what arrived before now.
    const { consumeFrom } = request.query;
    const target = consumeFrom === undefined ? undefined : consumeFromTarget(consumeFrom, Date.now());
    const result = await manager.resume(request.params.name, { comment: request.query.comment ?? null, ...(target ? { consumeFrom: target } : {}) });
    const comment = result.comment ?? RESUMED;
    return { ...result, comment, description: comment };
  });

  // Not in Pinot: rewind a running table to a time or to TRIM_HORIZON, replacing the rows after it.
  app.post<{ Params: NameParams; Querystring: { to?: string } }>('/tables/:name/rewind', async (request) => {
    const target = parseRewindTarget(request.query.to, Date.now());
    const result = await manager.rewind(request.params.name, target);
    const replaced = result.partitions.reduce((n, p) => n + p.replaces.length, 0);
    return {
      tableName: rawTableName(request.params.name),
      ...result,
      description:
        result.note ??
        `Rewinding to ${result.target}: ${result.partitions.length} partition(s) replay the stream; ${replaced} sealed segment(s) are replaced as their replacements seal. Progress: GET /tables/${rawTableName(request.params.name)}/consumingSegmentsInfo (shardtableTable.rewind).`,
    };
  });

  // Not in Pinot: a table whose stream was deleted and created again moves onto the new one.
  app.post<{ Params: NameParams; Querystring: { consumeFrom?: string } }>('/tables/:name/resetStream', async (request) => {
    const consumeFrom = request.query.consumeFrom ?? 'smallest';
    if (consumeFrom !== 'smallest' && consumeFrom !== 'largest') throw new ShardtableError('CONSUME_FROM', { value: JSON.stringify(consumeFrom) });
    const result = await manager.resetStream(request.params.name, consumeFrom);
    return {
      ...result,
      description: `Stream reset: the old stream's segments of partitions ${result.partitionsRetired.join(', ') || '(none)'} are retired; reading ${result.streams.map((s) => s.current.id).join(', ')} from ${consumeFrom === 'smallest' ? 'its oldest' : 'its newest'} record.`,
    };
  });

  app.get<{ Params: NameParams }>('/tables/:name/pauseStatus', async (request) => {
    const name = rawTableName(request.params.name);
    const { state, error, ingestion } = manager.tableState(name);
    const paused = state === 'PAUSED';
    const running = state === 'RUNNING' || paused;
    const consuming = running ? manager.partitions(name).filter((p) => p.consumingSegmentName !== null && (!paused || p.rowsInConsumingSegment > 0)) : [];
    const pause = manager.pauseState(name);
    return {
      pauseFlag: paused,
      consumingSegments: consuming.map((p) => p.consumingSegmentName!),
      reasonCode: pause?.reasonCode ?? 'ADMINISTRATIVE',
      comment: pause?.comment ?? defaultPauseComment(paused),
      timestamp: pause?.timestamp ?? '',
      state,
      ...(ingestion ? { ingestion: ingestion.state } : {}),
      ...(error ? { error } : {}),
    };
  });
};
