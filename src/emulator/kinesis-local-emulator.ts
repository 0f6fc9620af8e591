import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { request } from 'node:http';
import { freePort } from './free-port.js';

const require = createRequire(import.meta.url);

/**
 * The child runs this wrapper instead of `main.js` directly: it exits when its stdin closes, and
 * its stdin is a pipe from this process, so the emulator dies with us even on `kill -9` (which
 * runs no exit handler here).
 */
const WRAPPER = [
  "process.stdin.on('end', () => process.exit(0));",
  "process.stdin.on('error', () => process.exit(0));",
  'process.stdin.resume();',
  'require(process.env.SHARDTABLE_KINESIS_LOCAL_MAIN);',
].join('\n');

const live = new Set<ChildProcess>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const child of live) child.kill('SIGKILL');
  });
}

/** Resolves when `http://127.0.0.1:port/` answers at all (kinesis-mock answers 404 to `GET /`). */
function probe(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path: '/', method: 'GET', timeout: 500 }, (res) => {
      res.resume();
      resolve(true);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
    req.end();
  });
}

/**
 * Runs kinesis-local (kinesis-mock compiled to JS) as a child process with its plain-HTTP port on
 * a free loopback port. Readiness = the plain port answers HTTP; the log line "Starting Kinesis
 * Plain Mock Service" is printed before the port is bound, so it is not used.
 */
export async function startKinesisLocal(opts: { transitionMs: number; shardLimit: number; startTimeoutMs?: number }): Promise<{
  endpoint: string;
  stop(): Promise<void>;
}> {
  const main = require.resolve('kinesis-local/main.js');
  const cert = require.resolve('kinesis-local/server.json');
  let lastError: Error | undefined;
  for (let attempt = 0; attempt < 3; attempt++) {
    const [plainPort, tlsPort] = [await freePort(), await freePort()];
    const duration = `${opts.transitionMs}ms`;
    const child = spawn(process.execPath, ['-e', WRAPPER], {
      cwd: dirname(main),
      stdio: ['pipe', 'pipe', 'pipe'],
      env: {
        ...process.env,
        SHARDTABLE_KINESIS_LOCAL_MAIN: main,
        KINESIS_MOCK_CERT_PATH: cert,
        KINESIS_MOCK_PLAIN_PORT: String(plainPort),
        KINESIS_MOCK_TLS_PORT: String(tlsPort),
        CREATE_STREAM_DURATION: duration,
        DELETE_STREAM_DURATION: duration,
        MERGE_SHARDS_DURATION: duration,
        SPLIT_SHARD_DURATION: duration,
        UPDATE_SHARD_COUNT_DURATION: duration,
        UPDATE_STREAM_MODE_DURATION: duration,
        REGISTER_STREAM_CONSUMER_DURATION: duration,
        DEREGISTER_STREAM_CONSUMER_DURATION: duration,
        START_STREAM_ENCRYPTION_DURATION: duration,
        STOP_STREAM_ENCRYPTION_DURATION: duration,
        SHARD_LIMIT: String(opts.shardLimit),
        SHOULD_PERSIST_DATA: 'false',
        LOAD_DATA_IF_EXISTS: 'false',
        LOG_LEVEL: process.env.KINESIS_MOCK_LOG_LEVEL ?? 'ERROR',
        AWS_REGION: 'us-east-1',
      },
    });
    live.add(child);
    installExitHook();
    // Drain output (a full pipe would stall the child); keep a tail for error messages.
    let tail = '';
    const keep = (chunk: Buffer): void => {
      tail = (tail + chunk.toString('utf8')).slice(-4000);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    let exited = false;
    const exitedPromise = new Promise<void>((resolve) => child.once('exit', () => {
      exited = true;
      live.delete(child);
      resolve();
    }));
    const stop = async (): Promise<void> => {
      if (exited) return;
      child.stdin?.end();
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 3_000);
      await exitedPromise;
      clearTimeout(timer);
    };
    const deadline = Date.now() + (opts.startTimeoutMs ?? 60_000);
    while (!exited && Date.now() < deadline) {
      if (await probe(plainPort)) return { endpoint: `http://127.0.0.1:${plainPort}`, stop };
      await new Promise((r) => setTimeout(r, 100));
    }
    await stop();
    lastError = new Error(`kinesis-local did not start on port ${plainPort}${exited ? ' (it exited)' : ''}: ${tail.trim().slice(-1000)}`);
  }
  throw lastError ?? new Error('kinesis-local did not start');
}
