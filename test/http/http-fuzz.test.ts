import { connect } from 'node:net';
import fc from 'fast-check';
import type { InjectOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventsSchema, eventsTableConfig } from '../helpers/pinot-config-fixtures.js';
import { startHarness } from './http-harness.js';
import type { Harness } from './http-harness.js';

/**
 * Property test of the HTTP API: random methods, paths, headers and bodies (JSON-ish and garbage)
 * against a real app. Whatever comes in, the server answers: an error is Pinot's
 * `{code, error}` with `code` the HTTP status, a success is the route's shape, no bad input gets
 * a 5xx, and `/health` answers throughout.
 *
 * Runs `SHARDTABLE_FUZZ_RUNS` cases (default 150); `npm run fuzz:http` runs 5,000.
 * `SHARDTABLE_FUZZ_SEED` replays a failing run (fast-check prints the seed and path).
 */
const RUNS = Number(process.env.SHARDTABLE_FUZZ_RUNS ?? 150);
const SEED = process.env.SHARDTABLE_FUZZ_SEED === undefined ? undefined : Number(process.env.SHARDTABLE_FUZZ_SEED);
const PARAMS = { numRuns: RUNS, ...(SEED !== undefined ? { seed: SEED } : {}) };
/** A long run gets time in proportion; the fixed run stays well inside the default. */
const TIMEOUT_MS = Math.max(60_000, RUNS * 100);

/**
 * Path templates of every route the app registers (collected by its `onRoute` hook, so a new
 * route is fuzzed without touching this file): each `:param` (and a `*` wildcard) becomes a
 * random name. Set in `beforeAll`; two catch-alls reach the 404 path.
 */
const TEMPLATES: string[] = [];
const CATCH_ALLS = ['/{a}', '/{a}/{b}'];

/** `/segments/:table/:segment/metadata` → `/segments/{a}/{b}/metadata`. */
function template(url: string): string {
  let n = 0;
  return url.replace(/:[A-Za-z0-9_]+|\*/g, () => (n++ === 0 ? '{a}' : '{b}'));
}

/** Names: real ones, plausible ones, long ones, and anything percent-encoded. */
const name = fc.oneof(
  fc.constantFrom('events', 'events_REALTIME', 'EVENTS', 'missing', 'events__0__0__20240101T0000Z', '..', '.', '%2e%2e', '%00', '%', '%E0%A4%A'),
  fc.stringMatching(/^[A-Za-z0-9_.-]{1,40}$/),
  fc.integer({ min: 90, max: 1500 }).map((n) => 'n'.repeat(n)),
  fc.string({ unit: 'binary', maxLength: 30 }).map((s) => encodeURIComponent(s)),
);

const query = fc.oneof(
  fc.constant(''),
  fc.constantFrom('?override=true', '?state=ONLINE', '?type=REALTIME', '?sql=SELECT%20COUNT(*)%20FROM%20events', '?sql=SELEC', '?queryOptions=timeoutMs%3D1'),
  // The parameters of the newer routes, good and bad.
  fc.constantFrom('?state=enable', '?state=disable', '?state=bogus', '?type=OFFLINE', '?consumeFrom=smallest', '?consumeFrom=largest', '?consumeFrom=bogus', '?limit=-5', '?limit=abc', '?limit=3', '?shardId=shardId-000000000000', '?columns=country', '?columns=*', '?columns=a&columns=b', '?comment=x', '?segments=a&segments=b'),
  fc.dictionary(fc.stringMatching(/^[a-z]{1,8}$/), fc.string({ maxLength: 20 }).map(encodeURIComponent), { maxKeys: 3 }).map((q) =>
    Object.keys(q).length === 0 ? '' : `?${Object.entries(q).map(([k, v]) => `${k}=${v}`).join('&')}`,
  ),
);

// Templates are known only once the app is built: drawn at generation time.
const path = fc.tuple(fc.constant(null).chain(() => fc.constantFrom(...TEMPLATES, ...CATCH_ALLS)), name, name, query).map(([template, a, b, q]) => `${template.replace('{a}', a).replace('{b}', b)}${q}`);

const method = fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'HEAD', 'OPTIONS');

const contentType = fc.option(
  fc.constantFrom('application/json', 'application/json; charset=utf-8', 'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data', 'multipart/form-data; boundary=xyz', 'application/xml', 'application/octet-stream', ';;', 'application/json; charset=latin1'),
  { nil: undefined },
);

const extraHeaders = fc.dictionary(
  fc.stringMatching(/^x-[a-z0-9-]{1,20}$/),
  fc.stringMatching(/^[\x20-\x7e]{0,60}$/),
  { maxKeys: 3 },
);

/** A valid config with one field replaced by an arbitrary JSON value: close enough to go deep. */
function mutated(base: Record<string, unknown>): fc.Arbitrary<unknown> {
  const keys = Object.keys(base);
  return fc.tuple(fc.constantFrom(...keys, 'streamConfigs', 'tableName', 'schemaName'), fc.jsonValue({ maxDepth: 3 })).map(([key, value]) => {
    const copy = structuredClone(base);
    if (key === 'streamConfigs') {
      const stream = (copy.tableIndexConfig as { streamConfigs?: Record<string, unknown> } | undefined)?.streamConfigs;
      if (stream) stream[Object.keys(stream)[Math.abs(JSON.stringify(value)?.length ?? 0) % Object.keys(stream).length]!] = value;
    } else copy[key] = value;
    return copy;
  });
}

const body = fc.oneof(
  fc.constant(undefined),
  fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v)),
  // Named after the seeded table (PUT /tables/events goes through every check) or a new one.
  fc.oneof(mutated(eventsSchema()), mutated(eventsSchema('fuzzed'))).map((v) => JSON.stringify(v)),
  fc.oneof(mutated(eventsTableConfig()), mutated(eventsTableConfig('fuzzed'))).map((v) => JSON.stringify(v)),
  fc.record({ sql: fc.oneof(fc.string({ maxLength: 80 }), fc.constantFrom('SELECT * FROM events', 'SELECT COUNT(*) FROM events WHERE clicks > 1 GROUP BY country', 'SELECT REGEXP_LIKE(user, \'(a+)+$\') FROM events')), queryOptions: fc.option(fc.string({ maxLength: 20 }), { nil: undefined }) }).map((v) => JSON.stringify(v)),
  fc.string({ maxLength: 200 }),
  fc.uint8Array({ maxLength: 200 }).map((bytes) => Buffer.from(bytes)),
);

const request = fc.record({ method, url: path, contentType, headers: extraHeaders, body });

function describeRequest(r: { method: string; url: string; contentType: string | undefined }): string {
  return `${r.method} ${r.url.length > 200 ? `${r.url.slice(0, 200)}...` : r.url} (${r.contentType ?? 'no content type'})`;
}

let h: Harness;

/** Every route as `METHOD url`, for the coverage check. */
const ROUTES: string[] = [];

beforeAll(async () => {
  h = await startHarness({
    bodyLimit: 64 * 1024,
    onRoute: (route) => {
      const t = template(route.url);
      if (!TEMPLATES.includes(t)) TEMPLATES.push(t);
      for (const m of [route.method].flat()) ROUTES.push(`${m} ${route.url}`);
    },
  });
  await h.inject({ method: 'POST', url: '/schemas', payload: eventsSchema() });
  await h.inject({ method: 'POST', url: '/tables', payload: eventsTableConfig() });
});

afterAll(async () => {
  await h.close();
});

async function expectHealthy(): Promise<void> {
  const health = await h.app.inject({ method: 'GET', url: '/health' });
  expect(health.statusCode).toBe(200);
  expect(health.body).toBe('OK');
}

describe('HTTP API under random input', () => {
  it('takes its paths from the routes the app registers', () => {
    // The hook saw the app's routes, old and newer ones alike (a hook added too late sees none).
    for (const route of ['GET /health', 'POST /query/sql', 'GET /segments/:table/:segment/metadata', 'PUT /tables/:name/state', 'POST /tableConfigs', 'GET /forceCommitStatus/:jobId']) expect(ROUTES).toContain(route);
    expect(TEMPLATES).toContain('/segments/{a}/{b}/metadata');
  });

  it(
    'every answer is Pinot-shaped JSON (or the route\'s shape), no bad input gets a 5xx, and /health answers throughout',
    async () => {
      const statuses = new Set<number>();
      await fc.assert(
        fc.asyncProperty(request, async (r) => {
          const headers: Record<string, string> = { ...r.headers };
          if (r.contentType !== undefined) headers['content-type'] = r.contentType;
          const options: InjectOptions = { method: r.method as InjectOptions['method'], url: r.url, headers, ...(r.body !== undefined ? { payload: r.body } : {}) };
          const response = await h.app.inject(options);
          const what = `${describeRequest(r)} -> ${response.statusCode} ${response.body.slice(0, 300)}`;
          statuses.add(response.statusCode);

          expect(response.statusCode, what).toBeLessThan(500);
          const type = String(response.headers['content-type'] ?? '');
          if (r.method === 'HEAD' || response.statusCode === 204) return;
          if (response.statusCode >= 400) {
            expect(type, what).toContain('application/json');
            const parsed = JSON.parse(response.body) as Record<string, unknown>;
            expect(Object.keys(parsed).sort(), what).toEqual(['code', 'error']);
            expect(parsed.code, what).toBe(response.statusCode);
            expect(typeof parsed.error === 'string' && parsed.error.length > 0, what).toBe(true);
          } else if (type.includes('application/json')) {
            expect(() => JSON.parse(response.body), what).not.toThrow();
          } else if (r.method === 'GET' && consolePath(r.url)) {
            // The web console: `/` (and paths that normalise to it, like `/x/..`) and its assets.
            expect(type, what).toMatch(/^(text\/html|text\/css|text\/javascript|application\/javascript|application\/json)/);
          } else {
            expect(type, what).toMatch(/^text\/plain/);
          }
          await expectHealthy();
        }),
        PARAMS,
      );
      await expectHealthy();
      // The input reached past the router and the body parsers, not only into 404s.
      expect([...statuses].filter((s) => [200, 400, 404, 415].includes(s)).sort()).toEqual([200, 400, 404, 415]);
    },
    TIMEOUT_MS,
  );

  it(
    'raw bytes on a real socket get a Pinot-shaped answer or none, and the server stays up',
    async () => {
      const port = await h.listen();
      const line = fc.oneof(
        fc.uint8Array({ minLength: 1, maxLength: 300 }).map((b) => Buffer.from(b)),
        fc.tuple(method, path, fc.constantFrom('HTTP/1.1', 'HTTP/1.0', 'HTTP/9.9', 'FOO'), fc.string({ maxLength: 100 })).map(([m, p, v, tail]) => Buffer.from(`${m} ${p} ${v}\r\nHost: x\r\nConnection: close\r\n${tail}\r\n\r\n`)),
      );
      await fc.assert(
        fc.asyncProperty(line, async (bytes) => {
          const answer = await new Promise<string>((resolve) => {
            const socket = connect({ port, host: '127.0.0.1' });
            const chunks: Buffer[] = [];
            socket.on('data', (c: Buffer) => chunks.push(c));
            socket.on('error', () => undefined);
            socket.on('close', () => resolve(Buffer.concat(chunks).toString('latin1')));
            socket.end(bytes);
            // A request that never completes is cut by the server's timeouts; don't wait for them.
            setTimeout(() => socket.destroy(), 2_000).unref();
          });
          const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(answer)?.[1] ?? 0);
          expect(status, answer.slice(0, 300)).not.toBeGreaterThanOrEqual(500);
          // A HEAD answer has no body.
          if (status >= 400 && !bytes.subarray(0, 5).equals(Buffer.from('HEAD '))) {
            const text = answer.slice(answer.indexOf('\r\n\r\n') + 4);
            // Chunked answers carry their length line first; unchunked ones are the JSON itself.
            const json = text.startsWith('{') ? text : text.slice(text.indexOf('{'), text.lastIndexOf('}') + 1);
            const parsed = JSON.parse(json) as Record<string, unknown>;
            expect(parsed.code, answer.slice(0, 300)).toBe(status);
          }
          await expectHealthy();
        }),
        { ...PARAMS, numRuns: Math.max(10, Math.floor(RUNS / 5)) },
      );
    },
    TIMEOUT_MS,
  );
});

/** True when a URL resolves to the web console's page or one of its assets (served as files). */
function consolePath(url: string): boolean {
  let path: string;
  try {
    path = new URL(url, 'http://x').pathname;
  } catch {
    return false;
  }
  return path === '/' || /^\/[\w.-]+\.(js|css|map|html)$/.test(path);
}
