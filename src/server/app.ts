import { hostname } from 'node:os';
import Fastify from 'fastify';
import type { FastifyBaseLogger, FastifyError, FastifyInstance, FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from '../logger.js';
import { closeSharedQueryPool } from '../query/index.js';
import { closeSealWorker } from '../segment/index.js';
import type { TableManager } from '../table/table-manager.js';
import { registerBodyParsers } from './body-parsers.js';
import type { ClusterAttachment } from './cluster-attachment.js';
import { clusterRoutes } from './routes/cluster-routes.js';
import { capConnections, pinotClientErrorHandler } from './client-errors.js';
import { registerErrorHandlers, replyWithError } from './error-handler.js';
import { fastifyLimitOptions, resolveHttpLimits } from './http-limits.js';
import type { HttpLimits } from './http-limits.js';
import { consoleRoutes } from './routes/console-routes.js';
import { consumptionRoutes } from './routes/consumption-routes.js';
import { deadLetterRoutes } from './routes/dead-letter-routes.js';
import { healthRoutes } from './routes/health-routes.js';
import { queryRoutes } from './routes/query-routes.js';
import { metricsRoutes } from './routes/metrics-routes.js';
import { operationsRoutes } from './routes/operations-routes.js';
import { ingestFileRoutes } from './routes/ingest-file-routes.js';
import { tableConfigsRoutes } from './routes/table-configs-routes.js';
import { tableViewRoutes } from './routes/table-view-routes.js';
import { schemaRoutes } from './routes/schema-routes.js';
import { segmentRoutes } from './routes/segment-routes.js';
import { tableRoutes } from './routes/table-routes.js';

export { DEFAULT_BODY_LIMIT } from './http-limits.js';

export interface BuildAppOptions {
  readonly manager: TableManager;
  /** pino logger shared with the rest of the server; none = no request logs. */
  readonly logger?: Logger;
  /** Largest accepted request body in bytes (413 above it); wins over `limits.bodyLimit`. */
  readonly bodyLimit?: number;
  /** Timeouts and the connection cap (defaults in `DEFAULT_HTTP_LIMITS`). */
  readonly limits?: Partial<HttpLimits>;
  /** Close the manager (stop every table) when the app closes. Default true. */
  readonly closeManager?: boolean;
  /** `serverName` in Pinot-shaped status answers. Default `Server_<hostname>`. */
  readonly serverName?: string;
  /** More route plugins (query, brokers, metrics), registered after the controller routes. */
  readonly routes?: readonly FastifyPluginAsync<{ manager: TableManager }>[];
  /** The cluster member once started (`serve --cluster`): `/query/sql` then scatters, `/internal/cluster/` answers. */
  readonly cluster?: ClusterAttachment;
  /** Folder of the web console bundle served at `/`. Default `dist/console/` of the package. */
  readonly consoleAssetsDir?: string;
}

/**
 * The HTTP API on Pinot's controller paths. Every error is Pinot's `{"code", "error"}` through
 * one handler — including those Node's HTTP parser raises before fastify routes a request (408,
 * 431); slow and idle clients are cut and connections capped (`HttpLimits`); responses never
 * carry secrets; `app.close()` stops every table (unless `closeManager: false`).
 *
 * @example
 *   const app = buildApp({ manager, logger });
 *   await app.listen({ port: 9000, host: '127.0.0.1' });
 */
export function buildApp(options: BuildAppOptions): FastifyInstance {
  const limits = resolveHttpLimits({ ...options.limits, ...(options.bodyLimit !== undefined ? { bodyLimit: options.bodyLimit } : {}) });
  const { bodyLimit } = limits;
  const { manager } = options;
  const errorOptions = { bodyLimit, secrets: () => manager.knownSecrets() };
  const fastifyOptions = {
    ...fastifyLimitOptions(limits),
    clientErrorHandler: pinotClientErrorHandler(limits, () => app.log),
    // Bad percent-encoding and over-long path parameters skip the error handler: same answer.
    frameworkErrors: (error: FastifyError, request: FastifyRequest, reply: FastifyReply) => replyWithError(error, request, reply, errorOptions),
  };
  const app = (
    options.logger ? Fastify({ ...fastifyOptions, loggerInstance: options.logger as FastifyBaseLogger }) : Fastify({ ...fastifyOptions, logger: false })
  ) as FastifyInstance;
  capConnections(app.server, limits, () => app.log);
  const serverName = options.serverName ?? `Server_${hostname()}`;

  registerBodyParsers(app);
  registerErrorHandlers(app, errorOptions);

  void app.register(healthRoutes, { manager });
  void app.register(schemaRoutes, { manager });
  void app.register(tableRoutes, { manager });
  const cluster = options.cluster ?? { node: null };
  void app.register(segmentRoutes, { manager, cluster, serverName });
  void app.register(consumptionRoutes, { manager, serverName, cluster });
  void app.register(deadLetterRoutes, { manager });
  void app.register(operationsRoutes, { manager });
  void app.register(ingestFileRoutes, { manager });
  void app.register(tableViewRoutes, { manager, serverName });
  void app.register(tableConfigsRoutes, { manager });
  void app.register(queryRoutes, { manager, cluster });
  void app.register(clusterRoutes, { manager, cluster, serverName });
  void app.register(metricsRoutes, { manager });
  for (const routes of options.routes ?? []) void app.register(routes, { manager });
  void app.register(consoleRoutes, options.consoleAssetsDir !== undefined ? { assetsDir: options.consoleAssetsDir } : {});

  if (options.closeManager !== false) {
    app.addHook('onClose', async () => {
      await manager.close();
      // Every table stopped, so no seal is running: end the seal worker thread (a later seal in
      // this process starts a new one).
      await closeSealWorker();
      // No query runs any more: end the query worker threads (a later query starts new ones).
      await closeSharedQueryPool();
    });
  }
  return app;
}
