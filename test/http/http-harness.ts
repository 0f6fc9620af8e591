import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type { FastifyInstance, InjectOptions, LightMyRequestResponse, RouteOptions } from 'fastify';
import { pino } from 'pino';
import { buildApp } from '../../src/server/app.js';
import type { HttpLimits } from '../../src/server/http-limits.js';
import { TableManager } from '../../src/table/table-manager.js';
import { recordingRuntimeFactory } from '../helpers/recording-runtime-factory.js';
import type { RecordingRuntimeFactory } from '../helpers/recording-runtime-factory.js';

/** TEST ONLY. A fastify app over a TableManager with the recording runtime, plus every log line and response body. */
export interface Harness {
  readonly app: FastifyInstance;
  readonly manager: TableManager;
  readonly recorder: RecordingRuntimeFactory;
  readonly dataDir: string;
  readonly logLines: string[];
  readonly bodies: string[];
  inject(options: InjectOptions): Promise<LightMyRequestResponse>;
  /** Listens on 127.0.0.1 (a free port) for tests that need real sockets; returns the port. */
  listen(): Promise<number>;
  close(): Promise<void>;
}

export interface HarnessOptions {
  readonly bodyLimit?: number;
  readonly limits?: Partial<HttpLimits>;
  readonly dataDir?: string;
  readonly recorder?: RecordingRuntimeFactory;
  /** Called for every route the app registers (fastify's `onRoute` hook, added before `ready`). */
  readonly onRoute?: (route: RouteOptions) => void;
}

export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const dataDir = options.dataDir ?? (await mkdtemp(join(tmpdir(), 'shardtable-http-')));
  const recorder = options.recorder ?? recordingRuntimeFactory();
  const logLines: string[] = [];
  const bodies: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      logLines.push(chunk.toString());
      done();
    },
  });
  const logger = pino({ level: 'trace' }, stream);
  const manager = new TableManager({ dataDir, runtimeFactory: recorder.factory, logger });
  await manager.start();
  const app = buildApp({ manager, logger, ...(options.bodyLimit !== undefined ? { bodyLimit: options.bodyLimit } : {}), ...(options.limits ? { limits: options.limits } : {}) });
  // The app's routes are plugins, registered at `ready`: a hook added now sees every one.
  if (options.onRoute) app.addHook('onRoute', options.onRoute);
  await app.ready();
  return {
    app,
    manager,
    recorder,
    dataDir,
    logLines,
    bodies,
    async inject(injectOptions) {
      const response = await app.inject(injectOptions);
      bodies.push(response.body);
      return response;
    },
    async listen() {
      await app.listen({ port: 0, host: '127.0.0.1' });
      const address = app.server.address();
      if (address === null || typeof address === 'string') throw new Error('not listening on a TCP port');
      return address.port;
    },
    async close() {
      await app.close();
      if (options.dataDir === undefined) await rm(dataDir, { recursive: true, force: true });
    },
  };
}
