/**
 * The one error catalogue. Every error a user can see has a stable name, a stable code and a
 * message template; `docs/errors.md` documents every code (a test checks that none is missing,
 * reused or documented without an entry). There are two kinds of entry:
 *
 * - **Server errors** (`code: 'STnnn'`, `status`): the controller's HTTP answers and the CLI's
 *   failures. Throw with `new ShardtableError('SCHEMA_NOT_FOUND', { name })`.
 * - **Query errors** (`errorCode`, Pinot's `QueryException` code, and `pinotName`): a broker
 *   response lists them in `exceptions: [{errorCode, message}]` and answers HTTP 200, as Pinot's
 *   broker does. The message is `<pinotName>:\n<rendered template>`, Pinot's shape. Throw with
 *   `new QueryError('UNKNOWN_COLUMN', { column, table })`, or `new QueryError('QUERY_EXECUTION',
 *   'detail text')` for the entries whose template is just `{detail}`.
 *
 * Adding an error: add an entry here (codes are never renumbered or reused) and a row in the
 * matching section of `docs/errors.md`. This module imports nothing of ours: every layer may use it.
 */

/** A server error: its `STnnn` code and the HTTP status the controller answers with. */
export interface ServerErrorEntry {
  readonly code: string;
  readonly status: number;
  readonly message: string;
}

/**
 * A query error: Pinot's `errorCode`, the name Pinot puts before the message, and the HTTP status
 * Pinot's broker answers with when the client sends `Pinot-Use-Http-Status-For-Errors: true`
 * (Pinot's `QueryErrorCode`; otherwise every query answer is 200).
 */
export interface QueryErrorEntry {
  readonly errorCode: number;
  readonly pinotName: string;
  readonly httpStatus: number;
  readonly message: string;
}

/** One text for "table exists but nothing serves it": the controller's ST018 and the broker's 410. */
const TABLE_NOT_RUNNING_MESSAGE = 'table {name} is not running: {detail}';

export const ERRORS = {
  // Server errors: an HTTP status, Pinot's controller shape `{code, error}`.
  INVALID_JSON: { code: 'ST001', status: 400, message: 'request body is not valid JSON: {detail}' },
  INVALID_SCHEMA: { code: 'ST002', status: 400, message: 'invalid schema: {detail}' },
  INVALID_TABLE_CONFIG: { code: 'ST003', status: 400, message: 'invalid table config: {detail}' },
  SCHEMA_NOT_FOUND: { code: 'ST004', status: 404, message: 'schema {name} does not exist' },
  TABLE_NOT_FOUND: { code: 'ST005', status: 404, message: 'table {name} does not exist' },
  SCHEMA_EXISTS: { code: 'ST006', status: 409, message: 'schema {name} already exists' },
  TABLE_EXISTS: { code: 'ST007', status: 409, message: 'table {name} already exists' },
  SCHEMA_IN_USE: { code: 'ST008', status: 409, message: 'schema {name} is used by table {table}; delete the table first' },
  SEGMENT_NOT_FOUND: { code: 'ST009', status: 404, message: 'segment {segment} of table {table} does not exist' },
  SEGMENT_CORRUPT: { code: 'ST010', status: 500, message: 'segment file {path} is corrupt: {detail}' },
  SEGMENT_VERSION: { code: 'ST011', status: 500, message: 'segment file {path} has format version {version}; this build reads versions {supported}' },
  NOT_FOUND: { code: 'ST012', status: 404, message: 'no route {method} {url}' },
  INTERNAL: { code: 'ST013', status: 500, message: 'internal error: {detail}' },
  STREAM_CONFIG: { code: 'ST014', status: 400, message: 'invalid stream config: {detail}' },
  STREAM_UNREACHABLE: { code: 'ST015', status: 400, message: 'stream {stream} cannot be read: {detail}' },
  BODY_TOO_LARGE: { code: 'ST016', status: 413, message: 'request body is larger than the limit of {limit} bytes' },
  UNSUPPORTED_MEDIA_TYPE: { code: 'ST017', status: 415, message: 'unsupported content type {contentType}; send application/json' },
  TABLE_NOT_RUNNING: { code: 'ST018', status: 503, message: TABLE_NOT_RUNNING_MESSAGE },
  NAME_MISMATCH: { code: 'ST019', status: 400, message: '{kind} name {body} in the body does not match {path} in the path' },
  BAD_REQUEST: { code: 'ST020', status: 400, message: 'bad request: {detail}' },
  PRODUCE_INPUT: { code: 'ST021', status: 400, message: 'line {line} of {source}: {detail} ({written} records before it were written)' },
  PRODUCE_FAILED: { code: 'ST022', status: 503, message: '{failed} of {total} records could not be written to stream {stream} after {attempts} attempts: {detail}' },
  REQUEST_TIMEOUT: { code: 'ST023', status: 408, message: 'the request was not received in time: headers must arrive within {headersTimeoutMs} ms and the whole request within {requestTimeoutMs} ms' },
  URI_TOO_LONG: { code: 'ST024', status: 414, message: 'a path segment is longer than the limit of {limit} characters: {path}' },
  HEADERS_TOO_LARGE: { code: 'ST025', status: 431, message: 'the request line and headers are larger than the limit of {limit} bytes' },
  STORAGE_FAILED: { code: 'ST026', status: 500, message: 'could not {action} {what}: {reason}' },
  TABLE_DISABLED: { code: 'ST027', status: 409, message: 'table {name} is disabled; PUT /tables/{name}/state?state=enable to serve and consume it again' },
  SEGMENT_CONSUMING: { code: 'ST028', status: 409, message: 'segment {segment} of table {table} is consuming; POST /tables/{table}/forceCommit seals it, then it can be deleted' },
  FORCE_COMMIT_JOB_NOT_FOUND: { code: 'ST029', status: 404, message: 'Failed to find controller job id: {jobId}' },
  SCHEMA_INCOMPATIBLE: {
    code: 'ST036',
    status: 400,
    message:
      'New schema {name} is not backward-compatible with the existing schema, which table {table} uses: {details}. Keep every column with its data type and single/multi-value kind, and the primary key columns; add new columns only',
  },
  STREAM_NOT_RECREATED: { code: 'ST041', status: 409, message: 'every stream of table {table} is the one its checkpoints belong to: {streams}; a reset is only for a stream deleted and created again under the same name' },
  REWIND_TARGET: { code: 'ST060', status: 400, message: 'rewind target {field}={value} is not valid: give epoch millis (e.g. 1767225600000), an ISO-8601 time (2026-01-01T00:00:00Z) or TRIM_HORIZON' },
  REWIND_IN_FUTURE: { code: 'ST061', status: 400, message: 'rewind target {time} is in the future (the server\'s clock says {now}); a table can only be rewound to a time the stream has already passed' },
  REWIND_UNSUPPORTED: { code: 'ST062', status: 400, message: 'table {table} cannot be rewound: {reason}' },
  REWIND_IN_PROGRESS: { code: 'ST063', status: 409, message: 'table {table} is still rewinding ({rewind}); wait until consumingSegmentsInfo shows shardtableTable.rewind done, then ask again' },
  CONSUME_FROM: { code: 'ST064', status: 400, message: 'consumeFrom must be smallest or largest, got {value}' },
  INSTANCE_NOT_FOUND: { code: 'ST080', status: 404, message: 'Instance {name} not found (GET /instances lists the live ones)' },
  CLUSTER_STORE: { code: 'ST085', status: 503, message: 'cluster {what} cannot be used: {detail}' },
  CLUSTER_UNSUPPORTED: { code: 'ST087', status: 400, message: '{field} is not supported with --cluster: {reason}' },
  SEGMENT_FENCED: { code: 'ST086', status: 409, message: 'segment {segment} of table {table} was not committed: this server ({serverId}) no longer holds the lease of shard {shardId}' },
  SEGMENT_REPAIRING: { code: 'ST030', status: 409, message: 'segment {segment} of table {table} cannot be deleted while its partition {partitionId} repairs gaps; retry once consumingSegmentsInfo shows no repair pending' },

  // Query errors: Pinot's errorCode in the broker response, always HTTP 200.
  SQL_PARSING: { errorCode: 150, pinotName: 'SQLParsingError', httpStatus: 400, message: '{detail}' },
  TABLE_IS_DISABLED: { errorCode: 191, pinotName: 'TableIsDisabledError', httpStatus: 404, message: 'Table {name} is disabled' },
  TABLE_DOES_NOT_EXIST: { errorCode: 190, pinotName: 'TableDoesNotExistError', httpStatus: 404, message: 'Table {name} does not exist' },
  QUERY_EXECUTION: { errorCode: 200, pinotName: 'QueryExecutionError', httpStatus: 500, message: '{detail}' },
  EXECUTION_TIMEOUT: { errorCode: 250, pinotName: 'ExecutionTimeoutError', httpStatus: 408, message: 'Query timed out after {timeoutMs} ms (timeoutMs); {processed} of {total} segments processed' },
  BROKER_RESOURCE_MISSING: { errorCode: 410, pinotName: 'BrokerResourceMissingError', httpStatus: 503, message: TABLE_NOT_RUNNING_MESSAGE },
  MULTI_STAGE_NOT_ENABLED: {
    errorCode: 450,
    pinotName: 'InternalError',
    httpStatus: 500,
    message: 'V2 Multi-Stage query engine not enabled. The query uses {what}, which needs the multi-stage engine (joins, subqueries); shardtable runs single-stage queries only',
  },
  SEGMENTS_UNAVAILABLE: {
    errorCode: 305,
    pinotName: 'BrokerSegmentUnavailableError',
    httpStatus: 503,
    message: '{count} committed segments of table {table} are served by no live server, so the result leaves them out: {segments}',
  },
  SERVER_NOT_RESPONDING: { errorCode: 427, pinotName: 'ServerNotResponding', httpStatus: 503, message: 'server {server} ({url}) did not answer {what}: {reason}; the result leaves out its segments' },
  QUERY_VALIDATION: { errorCode: 700, pinotName: 'QueryValidationError', httpStatus: 400, message: '{detail}' },
  UNKNOWN_COLUMN: { errorCode: 710, pinotName: 'UnknownColumnError', httpStatus: 400, message: "Unknown column '{column}' in table {table}" },
  QUERY_PLANNING: { errorCode: 720, pinotName: 'QueryPlanningError', httpStatus: 400, message: '{detail}' },
} as const satisfies Record<string, ServerErrorEntry | QueryErrorEntry>;

type Catalogue = typeof ERRORS;
export type ErrorName = keyof Catalogue;
/** Names of server errors, the ones `ShardtableError` takes. */
export type ServerErrorName = { [K in ErrorName]: Catalogue[K] extends ServerErrorEntry ? K : never }[ErrorName];
/** Names of query errors, the ones `QueryError` takes. */
export type QueryErrorName = { [K in ErrorName]: Catalogue[K] extends QueryErrorEntry ? K : never }[ErrorName];

/** The HTTP status Pinot's broker gives a query error code with `Pinot-Use-Http-Status-For-Errors: true`; 500 for a code not in the catalogue. */
export function httpStatusOfQueryError(errorCode: number): number {
  for (const entry of Object.values(ERRORS) as (ServerErrorEntry | QueryErrorEntry)[]) {
    if (isQueryErrorEntry(entry) && entry.errorCode === errorCode) return entry.httpStatus;
  }
  return 500;
}

/** Whether a catalogue entry is a query error (as opposed to a server error). */
export function isQueryErrorEntry(entry: ServerErrorEntry | QueryErrorEntry): entry is QueryErrorEntry {
  return 'errorCode' in entry;
}

/** Fills `{key}` placeholders; a placeholder with no value stays as written. */
export function renderMessage(template: string, params: Record<string, unknown>): string {
  return template.replace(/\{(\w+)\}/g, (match, key: string) => (key in params ? String(params[key]) : match));
}

/** A server error from the catalogue, carrying its stable code and HTTP status. */
export class ShardtableError extends Error {
  readonly errorName: ServerErrorName;
  readonly code: string;
  readonly status: number;

  constructor(name: ServerErrorName, params: Record<string, unknown> = {}, options?: { cause?: unknown }) {
    const entry: ServerErrorEntry = ERRORS[name];
    super(renderMessage(entry.message, params), options);
    this.name = 'ShardtableError';
    this.errorName = name;
    this.code = entry.code;
    this.status = entry.status;
  }
}

/**
 * A query error from the catalogue, reported to the caller in the broker response's `exceptions`
 * (never as an HTTP error). Thrown anywhere in parse → plan → exec; the broker catches it. A string
 * `params` is the `{detail}` of the generic entries (`SQL_PARSING`, `QUERY_EXECUTION`,
 * `QUERY_VALIDATION`).
 *
 * @example
 *   throw new QueryError('UNKNOWN_COLUMN', { column: 'foo', table: 'events' });
 *   // errorCode 710, message "UnknownColumnError:\nUnknown column 'foo' in table events"
 *   throw new QueryError('QUERY_VALIDATION', 'DISTINCT cannot be combined with GROUP BY');
 */
export class QueryError extends Error {
  readonly errorCode: number;

  constructor(
    readonly kind: QueryErrorName,
    params: string | Record<string, unknown>,
  ) {
    const entry: QueryErrorEntry = ERRORS[kind];
    super(`${entry.pinotName}:\n${renderMessage(entry.message, typeof params === 'string' ? { detail: params } : params)}`);
    this.name = 'QueryError';
    this.errorCode = entry.errorCode;
  }
}
