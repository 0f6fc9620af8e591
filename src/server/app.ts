import { hostname } from 'node:os';
import Fastify from 'fastify';
import type { FastifyBaseLogger, FastifyInstance, FastifyPluginAsync } from 'fastify';
import type { Logger } from '../logger.js';
import { closeSealWorker } from '../segment/index.js';
import type { TableManager } from '../table/table-manager.js';
import { registerBodyParsers } from './body-parsers.js';
import { registerErrorHandlers } from './error-handler.js';
import { consumptionRoutes } from './routes/consumption-routes.js';
import { deadLetterRoutes } from './routes/dead-letter-routes.js';
import { healthRoutes } from './routes/health-routes.js';
import { queryRoutes } from './routes/query-routes.js';
import { metricsRoutes } from './routes/metrics-routes.js';
import { schemaRoutes } from './routes/schema-routes.js';
import { segmentRoutes } from './routes/segment-routes.js';
import { tableRoutes } from './routes/table-routes.js';

/** Default request body limit: 10 MiB (a table config is a few KB). */
export const DEFAULT_BODY_LIMIT = 10 * 1024 * 1024;

export interface BuildAppOptions {
  readonly manager: TableManager;
  /** pino logger shared with the rest of the server; none = no request logs. */
  readonly logger?: Logger;
  /** Largest accepted request body in bytes (413 above it). */
  readonly bodyLimit?: number;
  /** Close the manager (stop every table) when the app closes. Default true. */
  readonly closeManager?: boolean;
  /** `serverName` in Pinot-shaped status answers. Default `Server_<hostname>`. */
  readonly serverName?: string;
  /** More route plugins (query, brokers, metrics), registered after the controller routes. */
  readonly routes?: readonly FastifyPluginAsync<{ manager: TableManager }>[];
}

/**
 * The HTTP API on Pinot's controller paths. Every error is Pinot's `{"code", "error"}` through
 * one handler; responses never carry secrets; `app.close()` stops every table (unless
 * `closeManager: false`).
 *
 * @example
 *   const app = buildApp({ manager, logger });
 *   await app.listen({ port: 9000, host: '127.0.0.1' });
 */
export function buildApp(options: BuildAppOptions): FastifyInstance {
  const bodyLimit = options.bodyLimit ?? DEFAULT_BODY_LIMIT;
  const app = (
    options.logger ? Fastify({ loggerInstance: options.logger as FastifyBaseLogger, bodyLimit }) : Fastify({ logger: false, bodyLimit })
  ) as FastifyInstance;
  const { manager } = options;
  const serverName = options.serverName ?? `Server_${hostname()}`;

  registerBodyParsers(app);
  registerErrorHandlers(app, { bodyLimit, secrets: () => manager.knownSecrets() });

  void app.register(healthRoutes, { manager });
  void app.register(schemaRoutes, { manager });
  void app.register(tableRoutes, { manager });
  void app.register(segmentRoutes, { manager });
  void app.register(consumptionRoutes, { manager, serverName });
  void app.register(deadLetterRoutes, { manager });
  void app.register(queryRoutes, { manager });
  void app.register(metricsRoutes, { manager });
  for (const routes of options.routes ?? []) void app.register(routes, { manager });

  if (options.closeManager !== false) {
    app.addHook('onClose', async () => {
      await manager.close();
      // Every table stopped, so no seal is running: end the seal worker thread (a later seal in
      // this process starts a new one).
      await closeSealWorker();
    });
  }
  return app;
}
