import type { ColumnSpec } from '../../config/schema.js';

/**
 * Pinot's virtual columns: every table has them, `SELECT *` does not list them, and a query may
 * use them anywhere a column goes (`SELECT $segmentName, count(*) … GROUP BY $segmentName`,
 * `WHERE $docId < 10`). Their values are made per segment by `exec/virtual-columns.ts`:
 * `$docId` the row's position in its segment (INT, from 0), `$segmentName` the segment's name,
 * `$hostName` the host name of this server (STRING).
 */
export const VIRTUAL_COLUMNS: readonly ColumnSpec[] = [
  { name: '$docId', dataType: 'INT', singleValue: true, fieldType: 'DIMENSION', defaultNullValue: 0 },
  { name: '$hostName', dataType: 'STRING', singleValue: true, fieldType: 'DIMENSION', defaultNullValue: 'null' },
  { name: '$segmentName', dataType: 'STRING', singleValue: true, fieldType: 'DIMENSION', defaultNullValue: 'null' },
];

/** True for a name the executor fills per segment rather than reading from a column. */
export const isVirtualColumn = (name: string): boolean => name.charCodeAt(0) === 36 /* $ */ && VIRTUAL_COLUMNS.some((c) => c.name === name);
