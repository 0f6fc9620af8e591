/**
 * The one error catalogue. Every error a user can see has a stable code, an HTTP status and a
 * message template; `docs/errors.md` documents every code (a test checks that none is missing or
 * reused). Throw with `new ShardtableError('SCHEMA_NOT_FOUND', { name })`.
 *
 * Adding an error: add an entry here (codes are never renumbered or reused) and a row in
 * `docs/errors.md`.
 */
export const ERRORS = {
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
  SEGMENT_VERSION: { code: 'ST011', status: 500, message: 'segment file {path} has format version {version}; this build reads version {supported}' },
  NOT_FOUND: { code: 'ST012', status: 404, message: 'no route {method} {url}' },
  INTERNAL: { code: 'ST013', status: 500, message: 'internal error: {detail}' },
  STREAM_CONFIG: { code: 'ST014', status: 400, message: 'invalid stream config: {detail}' },
  STREAM_UNREACHABLE: { code: 'ST015', status: 400, message: 'stream {stream} cannot be read: {detail}' },
  BODY_TOO_LARGE: { code: 'ST016', status: 413, message: 'request body is larger than the limit of {limit} bytes' },
  UNSUPPORTED_MEDIA_TYPE: { code: 'ST017', status: 415, message: 'unsupported content type {contentType}; send application/json' },
  TABLE_NOT_RUNNING: { code: 'ST018', status: 503, message: 'table {name} is not running: {detail}' },
  NAME_MISMATCH: { code: 'ST019', status: 400, message: '{kind} name {body} in the body does not match {path} in the path' },
  BAD_REQUEST: { code: 'ST020', status: 400, message: 'bad request: {detail}' },
  PRODUCE_INPUT: { code: 'ST021', status: 400, message: 'line {line} of {source}: {detail} ({written} records before it were written)' },
  PRODUCE_FAILED: { code: 'ST022', status: 503, message: '{failed} of {total} records could not be written to stream {stream} after {attempts} attempts: {detail}' },
} as const satisfies Record<string, { code: string; status: number; message: string }>;

export type ErrorName = keyof typeof ERRORS;

function render(template: string, params: Record<string, unknown>): string {
  return template.replace(/\{(\w+)\}/g, (match, key: string) => (key in params ? String(params[key]) : match));
}

/** An error from the catalogue, carrying its stable code and HTTP status. */
export class ShardtableError extends Error {
  readonly errorName: ErrorName;
  readonly code: string;
  readonly status: number;

  constructor(name: ErrorName, params: Record<string, unknown> = {}, options?: { cause?: unknown }) {
    const entry = ERRORS[name];
    super(render(entry.message, params), options);
    this.name = 'ShardtableError';
    this.errorName = name;
    this.code = entry.code;
    this.status = entry.status;
  }
}
