/** The enhanced fan-out keys of `streamConfigs` (shardtable's, in Pinot's `stream.kinesis.` style). */
export const KINESIS_EFO_KEYS = Object.freeze({
  /** `polling` (default: GetRecords) or `efo` (a registered consumer and SubscribeToShard). */
  consumerType: 'stream.kinesis.consumer.type',
  /** The registered stream consumer's name; default `shardtable-<table>`. */
  consumerName: 'stream.kinesis.consumer.name',
  /** Renew each subscription after this many millis (default and max 300000). */
  subscriptionMs: 'stream.kinesis.consumer.subscription.millis',
  /** How long to wait for the registered consumer to become ACTIVE (default 60000). */
  registrationTimeoutMs: 'stream.kinesis.consumer.registration.timeout.millis',
});
