import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import type { Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_HTTP_LIMITS, resolveHttpLimits } from '../../src/server/http-limits.js';
import { startHarness } from './http-harness.js';
import type { Harness } from './http-harness.js';

/** Real sockets: no wall-clock assertions, only generous deadlines for things that must happen. */
let h: Harness | undefined;
const sockets: Socket[] = [];

afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.destroy();
  await h?.close();
  h = undefined;
});

interface RawExchange {
  /** Everything the server sent before it closed the connection. */
  readonly received: Promise<string>;
  readonly socket: Socket;
}

/** Opens a raw connection; `received` settles when the server closes it (or it errors). */
function open(port: number): Promise<RawExchange> {
  return new Promise((resolve, reject) => {
    const socket = connect({ port, host: '127.0.0.1' });
    sockets.push(socket);
    const chunks: Buffer[] = [];
    const received = new Promise<string>((done) => {
      socket.on('data', (chunk: Buffer) => chunks.push(chunk));
      const finish = (): void => done(Buffer.concat(chunks).toString('utf8'));
      socket.on('close', finish);
      socket.on('error', finish);
    });
    socket.once('connect', () => resolve({ received, socket }));
    socket.once('error', reject);
  });
}

/** Splits a raw HTTP/1.1 answer into status, headers and the JSON body. */
function parseRaw(text: string): { status: number; headers: string; body: unknown } {
  const end = text.indexOf('\r\n\r\n');
  const head = text.slice(0, end);
  const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1]);
  return { status, headers: head.toLowerCase(), body: JSON.parse(text.slice(end + 4)) as unknown };
}

function getHealth(port: number): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path: '/health', agent: false, headers: { connection: 'close' } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** Retries `/health` until it answers (connections refused at the cap reject). */
async function healthEventually(port: number): Promise<{ status: number; body: string }> {
  for (;;) {
    try {
      return await getHealth(port);
    } catch {
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

function openConnections(harness: Harness): Promise<number> {
  return new Promise((resolve, reject) => harness.app.server.getConnections((err, count) => (err ? reject(err) : resolve(count))));
}

describe('HTTP limits', () => {
  it('has documented defaults, and a headers timeout never longer than the request timeout', () => {
    expect(DEFAULT_HTTP_LIMITS).toEqual({ bodyLimit: 10 * 1024 * 1024, requestTimeoutMs: 30_000, headersTimeoutMs: 10_000, keepAliveTimeoutMs: 5_000, idleTimeoutMs: 120_000, maxConnections: 256 });
    expect(resolveHttpLimits({ requestTimeoutMs: 2_000 }).headersTimeoutMs).toBe(2_000);
    expect(resolveHttpLimits({ requestTimeoutMs: 0 }).headersTimeoutMs).toBe(10_000);
    expect(() => resolveHttpLimits({ maxConnections: -1 })).toThrow(/maxConnections/);
  });

  it('a request whose body trickles in is cut with 408 in Pinot\'s shape', async () => {
    h = await startHarness({ limits: { requestTimeoutMs: 600, headersTimeoutMs: 600 } });
    const port = await h.listen();
    const { socket, received } = await open(port);
    socket.write('POST /schemas HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{');
    // One byte every 100 ms, far slower than 1000 bytes within the deadline.
    const trickle = setInterval(() => {
      if (socket.writable) socket.write(' ');
    }, 100);
    const answer = await received;
    clearInterval(trickle);
    const { status, headers, body } = parseRaw(answer);
    expect(status).toBe(408);
    expect(headers).toContain('content-type: application/json');
    expect(headers).toContain('connection: close');
    expect(body).toEqual({ code: 408, error: 'the request was not received in time: headers must arrive within 600 ms and the whole request within 600 ms' });
    expect(h.logLines.some((line) => line.includes('ST023'))).toBe(true);
    // The server goes on answering.
    expect(await getHealth(port)).toEqual({ status: 200, body: 'OK' });
  }, 20_000);

  it('headers that never finish are cut with 408 too', async () => {
    h = await startHarness({ limits: { requestTimeoutMs: 5_000, headersTimeoutMs: 500 } });
    const port = await h.listen();
    const { socket, received } = await open(port);
    socket.write('GET /tables HTTP/1.1\r\nHost: x\r\nX-Slow: a');
    const { status, body } = parseRaw(await received);
    expect(status).toBe(408);
    expect(body).toMatchObject({ code: 408 });
  }, 20_000);

  it('headers over the size limit are a 431 in Pinot\'s shape', async () => {
    h = await startHarness();
    const port = await h.listen();
    const { socket, received } = await open(port);
    socket.write(`GET /tables HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(64 * 1024)}\r\n\r\n`);
    const { status, body } = parseRaw(await received);
    expect(status).toBe(431);
    expect(body).toEqual({ code: 431, error: expect.stringMatching(/^the request line and headers are larger than the limit of \d+ bytes$/) });
  });

  it('a request that is not HTTP is a 400 in Pinot\'s shape', async () => {
    h = await startHarness();
    const port = await h.listen();
    const { socket, received } = await open(port);
    socket.write('HELLO\r\n\r\n');
    const { status, body } = parseRaw(await received);
    expect(status).toBe(400);
    expect(body).toEqual({ code: 400, error: expect.stringMatching(/^bad request: malformed HTTP request \(HPE_/) });
  });

  it('connections beyond the cap are closed unanswered; /health answers again once a slot frees', async () => {
    h = await startHarness({ limits: { maxConnections: 2, requestTimeoutMs: 0, headersTimeoutMs: 0, idleTimeoutMs: 0 } });
    const port = await h.listen();
    const held = [await open(port), await open(port)];
    for (const { socket } of held) socket.write('GET /health HTTP/1.1\r\nHost: x\r\n'); // never finished
    while ((await openConnections(h)) < 2) await new Promise((r) => setTimeout(r, 20));

    const refused = await open(port).catch(() => undefined);
    if (refused) {
      refused.socket.write('GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
      expect(await refused.received).toBe('');
    }
    held[0]!.socket.destroy();
    expect(await healthEventually(port)).toEqual({ status: 200, body: 'OK' });
    expect(h.logLines.some((line) => line.includes('connection limit reached'))).toBe(true);
  }, 20_000);

  it('slow clients holding every slot are cut by the request timeout, and /health answers again', async () => {
    h = await startHarness({ limits: { maxConnections: 3, requestTimeoutMs: 800, headersTimeoutMs: 800 } });
    const port = await h.listen();
    const held = await Promise.all([open(port), open(port), open(port)]);
    for (const { socket } of held) socket.write('POST /schemas HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{');
    expect(await healthEventually(port)).toEqual({ status: 200, body: 'OK' });
    for (const { received } of held) expect(parseRaw(await received).status).toBe(408);
  }, 20_000);
});
