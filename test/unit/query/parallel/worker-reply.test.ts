import { MessageChannel } from 'node:worker_threads';
import type { MessagePort } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import { postReply } from '../../../../src/query/parallel/worker-task.js';
import type { BatchResult, PoolReply } from '../../../../src/query/parallel/messages.js';

/** The next message `port` receives. */
function received(port: MessagePort): Promise<PoolReply> {
  return new Promise((resolve) => port.once('message', resolve));
}

describe('a query worker posts its reply', () => {
  const channels: MessageChannel[] = [];
  afterEach(() => {
    for (const c of channels.splice(0)) {
      c.port1.close();
      c.port2.close();
    }
  });

  it('copies the partial\'s typed arrays: none is detached on the sending side', async () => {
    const channel = new MessageChannel();
    channels.push(channel);
    const sums = new Float64Array([1.5, 2.5, 4]);
    const kinds = new Uint8Array([1, 1, 2]);
    const reply = {
      kind: 'done',
      task: 7,
      result: { pieces: [{ first: 0, last: 1, outcomes: [], consuming: false, partial: { kind: 'aggregation', value: { sums, kinds } } }], unavailable: [], yielded: false },
    } as unknown as PoolReply;
    const arrived = received(channel.port2);
    postReply(channel.port1, 7, reply);
    const got = await arrived;
    // A transfer would have detached both buffers here (byteLength 0), and with the first detached
    // buffer V8 slows every typed-array loop of the sending thread (postReply's comment).
    expect(sums.buffer.byteLength).toBe(24);
    expect(kinds.buffer.byteLength).toBe(3);
    expect([...sums]).toEqual([1.5, 2.5, 4]);
    expect(got).toEqual(reply);
    const value = ((got as Extract<PoolReply, { kind: 'done' }>).result as BatchResult).pieces[0]!.partial as unknown as { value: { sums: Float64Array } };
    expect(value.value.sums).not.toBe(sums);
  });

  it('answers an error naming the cause when the reply cannot be cloned, and the port stays usable', async () => {
    const channel = new MessageChannel();
    channels.push(channel);
    const reply = { kind: 'done', task: 3, result: { pieces: [{ partial: { keep: () => 1 } }], unavailable: [], yielded: false } } as unknown as PoolReply;
    const arrived = received(channel.port2);
    postReply(channel.port1, 3, reply);
    const got = await arrived;
    expect(got.kind).toBe('error');
    const err = got as Extract<PoolReply, { kind: 'error' }>;
    expect(err.task).toBe(3);
    expect(err.errorKind).toBe('QUERY_EXECUTION');
    expect(err.message).toMatch(/the partial result could not be sent: .*could not be cloned/);
    const next = received(channel.port2);
    postReply(channel.port1, 4, { kind: 'ready' });
    expect(await next).toEqual({ kind: 'ready' });
  });
});
