import { DescribeStreamConsumerCommand, DescribeStreamSummaryCommand, RegisterStreamConsumerCommand } from '@aws-sdk/client-kinesis';
import type { KinesisClient } from '@aws-sdk/client-kinesis';
import type { KinesisEfoConfig } from './kinesis-efo-config.js';
import { isNamed } from './kinesis-errors.js';
import type { Clock } from './kinesis-rate-limiter.js';

/** A stream consumer registered for a table and ACTIVE. */
export interface EfoRegistration {
  readonly consumerName: string;
  readonly consumerArn: string;
}

/** How often registration asks whether the consumer is ACTIVE yet. */
const ACTIVE_POLL_MS = 250;

/**
 * Registers the table's stream consumer (or finds it registered already, e.g. by an earlier run of
 * the table: consumers outlive the process and are reused, never deregistered on stop) and waits
 * until it is ACTIVE: DescribeStreamSummary (the stream's ARN) → DescribeStreamConsumer by name →
 * RegisterStreamConsumer when absent → DescribeStreamConsumer until ACTIVE. Throws an Error
 * naming the step that failed, the consumer and the stream; the caller falls back to polling.
 *
 * @example
 *   const { consumerArn } = await registerStreamConsumer(client, 'events', efo, systemClock);
 */
export async function registerStreamConsumer(client: KinesisClient, streamName: string, efo: KinesisEfoConfig, clock: Clock): Promise<EfoRegistration> {
  const deadline = clock.now() + efo.registrationTimeoutMs;
  const step = async <T>(what: string, call: () => Promise<T>): Promise<T> => {
    try {
      return await call();
    } catch (err) {
      const name = err instanceof Error ? err.name : 'Error';
      throw new Error(`${what} for consumer ${efo.consumerName} of Kinesis stream ${streamName} failed: ${name}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    }
  };
  const summary = await step('DescribeStreamSummary', () => client.send(new DescribeStreamSummaryCommand({ StreamName: streamName })));
  const streamArn = summary.StreamDescriptionSummary?.StreamARN;
  if (streamArn === undefined) throw new Error(`DescribeStreamSummary of Kinesis stream ${streamName} returned no StreamARN`);
  const describe = (): Promise<{ arn: string; status: string } | null> => step('DescribeStreamConsumer', async () => {
    try {
      const out = await client.send(new DescribeStreamConsumerCommand({ StreamARN: streamArn, ConsumerName: efo.consumerName }));
      const description = out.ConsumerDescription;
      return description?.ConsumerARN === undefined ? null : { arn: description.ConsumerARN, status: description.ConsumerStatus ?? 'UNKNOWN' };
    } catch (err) {
      if (isNamed(err, 'ResourceNotFoundException')) return null;
      throw err;
    }
  });
  let found = await describe();
  if (found === null) {
    const out = await step('RegisterStreamConsumer', () => client.send(new RegisterStreamConsumerCommand({ StreamARN: streamArn, ConsumerName: efo.consumerName })));
    const consumer = out.Consumer;
    if (consumer?.ConsumerARN === undefined) throw new Error(`RegisterStreamConsumer for consumer ${efo.consumerName} of Kinesis stream ${streamName} returned no ConsumerARN`);
    found = { arn: consumer.ConsumerARN, status: consumer.ConsumerStatus ?? 'CREATING' };
  }
  while (found.status !== 'ACTIVE') {
    if (found.status === 'DELETING') throw new Error(`consumer ${efo.consumerName} of Kinesis stream ${streamName} is being deregistered (DELETING); register it again once it is gone`);
    if (clock.now() >= deadline) {
      throw new Error(`consumer ${efo.consumerName} of Kinesis stream ${streamName} was not ACTIVE within ${efo.registrationTimeoutMs} ms (status ${found.status})`);
    }
    await new Promise((resolve) => setTimeout(resolve, ACTIVE_POLL_MS));
    found = (await describe()) ?? found;
  }
  return Object.freeze({ consumerName: efo.consumerName, consumerArn: found.arn });
}
