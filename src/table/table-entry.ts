import type { ResolvedTable } from '../ingest/resolved-table.js';
import type { TableRuntime } from '../ingest/table-runtime.js';
import type { PauseState } from './pause-state.js';

/**
 * One table as the manager holds it. The manager owns `table`, `schemaName` and `paused`; the
 * {@link TableLauncher} owns `runtime`, `startError` and `startAttempts`.
 */
export interface TableEntry {
  /** The config, resolved once at admission (stream plugin, decoder, transforms). */
  table: ResolvedTable;
  schemaName: string;
  /** The running runtime, or null while the table is stopped or failed to start. */
  runtime: TableRuntime | null;
  /** Why the runtime is not running (start failed), or null. */
  startError: string | null;
  paused: boolean;
  /** The latest pause or resume (Pinot's `PauseState`); null when the table was never paused. */
  pauseState?: PauseState | null;
  /** Disabled (`PUT /tables/{name}/state?state=disable`): no runtime, no consuming, no queries; kept across restarts. */
  disabled: boolean;
  /** Failed starts in a row; drives the retry delay of a table whose stream was unreachable. */
  startAttempts?: number;
}
