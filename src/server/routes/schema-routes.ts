import type { FastifyPluginAsync } from 'fastify';
import type { TableManager } from '../../table/table-manager.js';
import { requireBody } from '../body-parsers.js';

/** Pinot's `{unrecognizedProperties, status}` answer to a config upload. */
export interface PinotConfigResponse {
  readonly unrecognizedProperties: Record<string, unknown>;
  readonly status: string;
}

interface NameParams {
  name: string;
}

/**
 * `POST /schemas` (`?override=true` replaces an unused schema), `GET /schemas`,
 * `GET /schemas/{name}`, `PUT /schemas/{name}`, `DELETE /schemas/{name}`.
 */
export const schemaRoutes: FastifyPluginAsync<{ manager: TableManager }> = async (app, { manager }) => {
  app.post<{ Querystring: { override?: string } }>('/schemas', async (request): Promise<PinotConfigResponse> => {
    const schema = await manager.addSchema(requireBody(request.body), { override: request.query.override === 'true' });
    return { unrecognizedProperties: {}, status: `${schema.schemaName} successfully added` };
  });

  app.get('/schemas', async () => manager.listSchemas());

  app.get<{ Params: NameParams }>('/schemas/:name', async (request) => manager.getSchema(request.params.name));

  app.put<{ Params: NameParams }>('/schemas/:name', async (request): Promise<PinotConfigResponse> => {
    const schema = await manager.updateSchema(request.params.name, requireBody(request.body));
    return { unrecognizedProperties: {}, status: `${schema.schemaName} successfully added` };
  });

  app.delete<{ Params: NameParams }>('/schemas/:name', async (request) => {
    await manager.deleteSchema(request.params.name);
    return { status: `Schema ${request.params.name} deleted` };
  });
};
