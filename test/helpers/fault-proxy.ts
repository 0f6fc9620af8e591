import { createServer, request as httpRequest } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { mulberry32 } from './random.js';

/**
 * TEST TOOL ONLY. A fault-injecting HTTP proxy that sits between a Kinesis client and a real
 * emulator (kinesalite or kinesis-local) on 127.0.0.1, to prove the consumer survives throttling,
 * expired iterators, 5xx, dropped connections, slow responses and an unreachable endpoint.
 *
 * Faults are chosen per request from rules keyed by Kinesis operation (the `X-Amz-Target` header,
 * e.g. `Kinesis_20131202.GetRecords` → `GetRecords`) with a share of requests each; the dice are a
 * seeded PRNG, so a run is repeatable. Every forwarded request and every injected fault is counted.
 *
 * @example
 *   const proxy = await FaultProxy.start(emulator.endpoint);
 *   proxy.setFaults([{ operation: 'GetRecords', fault: 'throttle', share: 0.2 }]);
 *   // point the table's `endpoint` at proxy.endpoint ... then
 *   proxy.clearFaults();
 *   await proxy.close();
 */
export type Fault =
  /** 400 `ProvisionedThroughputExceededException`. */
  | 'throttle'
  /** 400 `LimitExceededException`. */
  | 'limitExceeded'
  /** 400 `KMSThrottlingException`. */
  | 'kmsThrottling'
  /** 400 `ExpiredIteratorException`. */
  | 'expiredIterator'
  | 'http500'
  | 'http503'
  /** Destroys the client's socket after the request arrived, without answering. */
  | 'reset'
  /** Forwards, but holds the answer back for `delayMs` first. */
  | 'delay'
  /** Forwards, but holds the answer back as long as sending it at `bytesPerSecond` would take (a slow link). */
  | 'bandwidth';

export interface FaultRule {
  /** Kinesis operation name (`GetRecords`, `GetShardIterator`, `ListShards`, ...); absent = every operation. */
  readonly operation?: string;
  readonly fault: Fault;
  /** Share of matching requests that get this fault, 0..1. */
  readonly share: number;
  /** For `delay`: how long, millis (default 1500). */
  readonly delayMs?: number;
  /** For `bandwidth`: the link's speed (default 100 000 bytes/s); a big answer waits longer. */
  readonly bytesPerSecond?: number;
}

const JSON_ERRORS: Partial<Record<Fault, { status: number; type: string; message: string }>> = {
  throttle: { status: 400, type: 'ProvisionedThroughputExceededException', message: 'Rate exceeded' },
  limitExceeded: { status: 400, type: 'LimitExceededException', message: 'Rate exceeded for the account' },
  kmsThrottling: { status: 400, type: 'KMSThrottlingException', message: 'KMS request rate exceeded' },
  expiredIterator: { status: 400, type: 'ExpiredIteratorException', message: 'Iterator expired (injected by the fault proxy)' },
  http500: { status: 500, type: 'InternalFailure', message: 'injected internal failure' },
  http503: { status: 503, type: 'ServiceUnavailable', message: 'injected service unavailable' },
};

export class FaultProxy {
  /** Requests forwarded to the emulator, by operation. */
  readonly forwarded: Record<string, number> = {};
  /** Faults injected, by kind. */
  readonly injected: Record<string, number> = {};
  /** Requests held unanswered by `hold()`, by operation (counted when they arrive). */
  readonly heldRequests: Record<string, number> = {};
  private rules: FaultRule[] = [];
  private holding = false;
  private held: (() => void)[] = [];
  private readonly sockets = new Set<Socket>();
  private random: () => number;

  private constructor(
    private server: Server,
    private readonly target: URL,
    readonly port: number,
    seed: number,
  ) {
    this.random = mulberry32(seed);
  }

  /** Starts a proxy on 127.0.0.1 (a free port) forwarding to `targetEndpoint`. */
  static async start(targetEndpoint: string, seed = 42): Promise<FaultProxy> {
    let proxy: FaultProxy | undefined;
    const server = createServer((req, res) => proxy!.handle(req, res));
    await listen(server, 0);
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('fault proxy did not bind a TCP port');
    proxy = new FaultProxy(server, new URL(targetEndpoint), address.port, seed);
    proxy.track(server);
    return proxy;
  }

  get endpoint(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  setFaults(rules: readonly FaultRule[]): void {
    this.rules = [...rules];
  }

  clearFaults(): void {
    this.rules = [];
  }

  /** Forwarded count for one operation (e.g. `GetRecords`). */
  count(operation: string): number {
    return this.forwarded[operation] ?? 0;
  }

  /** Holds every new request unanswered (the emulator "hangs") until `release()`. */
  hold(): void {
    this.holding = true;
  }

  /** Forwards the held requests (those whose clients are still waiting) and stops holding. */
  release(): void {
    this.holding = false;
    for (const forward of this.held.splice(0)) forward();
  }

  /**
   * The emulator "goes away": the proxy stops listening (connections are refused) and drops every
   * open connection. `online()` listens again on the same port.
   */
  async offline(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const socket of this.sockets) socket.destroy();
    await closed;
  }

  async online(): Promise<void> {
    const server = createServer((req, res) => this.handle(req, res));
    await listen(server, this.port);
    this.server = server;
    this.track(server);
  }

  async close(): Promise<void> {
    this.release();
    for (const socket of this.sockets) socket.destroy();
    if (this.server.listening) await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private track(server: Server): void {
    server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('error', () => res.destroy());
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const operation = operationOf(req);
      const rule = this.pick(operation);
      if (rule) this.injected[rule.fault] = (this.injected[rule.fault] ?? 0) + 1;
      if (rule?.fault === 'reset') {
        req.socket.destroy();
        return;
      }
      const error = rule ? JSON_ERRORS[rule.fault] : undefined;
      if (error) {
        const payload = JSON.stringify({ __type: error.type, message: error.message });
        res.writeHead(error.status, { 'content-type': 'application/x-amz-json-1.1', 'content-length': Buffer.byteLength(payload) });
        res.end(payload);
        return;
      }
      const forward = (): void => {
        if (res.destroyed || req.socket.destroyed) return;
        this.forwarded[operation] = (this.forwarded[operation] ?? 0) + 1;
        this.forward(req, body, res, delayOf(rule));
      };
      if (this.holding) {
        this.heldRequests[operation] = (this.heldRequests[operation] ?? 0) + 1;
        this.held.push(forward);
      }
      else forward();
    });
  }

  private pick(operation: string): FaultRule | undefined {
    const roll = this.random();
    let cumulative = 0;
    for (const rule of this.rules) {
      if (rule.operation !== undefined && rule.operation !== operation) continue;
      cumulative += rule.share;
      if (roll < cumulative) return rule;
    }
    return undefined;
  }

  private forward(req: IncomingMessage, body: Buffer, res: ServerResponse, delayMs: (answerBytes: number) => number): void {
    const upstream = httpRequest(
      {
        host: this.target.hostname,
        port: this.target.port,
        method: req.method,
        path: req.url,
        headers: { ...req.headers, host: this.target.host, 'content-length': String(body.length) },
      },
      (answer) => {
        const chunks: Buffer[] = [];
        answer.on('data', (chunk: Buffer) => chunks.push(chunk));
        answer.on('error', () => res.destroy());
        answer.on('end', () => {
          const payload = Buffer.concat(chunks);
          const send = (): void => {
            if (res.destroyed) return;
            res.writeHead(answer.statusCode ?? 502, answer.headers);
            res.end(payload);
          };
          const wait = delayMs(payload.length);
          if (wait > 0) setTimeout(send, wait).unref();
          else send();
        });
      },
    );
    upstream.on('error', () => res.destroy());
    upstream.end(body);
  }
}

/** How long to hold an answer of `answerBytes` back under `rule`. */
function delayOf(rule: FaultRule | undefined): (answerBytes: number) => number {
  if (rule?.fault === 'delay') return () => rule.delayMs ?? 1500;
  if (rule?.fault === 'bandwidth') return (bytes) => Math.round((bytes * 1000) / (rule.bytesPerSecond ?? 100_000));
  return () => 0;
}

function operationOf(req: IncomingMessage): string {
  const target = req.headers['x-amz-target'];
  const value = Array.isArray(target) ? target[0] : target;
  return value?.split('.').pop() ?? 'unknown';
}

function listen(server: Server, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
}
