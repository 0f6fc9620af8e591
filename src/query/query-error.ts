import { ERRORS, QueryError } from '../errors.js';
import type { QueryErrorName } from '../errors.js';

/**
 * The query engine's view of the error catalogue (`src/errors.ts`): `QueryError` and the query
 * error names live there with the server errors; this module keeps the query code's imports local.
 */
export { QueryError };
export type { QueryErrorName };

/** Pinot's errorCode of each query error, by name (as in Pinot's `QueryException`). */
export const QUERY_ERROR_CODES = {
  SQL_PARSING: ERRORS.SQL_PARSING.errorCode,
  TABLE_DOES_NOT_EXIST: ERRORS.TABLE_DOES_NOT_EXIST.errorCode,
  TABLE_IS_DISABLED: ERRORS.TABLE_IS_DISABLED.errorCode,
  QUERY_EXECUTION: ERRORS.QUERY_EXECUTION.errorCode,
  EXECUTION_TIMEOUT: ERRORS.EXECUTION_TIMEOUT.errorCode,
  BROKER_RESOURCE_MISSING: ERRORS.BROKER_RESOURCE_MISSING.errorCode,
  MULTI_STAGE_NOT_ENABLED: ERRORS.MULTI_STAGE_NOT_ENABLED.errorCode,
  QUERY_VALIDATION: ERRORS.QUERY_VALIDATION.errorCode,
  UNKNOWN_COLUMN: ERRORS.UNKNOWN_COLUMN.errorCode,
  QUERY_PLANNING: ERRORS.QUERY_PLANNING.errorCode,
  SEGMENTS_UNAVAILABLE: ERRORS.SEGMENTS_UNAVAILABLE.errorCode,
  SERVER_NOT_RESPONDING: ERRORS.SERVER_NOT_RESPONDING.errorCode,
} as const satisfies Record<QueryErrorName, number>;
