import type { FastifyPluginAsync } from 'fastify';
import { ShardtableError } from '../../errors.js';
import { ingestFile, parseBatchConfig } from '../../table/file-ingestion.js';
import type { TableManager } from '../../table/table-manager.js';
import { firstMultipartPart } from '../body-parsers.js';
import { realtimeTable, withType } from '../table-type.js';

interface IngestQuery {
  tableNameWithType?: string;
  /** Older Pinot releases named the parameter `tableName`. */
  tableName?: string;
  batchConfigMapStr?: string;
}

/**
 * `POST /ingestFromFile?tableNameWithType=dims_REALTIME&batchConfigMapStr={"inputFormat":"csv"}`,
 * Pinot's controller endpoint: the file (the request body, or the first part of a
 * `multipart/form-data` upload as `curl -F file=@dims.csv` sends it) is read as CSV or JSON and
 * its rows are written to the table's stream (`table/file-ingestion.ts`); they are queryable
 * once the table consumes them. A `_OFFLINE` name is a 404, as for every table here.
 */
export const ingestFileRoutes: FastifyPluginAsync<{ manager: TableManager }> = async (app, { manager }) => {
  // This route reads the body as bytes whatever its type (these parsers apply to this plugin only).
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));

  app.post<{ Querystring: IngestQuery }>('/ingestFromFile', async (request) => {
    const name = request.query.tableNameWithType ?? request.query.tableName;
    if (name === undefined || name === '') throw new ShardtableError('BAD_REQUEST', { detail: 'tableNameWithType is required, e.g. ?tableNameWithType=dims_REALTIME' });
    const type = /_OFFLINE$/i.test(name) ? 'offline' : undefined;
    const tableName = realtimeTable(name.replace(/_(OFFLINE|REALTIME)$/i, ''), type === undefined ? {} : { type });
    const config = parseBatchConfig(request.query.batchConfigMapStr);
    const body = request.body instanceof Buffer ? request.body : Buffer.alloc(0);
    const contentType = String(request.headers['content-type'] ?? '');
    const text = /^multipart\/form-data/i.test(contentType) ? firstMultipartPart(body, contentType) : body.toString('utf8');
    if (text === undefined || text.trim() === '') throw new ShardtableError('BAD_REQUEST', { detail: 'the request carries no file: send it as the body or as a multipart/form-data part' });
    const { records, stream } = await ingestFile(manager.resolvedTable(tableName), text, config);
    request.log.info({ table: tableName, records, stream }, 'file ingested into the stream');
    return { status: `Successfully ingested file into table: ${withType(tableName)}: ${records} records written to stream ${stream}; they are queryable once the table consumes them` };
  });
};
