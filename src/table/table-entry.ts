import type { TableConfig } from '../config/table-config.js';
import type { TableRuntime } from './table-runtime.js';

/**
 * One table as the manager holds it. The manager owns `config`, `schemaName` and `paused`; the
 * {@link TableLauncher} owns `runtime`, `startError` and `startAttempts`.
 */
export interface TableEntry {
  config: TableConfig;
  schemaName: string;
  /** The running runtime, or null while the table is stopped or failed to start. */
  runtime: TableRuntime | null;
  /** Why the runtime is not running (start failed), or null. */
  startError: string | null;
  paused: boolean;
  /** Failed starts in a row; drives the retry delay of a table whose stream was unreachable. */
  startAttempts?: number;
}
