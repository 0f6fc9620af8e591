import { KINESIS_EFO_KEYS } from './kinesis-efo-keys.js';

export { KINESIS_EFO_KEYS } from './kinesis-efo-keys.js';

/** How a table reads its shards: `polling` (GetRecords, the default) or `efo` (SubscribeToShard). */
export type KinesisConsumerType = 'polling' | 'efo';

/** The enhanced fan-out settings of a table (`stream.kinesis.consumer.type=efo`), validated. */
export interface KinesisEfoConfig {
  /** The registered stream consumer's name (`stream.kinesis.consumer.name`, default `shardtable-<table>`). */
  readonly consumerName: string;
  /**
   * Renew each subscription after this long even when the stream has not ended it
   * (`stream.kinesis.consumer.subscription.millis`, default and maximum 300000: Kinesis ends a
   * subscription after 5 minutes).
   */
  readonly subscriptionMs: number;
  /** How long registration may wait for the consumer to become ACTIVE before falling back to polling. */
  readonly registrationTimeoutMs: number;
}

export const KINESIS_EFO_DEFAULTS = Object.freeze({ subscriptionMs: 300_000, registrationTimeoutMs: 60_000 });

/** Kinesis consumer names: 1-128 characters of a-z, A-Z, 0-9, _ . - */
const CONSUMER_NAME = /^[a-zA-Z0-9_.-]{1,128}$/;

/** `shardtable-<table>`, with characters Kinesis refuses in a consumer name replaced by `_`. */
export function defaultConsumerName(tableName: string): string {
  return `shardtable-${tableName.replace(/[^a-zA-Z0-9_.-]/g, '_')}`.slice(0, 128);
}

/**
 * Parses the enhanced fan-out keys. Returns undefined for a polling table; pushes one problem per
 * bad key (naming it) into `problems`. The EFO-only keys are refused on a polling table, so a
 * typo in the type does not silently poll.
 */
export function parseEfoConfig(get: (key: string) => string | undefined, tableName: string | undefined, problems: string[]): KinesisEfoConfig | undefined {
  const typeText = get(KINESIS_EFO_KEYS.consumerType);
  const type = typeText === undefined ? 'polling' : typeText.toLowerCase();
  if (type !== 'polling' && type !== 'efo') {
    problems.push(`${KINESIS_EFO_KEYS.consumerType} must be polling or efo (got ${JSON.stringify(typeText)})`);
    return undefined;
  }
  const efoOnly = [KINESIS_EFO_KEYS.consumerName, KINESIS_EFO_KEYS.subscriptionMs, KINESIS_EFO_KEYS.registrationTimeoutMs];
  if (type === 'polling') {
    for (const key of efoOnly) if (get(key) !== undefined) problems.push(`${key} is only used with ${KINESIS_EFO_KEYS.consumerType}=efo`);
    return undefined;
  }
  const before = problems.length;
  const consumerName = get(KINESIS_EFO_KEYS.consumerName) ?? (tableName !== undefined ? defaultConsumerName(tableName) : undefined);
  if (consumerName === undefined) problems.push(`${KINESIS_EFO_KEYS.consumerName} is required when the table name is not known`);
  else if (!CONSUMER_NAME.test(consumerName)) {
    problems.push(`${KINESIS_EFO_KEYS.consumerName} must be 1-128 characters of a-z, A-Z, 0-9, _ . - (got ${JSON.stringify(consumerName)})`);
  }
  const millis = (key: string, fallback: number, min: number, max: number): number => {
    const text = get(key);
    if (text === undefined) return fallback;
    const value = /^[0-9]+$/.test(text) ? Number(text) : Number.NaN;
    if (Number.isSafeInteger(value) && value >= min && value <= max) return value;
    problems.push(`${key} must be an integer number of millis from ${min} to ${max} (got ${JSON.stringify(text)})`);
    return fallback;
  };
  const subscriptionMs = millis(KINESIS_EFO_KEYS.subscriptionMs, KINESIS_EFO_DEFAULTS.subscriptionMs, 1_000, 300_000);
  const registrationTimeoutMs = millis(KINESIS_EFO_KEYS.registrationTimeoutMs, KINESIS_EFO_DEFAULTS.registrationTimeoutMs, 1_000, 600_000);
  if (problems.length > before) return undefined;
  return Object.freeze({ consumerName: consumerName!, subscriptionMs, registrationTimeoutMs });
}
