import { createServer } from 'node:net';

/**
 * Asks the OS for a free TCP port on 127.0.0.1. The port is released before it is returned, so a
 * caller that binds later can race another process; callers that spawn a child retry on
 * `EADDRINUSE` instead of trusting this blindly.
 */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => (port > 0 ? resolve(port) : reject(new Error('could not allocate a free port'))));
    });
  });
}
