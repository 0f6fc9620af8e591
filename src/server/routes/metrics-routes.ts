import type { FastifyPluginAsync } from 'fastify';
import { createMetricsRegistry } from '../../metrics/metrics-registry.js';
import type { TableManager } from '../../table/table-manager.js';

/** `GET /metrics`: Prometheus text format (per-shard consumption, lag, errors, segments, data loss). */
export const metricsRoutes: FastifyPluginAsync<{ manager: TableManager }> = async (app, { manager }) => {
  const registry = createMetricsRegistry(manager);
  app.get('/metrics', async (_request, reply) => {
    const text = await registry.metrics();
    return reply.type(registry.contentType).send(text);
  });
};
