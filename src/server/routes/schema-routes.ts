import type { FastifyPluginAsync } from 'fastify';
import { validateSchema } from '../../config/schema-validation.js';
import { unrecognizedSchemaProperties } from '../../config/unrecognized-properties.js';
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
 * `POST /schemas` (`?override=false` refuses an existing name; Pinot's default `true` replaces it),
 * `GET /schemas`, `GET /schemas/{name}`, `PUT /schemas/{name}`, `DELETE /schemas/{name}`,
 * `POST /schemas/validate`. A schema a table uses can only be re-sent unchanged (409 otherwise).
 * Upload answers list the keys Pinot does not know in `unrecognizedProperties`.
 */
export const schemaRoutes: FastifyPluginAsync<{ manager: TableManager }> = async (app, { manager }) => {
  app.post<{ Querystring: { override?: string } }>('/schemas', async (request): Promise<PinotConfigResponse> => {
    const body = requireBody(request.body);
    const override = request.query.override?.toLowerCase() !== 'false';
    const schema = await manager.addSchema(body, { override });
    return { unrecognizedProperties: unrecognizedSchemaProperties(body), status: `${schema.schemaName} successfully added` };
  });

  app.post('/schemas/validate', async (request) => {
    const body = requireBody(request.body);
    return { ...validateSchema(body), unrecognizedProperties: unrecognizedSchemaProperties(body) };
  });

  app.get('/schemas', async () => manager.listSchemas());

  app.get<{ Params: NameParams }>('/schemas/:name', async (request) => manager.getSchema(request.params.name));

  app.put<{ Params: NameParams }>('/schemas/:name', async (request): Promise<PinotConfigResponse> => {
    const body = requireBody(request.body);
    const schema = await manager.updateSchema(request.params.name, body);
    return { unrecognizedProperties: unrecognizedSchemaProperties(body), status: `${schema.schemaName} successfully added` };
  });

  app.delete<{ Params: NameParams }>('/schemas/:name', async (request) => {
    await manager.deleteSchema(request.params.name);
    return { status: `Schema ${request.params.name} deleted` };
  });
};
