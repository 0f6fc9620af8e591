import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../../bin/shardtable.js', import.meta.url));

/** A free loopback port (the OS picks one; it is released before returning). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** `shardtable serve` as a child process, as a user runs it (built `dist/` through `bin/`). */
export class ServerProcess {
  readonly url: string;
  private readonly child: ChildProcess;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private stderr = '';

  private constructor(child: ChildProcess, port: number) {
    this.child = child;
    this.url = `http://127.0.0.1:${port}`;
    child.stderr?.on('data', (chunk: Buffer) => {
      this.stderr = (this.stderr + chunk.toString()).slice(-20_000);
    });
    child.stdout?.resume();
    this.exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  }

  /** `args`: more `serve` flags (e.g. `--cluster …`). */
  static async start(options: { dataDir: string; env?: Record<string, string>; args?: readonly string[] }): Promise<ServerProcess> {
    const port = await freePort();
    const child = spawn(process.execPath, [BIN, 'serve', '--data-dir', options.dataDir, '--port', String(port), ...(options.args ?? [])], {
      env: { ...process.env, SHARDTABLE_LOG_LEVEL: 'info', ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const server = new ServerProcess(child, port);
    await server.waitUntilHealthy();
    return server;
  }

  /** The last lines the server wrote to stderr (its log), for failure messages. */
  log(): string {
    return this.stderr;
  }

  async waitUntilHealthy(timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let exited = false;
    void this.exited.then(() => (exited = true));
    while (Date.now() < deadline && !exited) {
      try {
        const response = await fetch(`${this.url}/health`);
        if (response.ok) return;
      } catch {
        // not listening yet
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`server did not become healthy; log:\n${this.stderr}`);
  }

  /** The process id (for SIGSTOP/SIGCONT in tests). */
  get pid(): number {
    return this.child.pid!;
  }

  kill(signal: NodeJS.Signals): void {
    this.child.kill(signal);
  }

  async request(method: string, path: string, body?: unknown): Promise<{ status: number; json: unknown }> {
    return httpCall(this.url, method, path, body);
  }
}

/** One HTTP call with an optional JSON body; the answer parsed as JSON, or its text when it is not JSON. */
export async function httpCall(baseUrl: string, method: string, path: string, body?: unknown): Promise<{ status: number; json: any }> {
  const response = await fetch(`${baseUrl}${path}`, {
    method,
    ...(body !== undefined ? { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) } : {}),
  });
  const text = await response.text();
  let json: unknown = text;
  try {
    json = JSON.parse(text);
  } catch {
    // plain text body (e.g. /health)
  }
  return { status: response.status, json };
}
