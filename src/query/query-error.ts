/**
 * Pinot's query error codes (`QueryException` in Pinot), as they appear in a broker response's
 * `exceptions: [{errorCode, message}]`. Query errors never become HTTP errors: the broker answers
 * 200 with the exception listed, as Pinot does.
 */
export const QUERY_ERROR_CODES = {
  /** The SQL text does not parse (position and token named). */
  SQL_PARSING: 150,
  /** The FROM table is not known. */
  TABLE_DOES_NOT_EXIST: 190,
  /** Execution failed: unsupported function, wrong arity or argument type, bad value. */
  QUERY_EXECUTION: 200,
  /** The query ran past its `timeoutMs`. */
  EXECUTION_TIMEOUT: 250,
  /** The query is well-formed but not allowed (LIMIT above the maximum, bad query option). */
  QUERY_VALIDATION: 700,
  /** A column the table's schema does not have. */
  UNKNOWN_COLUMN: 710,
} as const;

export type QueryErrorName = keyof typeof QUERY_ERROR_CODES;

/** Prefix Pinot puts before the message of each error kind. */
const PREFIX: Record<QueryErrorName, string> = {
  SQL_PARSING: 'SQLParsingError',
  TABLE_DOES_NOT_EXIST: 'TableDoesNotExistError',
  QUERY_EXECUTION: 'QueryExecutionError',
  EXECUTION_TIMEOUT: 'ExecutionTimeoutError',
  QUERY_VALIDATION: 'QueryValidationError',
  UNKNOWN_COLUMN: 'UnknownColumnError',
};

/**
 * An error a query reports to its caller in `exceptions`. Thrown anywhere in parse → plan → exec;
 * the broker catches it and builds the response.
 *
 * @example
 *   throw new QueryError('UNKNOWN_COLUMN', 'Unknown column: foo in table events');
 */
export class QueryError extends Error {
  readonly errorCode: number;

  constructor(
    readonly kind: QueryErrorName,
    detail: string,
  ) {
    super(`${PREFIX[kind]}:\n${detail}`);
    this.name = 'QueryError';
    this.errorCode = QUERY_ERROR_CODES[kind];
  }
}
