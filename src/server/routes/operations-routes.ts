import type { FastifyPluginAsync } from 'fastify';
import { ShardtableError } from '../../errors.js';
import type { TableManager } from '../../table/table-manager.js';
import { ForceCommitJobs } from '../force-commit-jobs.js';
import { realtimeTable, withType } from '../table-type.js';
import type { TypeQuery } from '../table-type.js';

interface NameParams {
  name: string;
}

/**
 * Table operations on Pinot's controller paths:
 * - `POST /tables/{name}/forceCommit`: seal every non-empty consuming segment now (through each
 *   partition's sealer, asynchronously); answers Pinot's `{forceCommitStatus, jobMetaZKWriteStatus,
 *   forceCommitJobId}`. `GET /tables/forceCommitStatus/{jobId}` (also `/forceCommitStatus/{jobId}`)
 *   tells which of the job's segments are not committed yet.
 * - `GET /tables/{name}/state` → `{"state": "enabled"|"disabled"}`; `PUT /tables/{name}/state?state=enable|disable`.
 */
export const operationsRoutes: FastifyPluginAsync<{ manager: TableManager }> = async (app, { manager }) => {
  const jobs = new ForceCommitJobs();

  app.post<{ Params: NameParams; Querystring: TypeQuery }>('/tables/:name/forceCommit', async (request) => {
    const tableName = realtimeTable(request.params.name, request.query);
    const runtime = manager.runtimeOf(tableName);
    if (!runtime.forceCommit) throw new ShardtableError('INTERNAL', { detail: `table ${tableName} cannot force commit` });
    const segments = runtime.forceCommit();
    const jobId = jobs.add(withType(tableName), segments);
    request.log.info({ table: tableName, jobId, segments }, 'force commit requested');
    return { forceCommitStatus: 'SUCCESS', jobMetaZKWriteStatus: 'SUCCESS', forceCommitJobId: jobId };
  });

  const status = async (request: { params: { jobId: string } }): Promise<Record<string, unknown>> =>
    jobs.status(request.params.jobId, (table, segment) => {
      const runtime = manager.hasTable(table) && !manager.isDisabled(table) ? manager.getRuntime(table) : undefined;
      return runtime?.segmentMetadata(segment) !== undefined;
    });
  app.get<{ Params: { jobId: string } }>('/tables/forceCommitStatus/:jobId', status);
  app.get<{ Params: { jobId: string } }>('/forceCommitStatus/:jobId', status);

  app.get<{ Params: NameParams; Querystring: TypeQuery }>('/tables/:name/state', async (request) => {
    const tableName = realtimeTable(request.params.name, request.query);
    return { state: manager.isDisabled(tableName) ? 'disabled' : 'enabled' };
  });

  app.put<{ Params: NameParams; Querystring: TypeQuery & { state?: string } }>('/tables/:name/state', async (request) => {
    const tableName = realtimeTable(request.params.name, request.query);
    const state = request.query.state ?? '';
    const enable = state.toLowerCase() === 'enable';
    if (!enable && state.toLowerCase() !== 'disable') {
      throw new ShardtableError('BAD_REQUEST', { detail: `Unknown state '${state}'; use state=enable or state=disable` });
    }
    await manager.setEnabled(tableName, enable);
    return { status: `Request to ${state} table '${withType(tableName)}' is successful` };
  });
};
