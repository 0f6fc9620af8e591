import { QueryError } from '../query-error.js';

/** Line and column (1-based) of offset `pos`, for messages. */
export function lineCol(sql: string, pos: number): string {
  let line = 1;
  let col = 1;
  for (let i = 0; i < pos && i < sql.length; i++) {
    if (sql.charCodeAt(i) === 10) {
      line++;
      col = 1;
    } else col++;
  }
  return `line ${line}, column ${col}`;
}

export function parseError(sql: string, pos: number, detail: string): QueryError {
  return new QueryError('SQL_PARSING', `${detail} at ${lineCol(sql, pos)}`);
}
