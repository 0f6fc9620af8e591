import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { freePort } from './free-port.js';

/**
 * moto (`python3 -m moto.server`) serving DynamoDB, DynamoDB Streams and S3 on a free loopback
 * port, for the DynamoDB tests (`test/helpers/moto.ts`) and benchmark, as the Kinesis emulators
 * are started for theirs. Missing python3 or moto is an error with the command to fix it (so a
 * test fails, never skips).
 */
export class MotoServer {
  private constructor(
    readonly endpoint: string,
    private readonly child: ChildProcess,
    private readonly stderr: () => string,
  ) {}

  static async start(): Promise<MotoServer> {
    const probe = spawnSync('python3', ['-c', 'import moto.server, sys; print(moto.__version__)'], { encoding: 'utf8' });
    if (probe.error !== undefined || probe.status !== 0) {
      throw new Error(
        `moto is needed for the DynamoDB tests and could not be imported (${probe.error?.message ?? probe.stderr.trim()}); install it with: pip install 'moto[server]'`,
      );
    }
    for (let attempt = 0; ; attempt++) {
      const port = await freePort();
      let err = '';
      const child = spawn('python3', ['-m', 'moto.server', '-H', '127.0.0.1', '-p', String(port)], { stdio: ['ignore', 'pipe', 'pipe'] });
      child.stderr?.on('data', (c: Buffer) => (err = (err + c.toString()).slice(-5000)));
      child.stdout?.resume();
      const endpoint = `http://127.0.0.1:${port}`;
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      let dead = false;
      void exited.then(() => (dead = true));
      const deadline = Date.now() + 60_000;
      while (!dead && Date.now() < deadline) {
        try {
          const res = await fetch(`${endpoint}/moto-api/`);
          if (res.status < 500) return new MotoServer(endpoint, child, () => err);
        } catch {
          // not listening yet
        }
        await new Promise((r) => setTimeout(r, 150));
      }
      child.kill('SIGKILL');
      if (attempt >= 2 || !/in use/i.test(err)) throw new Error(`moto server did not start on ${endpoint}: ${err.slice(-2000)}`);
    }
  }

  log(): string {
    return this.stderr();
  }

  /** A DynamoDB client for tests (HTTP/1.1, dummy credentials). */
  client(): DynamoDBClient {
    return new DynamoDBClient({
      endpoint: this.endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
      requestHandler: new NodeHttpHandler(),
    });
  }

  /** The environment a shardtable process needs to reach this moto for DynamoDB and its stream. */
  env(): Record<string, string> {
    return { AWS_ENDPOINT_URL_DYNAMODB: this.endpoint, AWS_ENDPOINT_URL_DYNAMODB_STREAMS: this.endpoint, AWS_ENDPOINT_URL_S3: this.endpoint, AWS_REGION: 'us-east-1' };
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.child.kill('SIGTERM');
    await exited;
  }
}

