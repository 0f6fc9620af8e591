import { describe, expect, it } from 'vitest';
import type { ScanCommandInput } from '@aws-sdk/client-dynamodb';
import { CapacityBudget, pageItemLimit } from '../../../../../src/plugins/stream/dynamodb/dynamodb-capacity-budget.js';
import type { BudgetClock } from '../../../../../src/plugins/stream/dynamodb/dynamodb-capacity-budget.js';
import { parseDynamoDbConfig } from '../../../../../src/plugins/stream/dynamodb/dynamodb-config.js';
import { loadCounts } from '../../../../../src/plugins/stream/dynamodb/dynamodb-load-progress.js';
import { DynamoDbScanConsumer } from '../../../../../src/plugins/stream/dynamodb/dynamodb-scan-consumer.js';
import type { ScanCall } from '../../../../../src/plugins/stream/dynamodb/dynamodb-scan-consumer.js';
import type { ScanOffset } from '../../../../../src/plugins/stream/dynamodb/dynamodb-offset.js';
import type { StreamOffset } from '../../../../../src/spi/offset.js';
import { TransientStreamError } from '../../../../../src/spi/partition-consumer.js';

/** A fake clock: `sleep` resolves when the test's scheduler advances time past it. */
class FakeClock implements BudgetClock {
  time = 0;
  private sleepers: { until: number; wake: () => void }[] = [];
  now = () => this.time;
  sleep = (ms: number) => new Promise<void>((wake) => this.sleepers.push({ until: this.time + ms, wake }));
  /** Runs until nothing is runnable, then jumps to the next sleeper; false when none is left. */
  async step(): Promise<boolean> {
    for (let i = 0; i < 20; i++) await Promise.resolve();
    if (this.sleepers.length === 0) return false;
    this.sleepers.sort((a, b) => a.until - b.until);
    const next = this.sleepers.shift()!;
    this.time = Math.max(this.time, next.until);
    next.wake();
    return true;
  }
}

/** An in-process double of DynamoDB Scan over `count` items of `size` bytes, split into segments by index. */
function scanDouble(count: number, itemBytes: (i: number) => number, clock: FakeClock, charges: { at: number; units: number }[]): ScanCall {
  const items = Array.from({ length: count }, (_, i) => ({ pk: { S: `k${String(i).padStart(5, '0')}` }, pad: { S: 'x'.repeat(Math.max(0, itemBytes(i) - 9)) } }));
  return async (input: ScanCommandInput) => {
    const mine = items.filter((_, i) => i % input.TotalSegments! === input.Segment!);
    const start = input.ExclusiveStartKey === undefined ? 0 : mine.findIndex((it) => it.pk.S === input.ExclusiveStartKey!.pk!.S) + 1;
    const page = mine.slice(start, start + input.Limit!);
    const bytes = page.reduce((n, it) => n + 2 + it.pk.S.length + 3 + it.pad.S.length, 0);
    const units = Math.max(1, Math.ceil(bytes / 4096));
    charges.push({ at: clock.now(), units });
    const last = start + page.length < mine.length ? { pk: page[page.length - 1]!.pk } : undefined;
    return { Items: page, ConsumedCapacity: { CapacityUnits: units }, ...(last ? { LastEvaluatedKey: last } : {}) } as never;
  };
}

const config = (keys: Record<string, string>) =>
  parseDynamoDbConfig({ streamType: 'dynamodb', topicName: 'T', properties: { 'stream.dynamodb.table.name': 'Tbl', ...keys }, flush: { rows: 1, timeMs: 1, segmentSizeBytes: 0 }, decoderName: 'json' }, undefined, {});

const source = async () => ({ keyNames: ['pk'], idAttributeRename: undefined, deleteColumn: '_deleted', tableName: 'Tbl', streamArn: 'arn', viewType: 'NEW_IMAGE', itemCount: 0, createdAtMs: 0 });

describe('read-capacity budget of the scan load', () => {
  it.each([
    ['items of one size', (_i: number) => 900, 0],
    // The first item read (k00000) is the largest: every later page's estimate is an upper bound.
    ['items of 300 to 1,800 bytes', (i: number) => (i === 0 ? 1800 : 300 + ((i * 37) % 1500)), 0],
  ])('never charges more than the cap over any one-second window, shared by every scan segment: %s (fake clock)', async (_name, sizeOf) => {
    const clock = new FakeClock();
    const charges: { at: number; units: number }[] = [];
    const cfg = config({ 'stream.dynamodb.scan.rcu.limit': '10', 'stream.dynamodb.scan.segments': '4' });
    const scan = scanDouble(3000, sizeOf, clock, charges);
    const budget = new CapacityBudget(cfg.scanRcuLimit, clock);
    const read = new Set<string>();
    const last = new Map<string, StreamOffset>();
    const segments = Array.from({ length: cfg.scanSegments }, (_, segment) => new DynamoDbScanConsumer({ scan, config: cfg, segment, source, budget }));
    const done = segments.map(async (consumer, segment) => {
      let after: StreamOffset | null = null;
      for (;;) {
        const batch = await consumer.fetchMessages(after, 5000);
        for (const m of batch.messages) read.add(m.key);
        if (batch.messages.length > 0) after = batch.messages[batch.messages.length - 1]!.offset;
        if (after !== null) last.set(`scan-${segment}`, after);
        if (batch.endOfPartition) return;
      }
    });
    let finished = false;
    void Promise.all(done).then(() => (finished = true));
    while (!finished) if (!(await clock.step())) await Promise.resolve();
    expect(read.size).toBe(3000);
    const total = charges.reduce((n, c) => n + c.units, 0);
    // The segments' last offsets carry the load's counters: every item, every unit but the
    // segments' final empty pages.
    const counts = loadCounts(cfg.scanSegments, (id) => last.get(id) ?? null);
    expect(counts.items).toBe(3000);
    expect(counts.capacityUnits).toBeLessThanOrEqual(total);
    expect(counts.capacityUnits).toBeGreaterThanOrEqual(total - cfg.scanSegments);
    for (const c of charges) {
      const window = charges.filter((d) => d.at >= c.at && d.at < c.at + 1000).reduce((n, d) => n + d.units, 0);
      expect(window, `units charged in [${c.at}, ${c.at + 1000})`).toBeLessThanOrEqual(10);
    }
    // And the budget is used, not wasted: the load takes about total / cap seconds.
    expect(clock.time).toBeGreaterThanOrEqual(((total - 10) / 10) * 1000);
    expect(clock.time).toBeLessThanOrEqual((total / 10) * 1000 * 1.6 + 2000);
  });

  it('an item larger than every one before it costs its page more than estimated; the excess delays later pages, so the cap holds on average', async () => {
    const clock = new FakeClock();
    const charges: { at: number; units: number }[] = [];
    const cfg = config({ 'stream.dynamodb.scan.rcu.limit': '10', 'stream.dynamodb.scan.segments': '2' });
    const scan = scanDouble(2000, (i) => 300 + ((i * 37) % 1500), clock, charges);
    const budget = new CapacityBudget(cfg.scanRcuLimit, clock);
    const segments = [0, 1].map((segment) => new DynamoDbScanConsumer({ scan, config: cfg, segment, source, budget, now: clock.now }));
    const done = segments.map(async (consumer) => {
      let after: StreamOffset | null = null;
      for (;;) {
        const batch = await consumer.fetchMessages(after, 5000);
        if (batch.messages.length > 0) after = batch.messages[batch.messages.length - 1]!.offset;
        if (batch.endOfPartition) return;
      }
    });
    let finished = false;
    void Promise.all(done).then(() => (finished = true));
    while (!finished) if (!(await clock.step())) await Promise.resolve();
    const total = charges.reduce((n, c) => n + c.units, 0);
    // Over the whole load, no more than the cap per second (plus the last second's burst).
    expect(total).toBeLessThanOrEqual(10 * (clock.time / 1000 + 1));
    // Each underestimate is charged when it is known, and the pages after it wait for it.
    expect(budget.totalUnits).toBe(total);
  });

  it('sizes pages to their share of the cap', () => {
    expect(pageItemLimit(2.5, 1000, 1000)).toBe(10);
    expect(pageItemLimit(2.5, 400_000, 1000)).toBe(1);
    expect(pageItemLimit(100, 10, 50)).toBe(50);
  });

  it('resumes a segment after the last sealed item, not from zero', async () => {
    const clock = new FakeClock();
    const cfg = config({ 'stream.dynamodb.scan.rcu.limit': '1000', 'stream.dynamodb.scan.segments': '1', 'stream.dynamodb.max.records': '7' });
    const asked: (string | undefined)[] = [];
    const inner = scanDouble(50, () => 100, clock, []);
    const scan: ScanCall = (input, signal) => {
      asked.push(input.ExclusiveStartKey?.pk?.S);
      return inner(input, signal);
    };
    const budget = new CapacityBudget(1000, clock);
    const first = new DynamoDbScanConsumer({ scan, config: cfg, segment: 0, source, budget, now: clock.now });
    let after: StreamOffset | null = null;
    for (let i = 0; i < 3; i++) {
      const batch = await first.fetchMessages(after, 1000);
      after = batch.messages[batch.messages.length - 1]!.offset;
    }
    expect((after as ScanOffset).ordinal).toBeGreaterThan(1);
    // A new consumer (a restart) given the sealed offset continues right after it.
    asked.length = 0;
    const second = new DynamoDbScanConsumer({ scan, config: cfg, segment: 0, source, budget, now: clock.now });
    const batch = await second.fetchMessages(after, 1000);
    expect(asked[0]).toBe((after as ScanOffset).key.pk!.S);
    expect(batch.messages[0]!.key).toBe(`k${String((after as ScanOffset).ordinal).padStart(5, '0')}`);
    expect((batch.messages[0]!.offset as ScanOffset).ordinal).toBe((after as ScanOffset).ordinal + 1);
    // The load's counters continue from the checkpoint: one more item (all items have one size),
    // and the new page's units on top of those already charged.
    const sealed = after as ScanOffset;
    const next = batch.messages[0]!.offset as ScanOffset;
    const size = sealed.bytes / sealed.ordinal;
    expect(size).toBeGreaterThan(90);
    expect(sealed.units).toBeGreaterThan(0);
    expect(next.bytes).toBe(sealed.bytes + size);
    expect(next.units).toBe(sealed.units + 1);
    expect(loadCounts(2, (id) => (id === 'scan-0' ? next.toString() : null))).toEqual({ items: sealed.ordinal + 1, bytes: sealed.bytes + size, capacityUnits: sealed.units + 1 });
  });

  it('throttling is a throttled transient error and the same page is asked again', async () => {
    const clock = new FakeClock();
    const cfg = config({ 'stream.dynamodb.scan.segments': '1' });
    let calls = 0;
    const inner = scanDouble(5, () => 100, clock, []);
    const scan: ScanCall = async (input, signal) => {
      calls++;
      if (calls === 2) throw Object.assign(new Error('slow down'), { name: 'ProvisionedThroughputExceededException', $metadata: {} });
      return inner(input, signal);
    };
    const consumer = new DynamoDbScanConsumer({ scan, config: cfg, segment: 0, source, budget: new CapacityBudget(100, clock), now: clock.now });
    const one = await consumer.fetchMessages(null, 1000);
    expect(one.messages.map((m) => m.key)).toEqual(['k00000']);
    const failure = await consumer.fetchMessages(one.messages[0]!.offset, 1000).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(TransientStreamError);
    expect((failure as TransientStreamError).throttled).toBe(true);
    const rest = await consumer.fetchMessages(one.messages[0]!.offset, 1000);
    expect(rest.messages.map((m) => m.key)).toEqual(['k00001', 'k00002', 'k00003', 'k00004']);
  });
});
