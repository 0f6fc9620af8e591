/**
 * `shardtable produce --stream NAME [--file F.jsonl] [--partition-key FIELD] [--endpoint URL]
 * [--region R]`: JSON lines into a Kinesis stream. The work is `runProduce` in the Kinesis plugin.
 */
export { runProduce } from '../plugins/stream/kinesis/kinesis-producer.js';
export type { ProduceOptions } from '../plugins/stream/kinesis/kinesis-producer.js';
