import { pino } from 'pino';
import type { Logger as PinoLogger } from 'pino';

/**
 * The logger every component takes: pino's (the same one fastify uses), so server and ingestion
 * logs are one JSON stream. Secrets never go into a log line: log table configs only through
 * `redactTableConfig`.
 */
export type Logger = PinoLogger;

/** A logger writing to stderr at `level` (env `SHARDTABLE_LOG_LEVEL`, default `info`). */
export function createLogger(level: string = process.env.SHARDTABLE_LOG_LEVEL ?? 'info'): Logger {
  return pino({ level, base: undefined }, pino.destination(2));
}

/** A logger that drops everything, for tests and embedded use. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
