import { describe, expect, it } from 'vitest';
import { buildCli } from '../../../src/cli/index.js';
import { DEFAULT_HTTP_LIMITS } from '../../../src/server/http-limits.js';

describe('serve flags', () => {
  it('every HTTP limit is a serve flag defaulting to the documented value', () => {
    const serve = buildCli().commands.find((command) => command.name() === 'serve')!;
    const defaults = Object.fromEntries(serve.options.map((option) => [option.long, option.defaultValue as unknown]));
    expect(defaults).toMatchObject({
      '--request-timeout-ms': DEFAULT_HTTP_LIMITS.requestTimeoutMs,
      '--headers-timeout-ms': DEFAULT_HTTP_LIMITS.headersTimeoutMs,
      '--keep-alive-timeout-ms': DEFAULT_HTTP_LIMITS.keepAliveTimeoutMs,
      '--idle-timeout-ms': DEFAULT_HTTP_LIMITS.idleTimeoutMs,
      '--max-connections': DEFAULT_HTTP_LIMITS.maxConnections,
      '--max-body-bytes': DEFAULT_HTTP_LIMITS.bodyLimit,
    });
  });

  it('a limit that is not a whole number is refused', () => {
    const cli = buildCli().exitOverride().configureOutput({ writeErr: () => undefined });
    for (const command of cli.commands) command.exitOverride().configureOutput({ writeErr: () => undefined });
    expect(() => cli.parse(['node', 'shardtable', 'serve', '--max-connections', 'lots'])).toThrow(/whole number/);
  });
});
