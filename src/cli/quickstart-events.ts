import { mulberry32 } from '../util/random.js';

/**
 * Demo clickstream events for the quickstart (`schemas/quickstart/clickstream_*.json`): a seeded,
 * deterministic generator of realistic web events — low-cardinality strings (eventType, country,
 * device, browser), high-cardinality strings (eventId, userId, sessionId), INT, LONG and DOUBLE
 * metrics, a BOOLEAN, a multi-value STRING (`tags`) and the TIMESTAMP time column `ts`.
 *
 * The same seed and the same `nowMs` arguments give the same events, so tests and demos repeat.
 */

/** Name of the quickstart table and its schema. */
export const QUICKSTART_TABLE_NAME = 'clickstream';
/** Kinesis stream the quickstart table config reads (`stream.kinesis.topic.name`). */
export const QUICKSTART_STREAM_NAME = 'shardtable-quickstart-clickstream';
/** Event field used as the Kinesis partition key: one user's events stay ordered on one shard. */
export const QUICKSTART_PARTITION_KEY_FIELD = 'userId';

/** A demo event, as JSON-serialisable fields. `revenue`, `productId` and `tags` may be absent. */
export type ClickstreamEvent = Record<string, unknown>;

export interface EventGenerator {
  /** The event field to use as the partition key ({@link QUICKSTART_PARTITION_KEY_FIELD}). */
  readonly partitionKeyField: string;
  /**
   * The next event. `ts` is `nowMs` minus up to 2 s of simulated delivery delay; `eventId` is
   * unique within this generator (`evt-<seed>-<counter>`), so seed a generator per run to keep
   * ids unique across runs.
   */
  next(nowMs: number): ClickstreamEvent;
}

type Weighted<T> = readonly (readonly [T, number])[];

const EVENT_TYPES: Weighted<string> = [
  ['page_view', 55],
  ['click', 20],
  ['search', 10],
  ['add_to_cart', 10],
  ['purchase', 5],
];
const COUNTRIES: Weighted<string> = [
  ['US', 35], ['IN', 12], ['DE', 8], ['GB', 8], ['BR', 7], ['FR', 6], ['JP', 6], ['CA', 5],
  ['MX', 4], ['AU', 3], ['NL', 2], ['SE', 2], ['KR', 2],
];
const DEVICES: Weighted<string> = [['mobile', 58], ['desktop', 36], ['tablet', 6]];
const BROWSERS: Weighted<string> = [['Chrome', 62], ['Safari', 22], ['Firefox', 7], ['Edge', 6], ['Samsung Internet', 3]];
const SECTIONS = ['/', '/search', '/cart', '/checkout', '/account', '/deals', '/help'] as const;
const TAGS = ['sale', 'new-arrival', 'electronics', 'books', 'home', 'fashion', 'sports', 'toys', 'recommended'] as const;

const USERS = 50_000;
const PRODUCTS = 2_000;

function weightedPicker<T>(choices: Weighted<T>): (r: number) => T {
  const total = choices.reduce((sum, [, w]) => sum + w, 0);
  return (r) => {
    let x = r * total;
    for (const [value, weight] of choices) {
      if (x < weight) return value;
      x -= weight;
    }
    return choices[choices.length - 1]![0];
  };
}

/**
 * A deterministic generator of demo clickstream events.
 *
 * @example
 *   const gen = createEventGenerator(42);
 *   const event = gen.next(Date.now());
 *   putRecord({ Data: JSON.stringify(event), PartitionKey: String(event[gen.partitionKeyField]) });
 */
export function createEventGenerator(seed: number): EventGenerator {
  const random = mulberry32(seed);
  const seedTag = (seed >>> 0).toString(16).padStart(8, '0');
  const eventType = weightedPicker(EVENT_TYPES);
  const country = weightedPicker(COUNTRIES);
  const device = weightedPicker(DEVICES);
  const browser = weightedPicker(BROWSERS);
  let counter = 0;

  const int = (n: number): number => Math.floor(random() * n);
  // Skewed towards small ids: a few users and products are far more active, as in real traffic.
  const skewed = (n: number): number => Math.floor(n * random() ** 3);

  return {
    partitionKeyField: QUICKSTART_PARTITION_KEY_FIELD,
    next(nowMs: number): ClickstreamEvent {
      counter++;
      const user = skewed(USERS);
      const type = eventType(random());
      const product = type === 'search' ? undefined : skewed(PRODUCTS);
      const event: ClickstreamEvent = {
        eventId: `evt-${seedTag}-${counter.toString().padStart(10, '0')}`,
        ts: Math.floor(nowMs) - int(2000),
        userId: `u-${user.toString().padStart(6, '0')}`,
        // A user's session changes every few hundred of their events.
        sessionId: `s-${((user * 2654435761) >>> 0).toString(16)}-${Math.floor(counter / 500) % 97}`,
        eventType: type,
        page: product === undefined || random() < 0.3 ? SECTIONS[int(SECTIONS.length)]! : `/products/${product}`,
        country: country(random()),
        device: device(random()),
        browser: browser(random()),
        isNewUser: random() < 0.12,
        durationMs: 50 + int(type === 'page_view' ? 30_000 : 3_000),
        itemCount: type === 'add_to_cart' || type === 'purchase' ? 1 + int(5) : 0,
        responseBytes: 2_000 + int(5_000_000),
      };
      if (product !== undefined) event.productId = 1_000_000_000_000 + product;
      if (type === 'purchase') event.revenue = Math.round((5 + random() * 495) * 100) / 100;
      const tagCount = int(4);
      if (tagCount > 0) {
        const tags = new Set<string>();
        for (let t = 0; t < tagCount; t++) tags.add(TAGS[int(TAGS.length)]!);
        event.tags = [...tags];
      }
      return event;
    },
  };
}
