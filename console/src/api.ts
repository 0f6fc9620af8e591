/**
 * The console's only door to the server: the public HTTP API (Pinot's paths), nothing private.
 * Errors arrive in Pinot's `{code, error}` shape and are thrown as `ApiError`.
 */

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

async function request<T>(method: string, path: string, body?: unknown): Promise<T> {
  const response = await fetch(path, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  let json: unknown = text;
  try {
    json = JSON.parse(text);
  } catch {
    // a plain-text answer
  }
  if (!response.ok) {
    const shaped = json as { code?: number; error?: string };
    throw new ApiError(response.status, shaped.code ?? response.status, shaped.error ?? String(text || response.statusText));
  }
  return json as T;
}

export interface FieldSpec {
  readonly name: string;
  readonly dataType: string;
  readonly singleValueField?: boolean;
  readonly format?: string;
  readonly granularity?: string;
}

export interface Schema {
  readonly schemaName: string;
  readonly dimensionFieldSpecs?: FieldSpec[];
  readonly metricFieldSpecs?: FieldSpec[];
  readonly dateTimeFieldSpecs?: FieldSpec[];
  readonly primaryKeyColumns?: string[];
}

/** Every column of a schema with its kind (dimension, metric, date-time). */
export function schemaColumns(schema: Schema): { spec: FieldSpec; kind: string }[] {
  return [
    ...(schema.dimensionFieldSpecs ?? []).map((spec) => ({ spec, kind: 'DIMENSION' })),
    ...(schema.metricFieldSpecs ?? []).map((spec) => ({ spec, kind: 'METRIC' })),
    ...(schema.dateTimeFieldSpecs ?? []).map((spec) => ({ spec, kind: 'DATE_TIME' })),
  ];
}

export interface QueryException {
  readonly errorCode: number;
  readonly message: string;
}

export interface BrokerResponse {
  readonly resultTable?: { dataSchema: { columnNames: string[]; columnDataTypes: string[] }; rows: unknown[][] };
  readonly exceptions: QueryException[];
  readonly numDocsScanned: number;
  readonly totalDocs: number;
  readonly numSegmentsQueried: number;
  readonly numSegmentsProcessed: number;
  readonly numSegmentsMatched: number;
  readonly numConsumingSegmentsQueried: number;
  readonly minConsumingFreshnessTimeMs: number;
  readonly timeUsedMs: number;
  readonly numRowsResultSet: number;
  readonly partialResult?: boolean;
}

export interface PartitionStatus {
  readonly partitionId: number;
  readonly shardId: string;
  readonly state: string;
  readonly consumingSegmentName: string | null;
  readonly rowsInConsumingSegment: number;
  readonly msBehindLatest: number | null;
  readonly recordsConsumed: number;
  readonly bytesConsumed: number;
  readonly recordsDropped: number;
  readonly recordsDeadLettered?: number;
  readonly recordsFiltered?: number;
  readonly throttleCount: number;
  readonly errorCount: number;
  readonly lastError: string | null;
}

export interface ConsumingInfo {
  readonly shardtablePartitions: PartitionStatus[];
  readonly shardtableLag: { maxMsBehindLatest: number | null };
  readonly shardtableTable: { ingestion?: { state: string; lastError: string | null } } | null;
}

export interface PauseStatus {
  readonly pauseFlag: boolean;
  readonly state: string;
  readonly ingestion?: string;
  readonly error?: string;
  readonly consumingSegments: string[];
}

/** Pinot's `TableSizeReader.TableSizeDetails` (only the fields the console shows). */
export interface TableSize {
  readonly tableName: string;
  readonly reportedSizeInBytes: number;
}

/** Pinot's force-commit answer. */
export interface ForceCommitAnswer {
  readonly forceCommitStatus: string;
  readonly forceCommitJobId: string;
}

/** Pinot's `GET /tables/forceCommitStatus/{jobId}` answer (the fields the console reads). */
export interface ForceCommitStatus {
  readonly jobId: string;
  readonly segmentsForceCommitted: string;
  readonly segmentsYetToBeCommitted: string[];
  readonly numberOfSegmentsYetToBeCommitted: number;
}

export interface DeadLetter {
  readonly shardId: string;
  readonly sequenceNumber: string;
  readonly partitionKey: string;
  readonly reason: string;
  readonly deadLetteredAtMs: number;
  readonly sizeBytes: number;
  readonly valueBase64: string;
}

const table = (name: string): string => encodeURIComponent(name);

export const api = {
  tables: () => request<{ tables: string[] }>('GET', '/tables').then((r) => r.tables),
  schemas: () => request<string[]>('GET', '/schemas'),
  schema: (name: string) => request<Schema>('GET', `/schemas/${table(name)}`),
  tableSchema: (name: string) => request<Schema>('GET', `/tables/${table(name)}/schema`),
  tableConfig: (name: string) => request<{ REALTIME?: unknown }>('GET', `/tables/${table(name)}`),
  segments: (name: string) => request<[{ REALTIME: string[] }]>('GET', `/tables/${table(name)}/segments`).then((r) => r[0]?.REALTIME ?? []),
  segmentMetadata: (name: string, segment: string) => request<Record<string, unknown>>('GET', `/segments/${table(name)}/${encodeURIComponent(segment)}/metadata`),
  pauseStatus: (name: string) => request<PauseStatus>('GET', `/tables/${table(name)}/pauseStatus`),
  pause: (name: string) => request<unknown>('POST', `/tables/${table(name)}/pauseConsumption`),
  resume: (name: string) => request<unknown>('POST', `/tables/${table(name)}/resumeConsumption`),
  forceCommit: (name: string) => request<ForceCommitAnswer>('POST', `/tables/${table(name)}/forceCommit`),
  forceCommitStatus: (jobId: string) => request<ForceCommitStatus>('GET', `/tables/forceCommitStatus/${encodeURIComponent(jobId)}`),
  size: (name: string) => request<TableSize>('GET', `/tables/${table(name)}/size`),
  consumingInfo: (name: string) => request<ConsumingInfo>('GET', `/tables/${table(name)}/consumingSegmentsInfo`),
  deadLetters: (name: string, limit = 50) => request<{ total: number; deadLetters: DeadLetter[] }>('GET', `/tables/${table(name)}/deadLetters?limit=${limit}`),
  query: (sql: string) => request<BrokerResponse>('POST', '/query/sql', { sql }),
};
