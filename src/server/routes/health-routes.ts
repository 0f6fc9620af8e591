import type { FastifyPluginAsync } from 'fastify';

/** `GET /health`: `OK` as text, as Pinot's controller answers (scripts grep for it). */
export const healthRoutes: FastifyPluginAsync = async (app) => {
  app.get('/health', async (_request, reply) => reply.type('text/plain; charset=utf-8').send('OK'));
};
