import { statSync } from 'node:fs';
import cliProgress from 'cli-progress';

/** Env var: the smallest input file (bytes) that gets a progress bar; default 1 MiB. */
export const PROGRESS_MIN_BYTES_ENV = 'SHARDTABLE_PROGRESS_MIN_BYTES';
const DEFAULT_MIN_BYTES = 2 ** 20;

/** One progress bar; `update` and `stop` do nothing when there is no bar. */
export interface ProgressBar {
  update(done: number, total: number): void;
  stop(): void;
}

const NONE: ProgressBar = { update: () => undefined, stop: () => undefined };

/**
 * A progress bar (cli-progress) on `stream` for a long command over `file`: drawn only when
 * `stream` is a terminal and the file is at least 1 MiB (env `SHARDTABLE_PROGRESS_MIN_BYTES`),
 * so piped output and small files stay clean. `unit` names what is counted.
 *
 * @example
 *   const bar = progressBar(process.stderr, 'verify', file, 'blocks');
 *   seg.verify((done, total) => bar.update(done, total));
 *   bar.stop();
 */
export function progressBar(stream: NodeJS.WriteStream, label: string, file: string, unit: string): ProgressBar {
  if (!stream.isTTY) return NONE;
  const minBytes = Number(process.env[PROGRESS_MIN_BYTES_ENV] ?? DEFAULT_MIN_BYTES);
  let size = 0;
  try {
    size = statSync(file).size;
  } catch {
    return NONE;
  }
  if (size < (Number.isFinite(minBytes) ? minBytes : DEFAULT_MIN_BYTES)) return NONE;
  const bar = new cliProgress.SingleBar(
    { stream, format: `${label} [{bar}] {percentage}% | {value}/{total} ${unit} | {eta_formatted} left`, hideCursor: true, barsize: 24 },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  return {
    update(done, total) {
      if (!started) {
        bar.start(total, done);
        started = true;
        return;
      }
      if (total !== bar.getTotal()) bar.setTotal(total);
      bar.update(done);
    },
    stop() {
      if (started) bar.stop();
    },
  };
}
