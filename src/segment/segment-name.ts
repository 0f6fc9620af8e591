/** The parts of a Pinot LLC segment name. */
export interface LlcSegmentName {
  readonly tableName: string;
  readonly partitionId: number;
  readonly sequence: number;
  /** Creation time, rounded down to the minute (the name carries no seconds). */
  readonly creationTimeMs: number;
}

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

/**
 * Pinot's LLC segment name: `<table>__<partitionId>__<sequence>__<yyyyMMddTHHmmZ>` (UTC).
 *
 * @example
 *   llcSegmentName('events', 3, 12, new Date(Date.UTC(2024, 0, 2, 3, 4)))
 *   // 'events__3__12__20240102T0304Z'
 */
export function llcSegmentName(table: string, partitionId: number, sequence: number, date: Date | number): string {
  const d = typeof date === 'number' ? new Date(date) : date;
  if (!Number.isSafeInteger(partitionId) || partitionId < 0) throw new RangeError(`partition id ${partitionId} is not a non-negative integer`);
  if (!Number.isSafeInteger(sequence) || sequence < 0) throw new RangeError(`sequence ${sequence} is not a non-negative integer`);
  if (Number.isNaN(d.getTime())) throw new RangeError('invalid date');
  const stamp = `${pad(d.getUTCFullYear(), 4)}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}T${pad(d.getUTCHours())}${pad(d.getUTCMinutes())}Z`;
  return `${table}__${partitionId}__${sequence}__${stamp}`;
}

const NAME = /^(.+)__(\d+)__(\d+)__(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})Z$/;

/** Parses an LLC segment name; null when `name` is not one. Table names may contain `__`. */
export function parseLlcSegmentName(name: string): LlcSegmentName | null {
  const m = NAME.exec(name);
  if (!m) return null;
  const [, tableName, partition, sequence, y, mo, d, h, mi] = m;
  const partitionId = Number(partition);
  const seq = Number(sequence);
  const time = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi));
  if (!Number.isSafeInteger(partitionId) || !Number.isSafeInteger(seq) || Number(mo) < 1 || Number(mo) > 12 || Number(d) < 1 || Number(d) > 31 || Number(h) > 23 || Number(mi) > 59) {
    return null;
  }
  return { tableName: tableName!, partitionId, sequence: seq, creationTimeMs: time };
}
