import { join } from 'node:path';
import type { FastifyPluginAsync } from 'fastify';
import { rawTableName } from '../../config/table-config-validation.js';
import { readDeadLetters } from '../../ingest/dead-letter.js';
import type { TableManager } from '../../table/table-manager.js';

const DEFAULT_LIMIT = 100;
const MAX_LIMIT = 10_000;

/**
 * `GET /tables/{name}/deadLetters?limit=N&shardId=S` — the table's dead-lettered records (errorPolicy
 * `deadLetter`), the most recent `limit` (default 100, at most 10 000), oldest first, with the
 * total count. 404 for an unknown table; 400 for a bad limit.
 */
export const deadLetterRoutes: FastifyPluginAsync<{ manager: TableManager }> = async (app, { manager }) => {
  app.get<{ Params: { name: string }; Querystring: { limit?: string; shardId?: string } }>('/tables/:name/deadLetters', async (request, reply) => {
    const tableName = rawTableName(request.params.name);
    manager.getTableConfig(tableName);
    const text = request.query.limit;
    const limit = text === undefined ? DEFAULT_LIMIT : Number(text);
    if (!Number.isInteger(limit) || limit < 0 || limit > MAX_LIMIT) {
      return reply.code(400).send({ code: 400, error: `limit: must be a whole number from 0 to ${MAX_LIMIT}, got ${JSON.stringify(text)}` });
    }
    const shardId = request.query.shardId;
    const { total, entries } = await readDeadLetters(join(manager.dataDir, tableName), { limit, ...(shardId !== undefined ? { shardId } : {}) });
    return { tableName, total, count: entries.length, deadLetters: entries };
  });
};
