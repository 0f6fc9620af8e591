import type { FastifyPluginAsync } from 'fastify';
import type { TableManager } from '../../table/table-manager.js';

/**
 * `GET /health`: `OK` as text, as Pinot's controller answers (scripts grep for it), once the
 * server's tables have loaded their sealed segments; `503 STARTING` while they load at server
 * start (never while waiting on a stream: no start does). `GET /health/liveness` answers `OK` as
 * soon as the server listens.
 */
export const healthRoutes: FastifyPluginAsync<{ manager: TableManager }> = async (app, { manager }) => {
  app.get('/health', async (_request, reply) => {
    const text = manager.starting ? 'STARTING: loading tables' : 'OK';
    return reply.status(manager.starting ? 503 : 200).type('text/plain; charset=utf-8').send(text);
  });
  app.get('/health/liveness', async (_request, reply) => reply.type('text/plain; charset=utf-8').send('OK'));
};
